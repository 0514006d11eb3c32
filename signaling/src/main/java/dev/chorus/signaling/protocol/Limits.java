package dev.chorus.signaling.protocol;

import dev.chorus.signaling.config.ServerConfig;

/** The size limits a message parser enforces. */
public record Limits(int maxMessageBytes, int maxNameChars, int maxChatChars) {

    public static final int MAX_ROOM_CHARS = 64;
    public static final int MAX_REQUEST_ID_CHARS = 64;
    /** m= lines an offer may describe in {@code sources}. */
    public static final int MAX_MEDIA_LINES = 256;

    public static final int MAX_MID_CHARS = 32;
    /** An ICE candidate line is well under this; longer is garbage. */
    public static final int MAX_CANDIDATE_CHARS = 1024;
    /** A resume token is 43 characters (256 random bits, base64url); anything much longer is garbage. */
    public static final int MAX_RESUME_TOKEN_CHARS = 128;

    public static Limits from(ServerConfig.Signaling signaling) {
        return new Limits(signaling.maxMessageBytes(), signaling.maxNameChars(), signaling.maxChatChars());
    }
}
