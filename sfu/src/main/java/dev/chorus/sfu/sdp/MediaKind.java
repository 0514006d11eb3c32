package dev.chorus.sfu.sdp;

/** The media type of an m= line; anything we do not know is kept as {@link #OTHER}. */
public enum MediaKind {
    AUDIO("audio"), VIDEO("video"), APPLICATION("application"), OTHER("");

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
