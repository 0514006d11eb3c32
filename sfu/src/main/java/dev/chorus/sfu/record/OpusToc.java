package dev.chorus.sfu.record;

/** How long an Opus packet plays, from its TOC byte (RFC 6716, section 3.1). */
final class OpusToc {
    private OpusToc() {}

    /** The packet's duration in microseconds, or 0 when it is empty or malformed. */
    static long durationMicros(byte[] b, int off, int len) {
        if (len < 1) {
            return 0;
        }
        int toc = b[off] & 0xFF;
        int config = toc >>> 3;
        long frameMicros;
        if (config < 12) {
            frameMicros = new long[] {10_000, 20_000, 40_000, 60_000}[config & 3];
        } else if (config < 16) {
            frameMicros = (config & 1) == 0 ? 10_000 : 20_000;
        } else {
            frameMicros = new long[] {2_500, 5_000, 10_000, 20_000}[config & 3];
        }
        int frames;
        switch (toc & 3) {
            case 0 -> frames = 1;
            case 1, 2 -> frames = 2;
            default -> {
                if (len < 2) {
                    return 0;
                }
                frames = b[off + 1] & 0x3F;
            }
        }
        return frameMicros * frames;
    }
}
