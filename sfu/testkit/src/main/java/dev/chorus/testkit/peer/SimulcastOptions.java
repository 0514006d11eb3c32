package dev.chorus.testkit.peer;

import java.util.HashSet;
import java.util.List;

/**
 * Publishes a video line as simulcast, the way Chromium does with {@code sendEncodings}: one RTP stream per
 * rid, lowest resolution first. See {@link NativePeer#createOffer(int, int, int, int, SimulcastOptions)}.
 *
 * <p>Frames are sent on every layer; the top layer carries the caller's frame, each layer below a quarter of
 * the bytes of the one above (half the width and half the height).
 */
public record SimulcastOptions(List<String> rids) {
    private static final List<String> NAMES = List.of("l", "m", "h");

    /** Three layers, rids "l", "m", "h". */
    public static final SimulcastOptions DEFAULT = layers(3);

    public SimulcastOptions {
        rids = List.copyOf(rids);
        if (rids.isEmpty()) {
            throw new IllegalArgumentException("simulcast needs at least one layer");
        }
        if (new HashSet<>(rids).size() != rids.size()) {
            throw new IllegalArgumentException("rids must differ: " + rids);
        }
        for (String rid : rids) {
            if (!SimulcastLayer.isRid(rid)) {
                throw new IllegalArgumentException("rid must be 1-16 letters, digits, '-' or '_': " + rid);
            }
        }
    }

    /**
     * The top {@code n} (1..3) of "l", "m", "h": a rid says how the layer's size relates to the top layer's
     * (h full, m half, l a quarter of the width), so two layers are "m" and "h".
     */
    public static SimulcastOptions layers(int n) {
        if (n < 1 || n > NAMES.size()) {
            throw new IllegalArgumentException("1 to 3 named layers, not " + n + "; give other rids explicitly");
        }
        return new SimulcastOptions(NAMES.subList(NAMES.size() - n, NAMES.size()));
    }

    public int size() {
        return rids.size();
    }
}
