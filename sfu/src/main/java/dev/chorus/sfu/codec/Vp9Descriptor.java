package dev.chorus.sfu.codec;

/**
 * The VP9 RTP payload descriptor (RFC 9628, section 4.2) of one packet, parsed once where the packet
 * arrives and read by every consumer that forwards it: which spatial and temporal layer the packet
 * belongs to, whether it starts or ends that layer's frame, whether the frame can be a switching point,
 * the picture id to renumber, and, in a keyframe's first packet, the scalability structure (how many
 * spatial layers and their sizes).
 *
 * <pre>
 *   |I|P|L|F|B|E|V|Z|            always
 *   |M| PICTURE ID  |            I (M: 15 bits, one more byte)
 *   |  TID  |U| SID |D|          L
 *   |   TL0PICIDX   |            L and F=0 (non-flexible mode)
 *   |   P_DIFF    |N|            F and P, up to 3 (N: another follows)
 *   | N_S |Y|G|-|-|-|            V, then (Y) N_S+1 x (WIDTH 16, HEIGHT 16), (G) N_G and N_G picture
 *                                  descriptions of |TID|U|R|-|-| plus R P_DIFF bytes each
 * </pre>
 *
 * One instance is reused for every packet: {@link #parse} allocates nothing and never throws whatever the
 * bytes are; it reads only {@code [off, off + len)}. A descriptor that does not fit its payload, or that is
 * inconsistent (more than three P_DIFFs, a P_DIFF of 0), is malformed: {@link #parse} returns false and the
 * fields read as if nothing was parsed. Without the L byte a packet is taken as layer 0 of both kinds (a
 * stream without layers).
 */
public final class Vp9Descriptor {
    /** Spatial layers the SS can describe (N_S has three bits). */
    public static final int MAX_SPATIAL_LAYERS = 8;

    private static final int I = 0x80;
    private static final int P = 0x40;
    private static final int L = 0x20;
    private static final int F = 0x10;
    private static final int B = 0x08;
    private static final int E = 0x04;
    private static final int V = 0x02;
    private static final int Z = 0x01;
    private static final int MAX_P_DIFFS = 3;

    private int flags;
    private int length = -1;
    private int pictureId = -1;
    private boolean longPictureId;
    private int temporalId;
    private boolean switchingUp;
    private int spatialId;
    private boolean interLayerDependent;
    private int tl0PicIdx = -1;
    private int referenceCount;
    /** Spatial layers the SS announces, 0 without an SS. */
    private int ssLayers;

    private boolean ssSizes;
    private final int[] widths = new int[MAX_SPATIAL_LAYERS];
    private final int[] heights = new int[MAX_SPATIAL_LAYERS];

    /** Parses the descriptor at {@code b[off, off + len)}; false (fields cleared) when it is malformed. */
    public boolean parse(byte[] b, int off, int len) {
        clear();
        if (len < 1) {
            return false;
        }
        int f = b[off] & 0xFF;
        int i = 1;
        int pic = -1;
        boolean longPic = false;
        if ((f & I) != 0) {
            if (i >= len) {
                return false;
            }
            int first = b[off + i] & 0xFF;
            if ((first & 0x80) != 0) {
                if (i + 1 >= len) {
                    return false;
                }
                pic = ((first & 0x7F) << 8) | (b[off + i + 1] & 0xFF);
                longPic = true;
                i += 2;
            } else {
                pic = first;
                i++;
            }
        }
        int tid = 0;
        int sid = 0;
        boolean u = false;
        boolean d = false;
        int tl0 = -1;
        if ((f & L) != 0) {
            if (i >= len) {
                return false;
            }
            int layers = b[off + i++] & 0xFF;
            tid = layers >> 5;
            u = (layers & 0x10) != 0;
            sid = (layers >> 1) & 0x07;
            d = (layers & 0x01) != 0;
            if ((f & F) == 0) {
                if (i >= len) {
                    return false;
                }
                tl0 = b[off + i++] & 0xFF;
            }
        }
        int refs = 0;
        if ((f & F) != 0 && (f & P) != 0) {
            boolean more = true;
            while (more) {
                if (i >= len || refs == MAX_P_DIFFS) {
                    return false;
                }
                int pdiff = b[off + i++] & 0xFF;
                if (pdiff >> 1 == 0) {
                    return false; // a picture cannot reference itself
                }
                refs++;
                more = (pdiff & 0x01) != 0;
            }
        }
        if ((f & V) != 0) {
            i = parseScalabilityStructure(b, off, len, i);
            if (i < 0) {
                ssLayers = 0;
                ssSizes = false;
                return false;
            }
        }
        flags = f;
        length = i;
        pictureId = pic;
        longPictureId = longPic;
        temporalId = tid;
        switchingUp = u;
        spatialId = sid;
        interLayerDependent = d;
        tl0PicIdx = tl0;
        referenceCount = refs;
        return true;
    }

    /** Reads the SS starting at {@code off + i}; the index after it, or -1 when it does not fit. */
    private int parseScalabilityStructure(byte[] b, int off, int len, int i) {
        if (i >= len) {
            return -1;
        }
        int ss = b[off + i++] & 0xFF;
        int layers = (ss >> 5) + 1;
        boolean y = (ss & 0x10) != 0;
        boolean g = (ss & 0x08) != 0;
        if (y) {
            if (i + 4 * layers > len) {
                return -1;
            }
            for (int s = 0; s < layers; s++, i += 4) {
                widths[s] = ((b[off + i] & 0xFF) << 8) | (b[off + i + 1] & 0xFF);
                heights[s] = ((b[off + i + 2] & 0xFF) << 8) | (b[off + i + 3] & 0xFF);
            }
        }
        if (g) {
            if (i >= len) {
                return -1;
            }
            int pictures = b[off + i++] & 0xFF;
            for (int p = 0; p < pictures; p++) {
                if (i >= len) {
                    return -1;
                }
                int refs = (b[off + i++] >> 2) & 0x03;
                i += refs;
                if (i > len) {
                    return -1;
                }
            }
        }
        ssLayers = layers;
        ssSizes = y;
        return i;
    }

    private void clear() {
        flags = 0;
        length = -1;
        pictureId = -1;
        longPictureId = false;
        temporalId = 0;
        switchingUp = false;
        spatialId = 0;
        interLayerDependent = false;
        tl0PicIdx = -1;
        referenceCount = 0;
        ssLayers = 0;
        ssSizes = false;
    }

    /** Whether the last {@link #parse} succeeded. */
    public boolean valid() {
        return length >= 0;
    }

    /** Bytes of descriptor before the VP9 frame data; -1 when malformed. */
    public int length() {
        return length;
    }

    /** The picture id (7 or 15 bits), -1 when absent. All spatial layers of a picture share it. */
    public int pictureId() {
        return pictureId;
    }

    /** Whether the id is 15 bits wide: the width a rewritten id wraps at. */
    public boolean longPictureId() {
        return longPictureId;
    }

    /** P: the frame is predicted from an earlier picture (inter-picture). Clear on a keyframe's frames. */
    public boolean interPicturePredicted() {
        return (flags & P) != 0;
    }

    /** F: flexible mode (references listed as P_DIFFs, no TL0PICIDX). */
    public boolean flexibleMode() {
        return (flags & F) != 0;
    }

    /** B: the packet starts a frame (of its spatial layer). */
    public boolean beginsFrame() {
        return (flags & B) != 0;
    }

    /** E: the packet ends a frame (of its spatial layer). */
    public boolean endsFrame() {
        return (flags & E) != 0;
    }

    /** V: the scalability structure is present. */
    public boolean hasScalabilityStructure() {
        return (flags & V) != 0;
    }

    /** Z: no higher spatial layer of this picture references this frame. */
    public boolean notUpperReference() {
        return (flags & Z) != 0;
    }

    /** TID, 0 without layer indices. */
    public int temporalId() {
        return temporalId;
    }

    /** U: a switching-up point: a forwarder may start forwarding this temporal layer at this frame. */
    public boolean switchingUp() {
        return switchingUp;
    }

    /** SID, 0 without layer indices. */
    public int spatialId() {
        return spatialId;
    }

    /** D: the frame depends on the spatial layer below in the same picture. */
    public boolean interLayerDependent() {
        return interLayerDependent;
    }

    /** TL0PICIDX (non-flexible mode), -1 when absent. */
    public int tl0PicIdx() {
        return tl0PicIdx;
    }

    /** P_DIFFs listed (flexible mode). */
    public int referenceCount() {
        return referenceCount;
    }

    /** Whether the packet starts a keyframe: the first packet of a base-layer frame that is not inter-picture predicted. */
    public boolean keyframeStart() {
        return valid() && beginsFrame() && !interPicturePredicted() && spatialId == 0;
    }

    /** Spatial layers the SS announces, 0 without an SS. */
    public int ssSpatialLayers() {
        return ssLayers;
    }

    /** Whether the SS carried resolutions. */
    public boolean ssHasSizes() {
        return ssSizes;
    }

    /** Width of spatial layer {@code s} from the SS, 0 when not given. */
    public int ssWidth(int s) {
        return ssSizes && s >= 0 && s < ssLayers ? widths[s] : 0;
    }

    /** Height of spatial layer {@code s} from the SS, 0 when not given. */
    public int ssHeight(int s) {
        return ssSizes && s >= 0 && s < ssLayers ? heights[s] : 0;
    }

    /**
     * The keyframe test alone, without a full parse ({@link dev.chorus.sfu.codec.Codec#isKeyframeStart}): a
     * frame start (B) that is not inter-picture predicted (P clear) on spatial layer 0.
     */
    public static boolean isKeyframeStart(byte[] b, int off, int len) {
        if (len < 1) {
            return false;
        }
        int f = b[off] & 0xFF;
        if ((f & B) == 0 || (f & P) != 0) {
            return false;
        }
        if ((f & L) == 0) {
            return true;
        }
        int i = 1;
        if ((f & I) != 0) {
            if (i >= len) {
                return false;
            }
            i += (b[off + i] & 0x80) != 0 ? 2 : 1;
        }
        return i < len && ((b[off + i] >> 1) & 0x07) == 0;
    }

    /** The picture id of the descriptor at {@code b[off, off + len)}, -1 when it has none or it does not fit. */
    public static int pictureIdOf(byte[] b, int off, int len) {
        if (len < 2 || (b[off] & I) == 0) {
            return -1;
        }
        int first = b[off + 1] & 0xFF;
        if ((first & 0x80) == 0) {
            return first;
        }
        return len < 3 ? -1 : ((first & 0x7F) << 8) | (b[off + 2] & 0xFF);
    }

    /**
     * Writes {@code id} over the picture id of the descriptor at {@code b[off, off + len)}, keeping its
     * width (masked to 7 or 15 bits). False, writing nothing, when there is no picture id or it does not fit.
     */
    public static boolean rewritePictureId(byte[] b, int off, int len, int id) {
        if (len < 2 || (b[off] & I) == 0) {
            return false;
        }
        if ((b[off + 1] & 0x80) != 0) {
            if (len < 3) {
                return false;
            }
            b[off + 1] = (byte) (0x80 | ((id >> 8) & 0x7F));
            b[off + 2] = (byte) id;
        } else {
            b[off + 1] = (byte) (id & 0x7F);
        }
        return true;
    }

    @Override
    public String toString() {
        return "vp9[pic=" + pictureId + " sid=" + spatialId + " tid=" + temporalId + (beginsFrame() ? " B" : "")
                + (endsFrame() ? " E" : "") + (interPicturePredicted() ? " P" : "") + (switchingUp ? " U" : "")
                + (interLayerDependent ? " D" : "") + " tl0=" + tl0PicIdx + " ss=" + ssLayers + "]";
    }
}
