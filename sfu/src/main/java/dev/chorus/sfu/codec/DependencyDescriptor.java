package dev.chorus.sfu.codec;

/**
 * The Dependency Descriptor RTP header extension (AV1 RTP specification, appendix A) of one AV1 stream's
 * packets: parsed once where a packet arrives, read by every consumer that forwards it. It says where the
 * packet's frame starts and ends, its frame number, and through the template it names, the frame's
 * spatial and temporal layer and its decode target indications (DTIs). The template structure comes in
 * the first packet of each key frame and is kept here, per stream, for the descriptors that follow.
 *
 * <pre>
 *   |S|E| template id (6) |   frame number (16)   |       mandatory, 3 bytes
 *   |T|A|D|F|C| structure (T) | active targets (A) |  extended, when the element is longer
 *   | custom DTIs (D) | custom fdiffs (F) | custom chains (C) | zero padding
 * </pre>
 *
 * One instance per stream, reused for every packet: {@link #parse} allocates nothing and never throws,
 * whatever the bytes are; it reads only {@code [off, off + len)}. A descriptor that runs past its element,
 * or whose structure breaks the format's limits, is {@link Outcome#MALFORMED}; one that names a template
 * before any structure arrived (a stream joined after its key frame) or that the structure lacks is
 * {@link Outcome#UNKNOWN_TEMPLATE}. Either way the kept structure is unchanged and the frame fields read
 * as after a failed parse (layer 0, no frame).
 */
public final class DependencyDescriptor {
    /** What {@link #parse} made of an element. */
    public enum Outcome {
        OK,
        MALFORMED,
        UNKNOWN_TEMPLATE
    }

    private static final int MANDATORY_BYTES = 3;

    /** The structure the stream's descriptors refer to; swapped with {@link #spare} when a new one parses. */
    private FrameDependencyStructure structure = new FrameDependencyStructure();

    private FrameDependencyStructure spare = new FrameDependencyStructure();
    private long structures;

    private boolean startOfFrame;
    private boolean endOfFrame;
    private int templateId;
    private int frameNumber = -1;
    private int spatialId;
    private int temporalId;
    private boolean structureAttached;
    /** The active decode targets this packet announced, -1 when it announced none. */
    private long activeDecodeTargets = -1;

    private final byte[] frameDti = new byte[FrameDependencyStructure.MAX_DECODE_TARGETS];
    private int fdiffCount;

    // Bit reader over the element being parsed.
    private byte[] buf;
    private int bitPos;
    private int bitEnd;
    private boolean overrun;

    /** Parses the element at {@code b[off, off + len)} against the structure kept so far. */
    public Outcome parse(byte[] b, int off, int len) {
        clearFrame();
        if (len < MANDATORY_BYTES) {
            return Outcome.MALFORMED;
        }
        // The mandatory fields, byte-aligned, are read directly: most packets carry nothing else.
        boolean start = (b[off] & 0x80) != 0;
        boolean end = (b[off] & 0x40) != 0;
        int template = b[off] & 0x3F;
        int number = ((b[off + 1] & 0xFF) << 8) | (b[off + 2] & 0xFF);
        buf = b;
        bitPos = (off + MANDATORY_BYTES) * 8;
        bitEnd = (off + len) * 8;
        overrun = false;
        boolean structurePresent = false;
        boolean activePresent = false;
        boolean customDtis = false;
        boolean customFdiffs = false;
        boolean customChains = false;
        if (len > MANDATORY_BYTES) {
            structurePresent = bits(1) == 1;
            activePresent = bits(1) == 1;
            customDtis = bits(1) == 1;
            customFdiffs = bits(1) == 1;
            customChains = bits(1) == 1;
        }
        FrameDependencyStructure s = structure;
        long active = -1;
        if (structurePresent) {
            if (!readStructure(spare)) {
                return Outcome.MALFORMED;
            }
            s = spare;
            active = (1L << s.decodeTargets) - 1;
        }
        if (activePresent) {
            if (s.templates == 0) {
                return Outcome.UNKNOWN_TEMPLATE;
            }
            active = bits(s.decodeTargets) & 0xFFFF_FFFFL;
        }
        if (s.templates == 0) {
            return Outcome.UNKNOWN_TEMPLATE;
        }
        int index = s.templateIndex(template);
        if (index < 0) {
            return structurePresent ? Outcome.MALFORMED : Outcome.UNKNOWN_TEMPLATE;
        }
        int dts = s.decodeTargets;
        if (customDtis) {
            for (int d = 0; d < dts; d++) {
                frameDti[d] = (byte) bits(2);
            }
        } else {
            System.arraycopy(s.templateDti, index * FrameDependencyStructure.MAX_DECODE_TARGETS, frameDti, 0, dts);
        }
        int fdiffs = s.templateFdiffCount[index];
        if (customFdiffs) {
            fdiffs = 0;
            for (int size = bits(2); size != 0 && !overrun; size = bits(2)) {
                bits(4 * size);
                fdiffs++;
            }
        }
        if (customChains) {
            bits(8 * s.chains);
        }
        if (overrun) {
            clearFrame();
            return Outcome.MALFORMED;
        }
        if (structurePresent) {
            spare = structure;
            structure = s;
            structures++;
        }
        startOfFrame = start;
        endOfFrame = end;
        templateId = template;
        frameNumber = number;
        spatialId = s.templateSpatialId[index];
        temporalId = s.templateTemporalId[index];
        structureAttached = structurePresent;
        activeDecodeTargets = active;
        fdiffCount = fdiffs;
        return Outcome.OK;
    }

    private boolean readStructure(FrameDependencyStructure s) {
        s.clear();
        s.templateIdOffset = bits(6);
        s.decodeTargets = bits(5) + 1;
        int dts = s.decodeTargets;
        // Template layers: each template's sid/tid follows from the previous one by next_layer_idc.
        int sid = 0;
        int tid = 0;
        int idc;
        do {
            if (s.templates == FrameDependencyStructure.MAX_TEMPLATES) {
                return false;
            }
            s.templateSpatialId[s.templates] = sid;
            s.templateTemporalId[s.templates] = tid;
            s.templates++;
            idc = bits(2);
            if (idc == 1) {
                tid++;
                s.maxTemporalId = Math.max(s.maxTemporalId, tid);
            } else if (idc == 2) {
                tid = 0;
                sid++;
            }
        } while (idc != 3 && !overrun);
        s.maxSpatialId = sid;
        if (sid >= FrameDependencyStructure.MAX_SPATIAL_LAYERS) {
            return false;
        }
        for (int t = 0; t < s.templates; t++) {
            for (int d = 0; d < dts; d++) {
                s.templateDti[t * FrameDependencyStructure.MAX_DECODE_TARGETS + d] = (byte) bits(2);
            }
        }
        for (int t = 0; t < s.templates && !overrun; t++) {
            int n = 0;
            while (bits(1) == 1 && !overrun) {
                if (n == FrameDependencyStructure.MAX_FDIFFS) {
                    return false;
                }
                s.templateFdiff[t * FrameDependencyStructure.MAX_FDIFFS + n] = bits(4) + 1;
                n++;
            }
            s.templateFdiffCount[t] = n;
        }
        s.chains = nonSymmetric(dts + 1);
        if (s.chains > 0) {
            for (int d = 0; d < dts; d++) {
                s.protectedBy[d] = nonSymmetric(s.chains);
            }
            for (int t = 0; t < s.templates; t++) {
                for (int c = 0; c < s.chains; c++) {
                    s.templateChainFdiff[t * FrameDependencyStructure.MAX_DECODE_TARGETS + c] = bits(4);
                }
            }
        }
        for (int d = 0; d < dts; d++) {
            int ds = 0;
            int dtid = 0;
            for (int t = 0; t < s.templates; t++) {
                if (s.templateDti[t * FrameDependencyStructure.MAX_DECODE_TARGETS + d] != 0) {
                    ds = Math.max(ds, s.templateSpatialId[t]);
                    dtid = Math.max(dtid, s.templateTemporalId[t]);
                }
            }
            s.targetSpatialId[d] = ds;
            s.targetTemporalId[d] = dtid;
        }
        s.resolutions = bits(1) == 1;
        if (s.resolutions) {
            for (int l = 0; l <= s.maxSpatialId; l++) {
                s.widths[l] = bits(16) + 1;
                s.heights[l] = bits(16) + 1;
            }
        }
        return !overrun;
    }

    /** ns(n): a value below {@code n} in the fewest bits (AV1 specification, 4.10.10). */
    private int nonSymmetric(int n) {
        int w = 32 - Integer.numberOfLeadingZeros(n);
        int m = (1 << w) - n;
        int v = bits(w - 1);
        if (v < m) {
            return v;
        }
        return (v << 1) - m + bits(1);
    }

    /** The next {@code n} (at most 32) bits, most significant first; 0 and {@link #overrun} past the end. */
    private int bits(int n) {
        if (bitPos + n > bitEnd) {
            overrun = true;
            bitPos = bitEnd;
            return 0;
        }
        int v = 0;
        for (int i = 0; i < n; i++, bitPos++) {
            v = (v << 1) | ((buf[bitPos >>> 3] >>> (7 - (bitPos & 7))) & 1);
        }
        return v;
    }

    private void clearFrame() {
        startOfFrame = false;
        endOfFrame = false;
        templateId = 0;
        frameNumber = -1;
        spatialId = 0;
        temporalId = 0;
        structureAttached = false;
        activeDecodeTargets = -1;
        fdiffCount = 0;
    }

    /** The template id of the descriptor at {@code b[off, off + len)}, -1 when it is too short to have one. */
    public static int templateIdOf(byte[] b, int off, int len) {
        return len < MANDATORY_BYTES ? -1 : b[off] & 0x3F;
    }

    /** Whether the descriptor at {@code b[off, off + len)} ends its frame (false when it is too short). */
    public static boolean endOfFrameOf(byte[] b, int off, int len) {
        return len >= MANDATORY_BYTES && (b[off] & 0x40) != 0;
    }

    /** The structure kept for the stream (its {@code templateCount()} is 0 before the first). */
    public FrameDependencyStructure structure() {
        return structure;
    }

    /** Structures taken so far. */
    public long structures() {
        return structures;
    }

    public boolean startOfFrame() {
        return startOfFrame;
    }

    public boolean endOfFrame() {
        return endOfFrame;
    }

    public int templateId() {
        return templateId;
    }

    /** The 16-bit frame number, -1 after a failed parse. */
    public int frameNumber() {
        return frameNumber;
    }

    public int spatialId() {
        return spatialId;
    }

    public int temporalId() {
        return temporalId;
    }

    /** Whether this packet carried the template structure (the first packet of a key frame). */
    public boolean structureAttached() {
        return structureAttached;
    }

    /** Frame diffs of the frame: 0 for a frame that references none (a key frame's base layer). */
    public int frameDiffCount() {
        return fdiffCount;
    }

    /** The frame's decode target indication for decode target {@code dt}. */
    public int dti(int dt) {
        return frameDti[dt];
    }

    /** The active decode targets bitmask this packet carried, -1 when it carried none. */
    public long activeDecodeTargets() {
        return activeDecodeTargets;
    }

    /**
     * Whether a receiver can start its own decode target (this frame's spatial and temporal layer) at this
     * frame: the frame's DTI for it is "switch".
     */
    public boolean switchingUp() {
        int dt = structure.decodeTargetOf(spatialId, temporalId);
        return dt >= 0 && frameDti[dt] == FrameDependencyStructure.DTI_SWITCH;
    }

    /**
     * Whether this packet starts a key frame: the first packet of a frame that carries the structure and
     * references no other frame.
     */
    public boolean keyframeStart() {
        return structureAttached && startOfFrame && fdiffCount == 0 && spatialId == 0;
    }

    @Override
    public String toString() {
        return "DependencyDescriptor{start=" + startOfFrame + ", end=" + endOfFrame + ", template=" + templateId
                + ", frame=" + frameNumber + ", sid=" + spatialId + ", tid=" + temporalId + ", structure="
                + structureAttached + ", active=" + activeDecodeTargets + ", " + structure + "}";
    }
}
