package dev.chorus.sfu.sdp;

/**
 * {@code a=rid:<id> <send|recv> [<restrictions>]} (RFC 8851). {@code send} is from the
 * writer's point of view: in a browser offer, a send rid is a layer the browser will send.
 */
public record Rid(String id, boolean send, String restrictions) {}
