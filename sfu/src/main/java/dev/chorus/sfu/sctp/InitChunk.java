package dev.chorus.sfu.sctp;

/**
 * The fixed fields of an INIT or INIT-ACK and the parameters we act on: the state cookie, FORWARD-TSN support
 * (RFC 3758) and RE-CONFIG support (RFC 6525, in Supported Extensions). Other parameters are ignored.
 */
record InitChunk(
        int tag,
        long rwnd,
        int outStreams,
        int inStreams,
        int initialTsn,
        boolean forwardTsn,
        boolean reconfig,
        byte[] cookie) {
    static final int PARAM_COOKIE = 7;
    static final int PARAM_SUPPORTED_EXTENSIONS = 0x8008;
    static final int PARAM_FORWARD_TSN_SUPPORTED = 0xC000;

    /** The values, or null when the chunk is malformed (short, a zero tag or stream count, a bad parameter). */
    static InitChunk parse(Chunk c) {
        if (c.valueLen() < 16) {
            return null;
        }
        boolean[] fwd = {false};
        boolean[] reconfig = {false};
        byte[][] cookieOut = {null};
        boolean ok = SctpPacket.forEachParameter(c.buf(), c.valueOff() + 16, c.valueLen() - 16, (type, b, off, len) -> {
            if (type == PARAM_FORWARD_TSN_SUPPORTED) {
                fwd[0] = true;
            } else if (type == PARAM_SUPPORTED_EXTENSIONS) {
                for (int i = 0; i < len; i++) {
                    int t = b[off + i] & 0xFF;
                    fwd[0] |= t == Chunk.FORWARD_TSN;
                    reconfig[0] |= t == Chunk.RE_CONFIG;
                }
            } else if (type == PARAM_COOKIE) {
                cookieOut[0] = java.util.Arrays.copyOfRange(b, off, off + len);
            }
            return true;
        });
        InitChunk v =
                new InitChunk(c.i32(0), c.u32(4), c.u16(8), c.u16(10), c.i32(12), fwd[0], reconfig[0], cookieOut[0]);
        if (!ok || v.tag() == 0 || v.outStreams() == 0 || v.inStreams() == 0) {
            return null;
        }
        return v;
    }
}
