package dev.chorus.sfu.transport;

/**
 * Feeds fuzz input to the ICE-TCP framer (package-private, hence this class in its package): the first
 * two bytes split the rest into three reads, as TCP may split a stream anywhere. Every frame handed on
 * must lie inside the buffer it is handed in and be 1..max bytes long.
 */
public final class Rfc4571FuzzFeed {
    private static final int MAX_FRAME = 600;

    private Rfc4571FuzzFeed() {}

    public static void feed(byte[] in) {
        if (in.length < 2) {
            return;
        }
        Rfc4571Framer framer = new Rfc4571Framer(MAX_FRAME, (buf, off, len) -> {
            if (len < 1 || len > MAX_FRAME || off < 0 || off > buf.length - len) {
                throw new IllegalStateException(
                        "frame at " + off + " (" + len + " bytes) in a " + buf.length + "-byte buffer");
            }
        });
        int rest = in.length - 2;
        int first = rest == 0 ? 0 : (in[0] & 0xff) % (rest + 1);
        int second = rest - first == 0 ? 0 : (in[1] & 0xff) % (rest - first + 1);
        framer.feed(in, 2, first);
        framer.feed(in, 2 + first, second);
        framer.feed(in, 2 + first + second, rest - first - second);
        long counted = framer.frames() + framer.framesTooLarge() + framer.emptyFrames();
        if (counted < 0) {
            throw new IllegalStateException("negative frame counts");
        }
    }
}
