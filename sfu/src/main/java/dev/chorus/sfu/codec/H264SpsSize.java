package dev.chorus.sfu.codec;

import dev.chorus.sfu.rtp.BigEndian;

/**
 * The picture size an H.264 keyframe announces: its SPS (ITU-T H.264 7.3.2.1.1), found as a single
 * NAL unit or inside a STAP-A (how Chromium sends SPS and PPS before each IDR), parsed just far
 * enough for the width and height in macroblocks and the cropping. A simulcast layer's size lets the
 * SFU pick the layer that fits a subscriber's tile, as VP8's keyframe header does. One instance per
 * stream, reused: parsing allocates nothing. Not thread-safe.
 */
public final class H264SpsSize {
    private static final int SPS = 7;
    private static final int STAP_A = 24;
    /** Macroblocks beyond 8K (e.g. 16384 px wide) are taken as garbage, not a size. */
    private static final int MAX_MBS = 1024;

    private byte[] buf;
    private int pos;
    private int end;
    /** Bit position within the byte at {@code pos}, 0 = most significant. */
    private int bit;

    private int zeros;
    private boolean overrun;
    private int width;
    private int height;

    /**
     * Looks for an SPS in the RTP payload {@code b[off, off+len)} and reads its size. Returns false
     * (and leaves the last size) when there is none or it does not parse.
     */
    public boolean parse(byte[] b, int off, int len) {
        if (len < 1) {
            return false;
        }
        int type = b[off] & 0x1F;
        if (type == SPS) {
            return parseSps(b, off + 1, off + len);
        }
        if (type == STAP_A) {
            int p = off + 1;
            int stop = off + len;
            while (p + 3 <= stop) {
                int size = BigEndian.u16(b, p);
                if (size == 0 || p + 2 + size > stop) {
                    return false;
                }
                if ((b[p + 2] & 0x1F) == SPS) {
                    return parseSps(b, p + 3, p + 2 + size);
                }
                p += 2 + size;
            }
        }
        return false;
    }

    /** Width in pixels from the last SPS parsed, 0 before one. */
    public int width() {
        return width;
    }

    /** Height in pixels from the last SPS parsed, 0 before one. */
    public int height() {
        return height;
    }

    /** The SPS RBSP from {@code from} (after the NAL header) up to {@code to}. */
    private boolean parseSps(byte[] b, int from, int to) {
        buf = b;
        pos = from;
        end = to;
        bit = 0;
        zeros = 0;
        overrun = false;
        int profile = bits(8);
        bits(16); // constraint flags, level_idc
        ue(); // seq_parameter_set_id
        int chroma = 1;
        if (profile == 100
                || profile == 110
                || profile == 122
                || profile == 244
                || profile == 44
                || profile == 83
                || profile == 86
                || profile == 118
                || profile == 128
                || profile == 138
                || profile == 139
                || profile == 134
                || profile == 135) {
            chroma = ue();
            if (chroma == 3) {
                bits(1); // separate_colour_plane_flag
            }
            ue(); // bit_depth_luma_minus8
            ue(); // bit_depth_chroma_minus8
            bits(1); // qpprime_y_zero_transform_bypass_flag
            if (bits(1) == 1) { // seq_scaling_matrix_present_flag
                for (int i = 0; i < (chroma != 3 ? 8 : 12) && !overrun; i++) {
                    if (bits(1) == 1) {
                        skipScalingList(i < 6 ? 16 : 64);
                    }
                }
            }
        }
        ue(); // log2_max_frame_num_minus4
        int pocType = ue();
        if (pocType == 0) {
            ue(); // log2_max_pic_order_cnt_lsb_minus4
        } else if (pocType == 1) {
            bits(1); // delta_pic_order_always_zero_flag
            se(); // offset_for_non_ref_pic
            se(); // offset_for_top_to_bottom_field
            int cycle = ue();
            for (int i = 0; i < cycle && i < 256 && !overrun; i++) {
                se(); // offset_for_ref_frame
            }
        }
        ue(); // max_num_ref_frames
        bits(1); // gaps_in_frame_num_value_allowed_flag
        int widthMbs = ue() + 1;
        int heightMapUnits = ue() + 1;
        int frameMbsOnly = bits(1);
        if (frameMbsOnly == 0) {
            bits(1); // mb_adaptive_frame_field_flag
        }
        bits(1); // direct_8x8_inference_flag
        int cropLeft = 0;
        int cropRight = 0;
        int cropTop = 0;
        int cropBottom = 0;
        if (bits(1) == 1) {
            cropLeft = ue();
            cropRight = ue();
            cropTop = ue();
            cropBottom = ue();
        }
        if (overrun || chroma > 3 || widthMbs > MAX_MBS || heightMapUnits > MAX_MBS) {
            return false;
        }
        // Table 6-1: 4:2:0 halves both ways, 4:2:2 the width only; monochrome and 4:4:4 crop in pixels.
        int cropUnitX = chroma == 1 || chroma == 2 ? 2 : 1;
        int cropUnitY = (chroma == 1 ? 2 : 1) * (2 - frameMbsOnly);
        int w = widthMbs * 16 - (cropLeft + cropRight) * cropUnitX;
        int h = (2 - frameMbsOnly) * heightMapUnits * 16 - (cropTop + cropBottom) * cropUnitY;
        if (w <= 0 || h <= 0) {
            return false;
        }
        width = w;
        height = h;
        return true;
    }

    private void skipScalingList(int size) {
        int last = 8;
        int next = 8;
        for (int j = 0; j < size && !overrun; j++) {
            if (next != 0) {
                next = (last + se() + 256) % 256;
            }
            last = next == 0 ? last : next;
        }
    }

    /** Exp-Golomb ue(v); a run of more than 31 zeros is an overrun (no field here is that large). */
    private int ue() {
        int leading = 0;
        while (bits(1) == 0 && !overrun) {
            if (++leading > 31) {
                overrun = true;
                return 0;
            }
        }
        if (leading == 0) {
            return 0;
        }
        long value = (1L << leading) - 1 + bits(leading);
        return value > Integer.MAX_VALUE ? 0 : (int) value;
    }

    private int se() {
        int k = ue();
        return (k & 1) == 1 ? (k + 1) / 2 : -(k / 2);
    }

    /** The next {@code n} (at most 31) bits, skipping emulation-prevention bytes (00 00 03); 0 past the end. */
    private int bits(int n) {
        int v = 0;
        for (int i = 0; i < n; i++) {
            if (bit == 0) {
                if (pos >= end) {
                    overrun = true;
                    return 0;
                }
                if (zeros >= 2 && buf[pos] == 3) {
                    pos++; // emulation prevention
                    zeros = 0;
                    if (pos >= end) {
                        overrun = true;
                        return 0;
                    }
                }
            }
            int byteValue = buf[pos] & 0xFF;
            v = (v << 1) | ((byteValue >> (7 - bit)) & 1);
            if (++bit == 8) {
                bit = 0;
                zeros = byteValue == 0 ? zeros + 1 : 0;
                pos++;
            }
        }
        return v;
    }
}
