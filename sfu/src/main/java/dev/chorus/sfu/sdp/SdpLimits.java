package dev.chorus.sfu.sdp;

/**
 * Bounds on what the parser will read, so a hostile peer cannot make the server do unbounded
 * work. The defaults are sized from real offers: Chromium writes about 3.3 KB per recvonly
 * video m-line, and a subscriber carries one m-line per remote track, so a 30-person room
 * already needs about 200 KB.
 */
public record SdpLimits(int maxChars, int maxMediaSections) {
    public static final SdpLimits DEFAULT = new SdpLimits(512 * 1024, 128);

    public SdpLimits {
        if (maxChars <= 0 || maxMediaSections <= 0) {
            throw new IllegalArgumentException("limits must be positive");
        }
    }
}
