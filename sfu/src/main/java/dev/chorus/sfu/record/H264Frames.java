package dev.chorus.sfu.record;

import dev.chorus.sfu.codec.H264SpsSize;

/**
 * H.264 in RTP (RFC 6184, packetization mode 1: single NAL units, STAP-A, FU-A). The unit is an access unit: the
 * NAL units of one RTP timestamp, the marker on the last packet. Its first packet is known by its first NAL unit
 * alone (ITU-T H.264 7.4.1.2.3): an access unit delimiter, SEI, SPS or PPS, or a slice whose first_mb_in_slice is 0
 * (the first bit of the slice header set); so a recording can start, and resynchronise, on the right packet without
 * knowing the one before. NAL units are stored as Matroska's V_MPEG4/ISO/AVC wants them: each behind a 4-byte
 * big-endian length (no Annex-B start codes), an FU-A's fragments joined behind the NAL header its FU indicator
 * and header encode. SPS and PPS stay in the stream too (a decoder follows a size change with them) and the last of
 * each is kept for the file's avcC (ISO/IEC 14496-15 5.3.3.1). A keyframe is an access unit with an IDR slice.
 */
final class H264Frames implements VideoPayload {
    static final int LENGTH_BYTES = 4;
    private static final int SLICE = 1;
    private static final int IDR = 5;
    private static final int SEI = 6;
    private static final int SPS = 7;
    private static final int PPS = 8;
    private static final int AUD = 9;
    private static final int STAP_A = 24;
    private static final int FU_A = 28;
    /** A parameter set larger than this is not kept for the avcC (real ones are tens of bytes). */
    private static final int MAX_PARAMETER_SET = 256;

    private final byte[] sps = new byte[MAX_PARAMETER_SET];
    private final byte[] pps = new byte[MAX_PARAMETER_SET];
    private int spsLength;
    private int ppsLength;
    private final H264SpsSize spsSize = new H264SpsSize();

    /** Offset of the length prefix of the NAL unit an FU-A is building; -1 when none is open. */
    private int fragmentAt = -1;

    private boolean keyframe;

    @Override
    public int classify(byte[] b, int off, int len) {
        int type = b[off] & 0x1F;
        if (type >= 1 && type <= 23) {
            return startsAccessUnit(type, b, off + 1, off + len) ? STARTS : CONTINUES;
        }
        if (type == STAP_A) {
            if (len < 4) {
                return MALFORMED;
            }
            int first = (b[off + 1] & 0xFF) << 8 | (b[off + 2] & 0xFF);
            if (first == 0 || 3 + first > len) {
                return MALFORMED;
            }
            return startsAccessUnit(b[off + 3] & 0x1F, b, off + 4, off + 3 + first) ? STARTS : CONTINUES;
        }
        if (type == FU_A) {
            if (len < 3) {
                return MALFORMED;
            }
            int header = b[off + 1] & 0xFF;
            boolean first = (header & 0x80) != 0;
            return first && startsAccessUnit(header & 0x1F, b, off + 2, off + len) ? STARTS : CONTINUES;
        }
        return MALFORMED; // 0, STAP-B, MTAP, FU-B (interleaved mode, never negotiated) and reserved types
    }

    /** Whether a NAL unit of {@code type} whose payload (after its header) is at {@code [from, to)} begins an AU. */
    private static boolean startsAccessUnit(int type, byte[] b, int from, int to) {
        return switch (type) {
            case AUD, SEI, SPS, PPS -> true;
            case SLICE, IDR -> from < to && (b[from] & 0x80) != 0; // first_mb_in_slice ue(v) == 0: a leading 1 bit
            default -> false;
        };
    }

    @Override
    public void begin(FrameBuffer out) {
        out.clear();
        fragmentAt = -1;
        keyframe = false;
    }

    @Override
    public boolean append(byte[] b, int off, int len, FrameBuffer out) {
        int type = b[off] & 0x1F;
        if (type == FU_A) {
            return appendFragment(b, off, len, out);
        }
        if (fragmentAt >= 0) {
            return false; // an FU-A left without its end
        }
        if (type >= 1 && type <= 23) {
            nal(b, off, len, out);
            return true;
        }
        if (type != STAP_A) {
            return false;
        }
        int p = off + 1;
        int end = off + len;
        while (p < end) {
            if (p + 2 > end) {
                return false;
            }
            int n = (b[p] & 0xFF) << 8 | (b[p + 1] & 0xFF);
            if (n == 0 || p + 2 + n > end) {
                return false;
            }
            nal(b, p + 2, n, out);
            p += 2 + n;
        }
        return true;
    }

    private boolean appendFragment(byte[] b, int off, int len, FrameBuffer out) {
        if (len < 3) {
            return false;
        }
        int header = b[off + 1] & 0xFF;
        boolean first = (header & 0x80) != 0;
        boolean last = (header & 0x40) != 0;
        if (first == (fragmentAt >= 0)) {
            return false; // a start inside a fragmented unit, or a middle without its start
        }
        if (first) {
            fragmentAt = out.skip(LENGTH_BYTES);
            out.put((b[off] & 0xE0) | (header & 0x1F)); // F and NRI from the indicator, the type from the header
        }
        out.put(b, off + 2, len - 2);
        if (last) {
            int nalAt = fragmentAt + LENGTH_BYTES;
            out.putInt(fragmentAt, out.length() - nalAt);
            fragmentAt = -1;
            noted(out.array(), nalAt, out.length() - nalAt);
        }
        return true;
    }

    private void nal(byte[] b, int off, int len, FrameBuffer out) {
        int at = out.skip(LENGTH_BYTES);
        out.putInt(at, len);
        out.put(b, off, len);
        noted(b, off, len);
    }

    /** A whole NAL unit went into the frame: an IDR makes it a keyframe; parameter sets are kept for the avcC. */
    private void noted(byte[] b, int off, int len) {
        int type = b[off] & 0x1F;
        if (type == IDR) {
            keyframe = true;
        } else if (type == SPS && len <= MAX_PARAMETER_SET && len >= 4) {
            System.arraycopy(b, off, sps, 0, len);
            spsLength = len;
            spsSize.parse(sps, 0, len);
        } else if (type == PPS && len <= MAX_PARAMETER_SET) {
            System.arraycopy(b, off, pps, 0, len);
            ppsLength = len;
        }
    }

    @Override
    public boolean end(FrameBuffer out) {
        return fragmentAt < 0;
    }

    @Override
    public boolean keyframe() {
        return keyframe;
    }

    /** Whether an SPS and a PPS were seen: a file can be started (its avcC needs both). */
    boolean hasParameterSets() {
        return spsLength > 0 && ppsLength > 0;
    }

    int width() {
        return spsSize.width();
    }

    int height() {
        return spsSize.height();
    }

    /**
     * The AVCDecoderConfigurationRecord of the last SPS and PPS: version 1, the SPS's profile, compatibility and
     * level bytes, 4-byte lengths, one SPS, one PPS. (The extra fields of the High profiles are optional for readers
     * and left out: the room's H.264 is Constrained Baseline.) Called once per file.
     */
    byte[] avcDecoderConfiguration() {
        byte[] c = new byte[11 + spsLength + ppsLength];
        c[0] = 1;
        c[1] = sps[1];
        c[2] = sps[2];
        c[3] = sps[3];
        c[4] = (byte) (0xFC | (LENGTH_BYTES - 1));
        c[5] = (byte) 0xE1; // three reserved bits, one SPS
        c[6] = (byte) (spsLength >>> 8);
        c[7] = (byte) spsLength;
        System.arraycopy(sps, 0, c, 8, spsLength);
        int p = 8 + spsLength;
        c[p] = 1;
        c[p + 1] = (byte) (ppsLength >>> 8);
        c[p + 2] = (byte) ppsLength;
        System.arraycopy(pps, 0, c, p + 3, ppsLength);
        return c;
    }
}
