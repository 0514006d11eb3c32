package dev.chorus.sfu.record;

import dev.chorus.sfu.codec.Codec;

/**
 * What a recorded track is: its room, publisher, the producer id that names it, codec and source (camera,
 * microphone, screen).
 */
public record TrackInfo(String room, String participantId, String trackId, Codec codec, String source) {}
