package dev.chorus.sfu.conference;

import dev.chorus.sfu.sctp.SctpConfig;

/**
 * Data channels as {@code chorus.media.data-channel-*} sets them: the SCTP tunables, and how many messages a second
 * one participant may have the room data relay fan out (bursts of twice that), so no page can flood its room.
 */
public record DataChannelSettings(SctpConfig sctp, double relayPerSecond) {
    public DataChannelSettings {
        if (sctp == null || !(relayPerSecond > 0)) {
            throw new IllegalArgumentException("need SCTP settings and a positive relay rate");
        }
    }
}
