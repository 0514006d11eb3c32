package dev.chorus.sfu.codec;

/**
 * The media type of an m= line, a track or a codec; anything we do not know is kept as {@link #OTHER}.
 * The forwarding layer only ever sees {@link #AUDIO} and {@link #VIDEO}.
 */
public enum MediaKind {
    AUDIO("audio"),
    VIDEO("video"),
    APPLICATION("application"),
    OTHER("");

    private final String token;

    MediaKind(String token) {
        this.token = token;
    }

    public String token() {
        return token;
    }

    public static MediaKind fromToken(String token) {
        for (MediaKind kind : values()) {
            if (kind != OTHER && kind.token.equalsIgnoreCase(token)) {
                return kind;
            }
        }
        return OTHER;
    }
}
