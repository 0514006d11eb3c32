package dev.chorus.sfu.conference;

/**
 * The size, in device pixels, at which a subscriber shows one remote video; 0 x 0 when it does not
 * show it (or does not know). The forwarder sends the lowest simulcast layer that covers it.
 */
public record ViewSize(int width, int height) {
    /** Larger than any screen a browser reports; a bound, so a client cannot send nonsense. */
    public static final int MAX = 16_384;

    public ViewSize {
        if (!fits(width, height)) {
            throw new IllegalArgumentException("view size out of range: " + width + "x" + height);
        }
    }

    public static boolean fits(int width, int height) {
        return width >= 0 && height >= 0 && width <= MAX && height <= MAX;
    }
}
