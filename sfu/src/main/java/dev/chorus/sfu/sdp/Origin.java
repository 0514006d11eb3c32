package dev.chorus.sfu.sdp;

/**
 * The o= line. The session id and version stay strings: RFC 8866 allows any number of digits
 * and we only ever compare or echo them.
 */
public record Origin(
        String username,
        String sessionId,
        String sessionVersion,
        String networkType,
        String addressType,
        String address) {}
