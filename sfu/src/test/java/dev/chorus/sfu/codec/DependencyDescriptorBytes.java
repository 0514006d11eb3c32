package dev.chorus.sfu.codec;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/** Builds Dependency Descriptor elements bit by bit, as a publisher writes them, for tests. */
public final class DependencyDescriptorBytes {
    /** One template: its layer, DTIs per decode target, frame diffs and chain diffs. */
    public record Template(int sid, int tid, int[] dtis, int[] fdiffs, int[] chainFdiffs) {}

    /** A structure; templates sorted by sid, then tid, as the format requires. */
    public record Structure(
            int templateIdOffset,
            int decodeTargets,
            List<Template> templates,
            int[] protectedBy,
            int[] widths,
            int[] heights) {
        int chains() {
            return protectedBy.length == 0 ? 0 : templates.get(0).chainFdiffs.length;
        }
    }

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private int current;
    private int used;

    private DependencyDescriptorBytes() {}

    /**
     * An L{@code spatial}T{@code temporal}_KEY-like structure: per spatial layer a key template (tid 0, no frame
     * diff on layer 0, one to the layer below otherwise), a tid-0 delta template and one per upper tid; decode
     * target s * temporal + t; layer s of width w >> (spatial - 1 - s). Template index = sid * (temporal + 1) +
     * (0 key, 1 tid-0 delta, 1 + t for tid t).
     */
    public static Structure keyStructure(int spatial, int temporal, int offset, int width, int height) {
        int dts = spatial * temporal;
        List<Template> templates = new ArrayList<>();
        for (int s = 0; s < spatial; s++) {
            for (int kind = 0; kind <= temporal; kind++) {
                int tid = kind <= 1 ? 0 : kind - 1;
                int[] dtis = new int[dts];
                for (int ds = 0; ds < spatial; ds++) {
                    for (int dt = 0; dt < temporal; dt++) {
                        int v;
                        if (kind == 0) {
                            v = ds >= s ? FrameDependencyStructure.DTI_SWITCH : 0;
                        } else if (ds != s || dt < tid) {
                            v = 0;
                        } else if (tid == 0) {
                            v = FrameDependencyStructure.DTI_SWITCH;
                        } else {
                            v = dt == tid ? FrameDependencyStructure.DTI_SWITCH : FrameDependencyStructure.DTI_REQUIRED;
                        }
                        dtis[ds * temporal + dt] = v;
                    }
                }
                int[] fdiffs = kind == 0 ? (s == 0 ? new int[0] : new int[] {1}) : new int[] {tid == 0 ? 4 : 1};
                int[] chains = new int[spatial];
                templates.add(new Template(s, tid, dtis, fdiffs, chains));
            }
        }
        int[] protectedBy = new int[dts];
        for (int d = 0; d < dts; d++) {
            protectedBy[d] = d / temporal;
        }
        int[] w = new int[spatial];
        int[] h = new int[spatial];
        for (int s = 0; s < spatial; s++) {
            w[s] = width >> (spatial - 1 - s);
            h[s] = height >> (spatial - 1 - s);
        }
        return new Structure(offset, dts, templates, protectedBy, w, h);
    }

    /** The 3-byte descriptor of a frame of template index {@code index}. */
    public static byte[] frame(Structure st, boolean start, boolean end, int index, int frameNumber) {
        DependencyDescriptorBytes b = new DependencyDescriptorBytes();
        b.mandatory(start, end, (st.templateIdOffset + index) % 64, frameNumber);
        return b.finish();
    }

    /** A descriptor carrying {@code st} (as the first packet of a key frame does). */
    public static byte[] withStructure(Structure st, boolean start, boolean end, int index, int frameNumber) {
        DependencyDescriptorBytes b = new DependencyDescriptorBytes();
        b.mandatory(start, end, (st.templateIdOffset + index) % 64, frameNumber);
        b.put(1, 1); // structure
        b.put(0, 1); // active decode targets
        b.put(0, 3); // custom DTIs, fdiffs, chains
        b.structure(st);
        return b.finish();
    }

    /** A descriptor with an active decode targets bitmask and custom frame diffs. */
    public static byte[] withActiveTargets(Structure st, int index, int frameNumber, long mask, int... fdiffs) {
        DependencyDescriptorBytes b = new DependencyDescriptorBytes();
        b.mandatory(true, true, (st.templateIdOffset + index) % 64, frameNumber);
        b.put(0, 1);
        b.put(1, 1);
        b.put(0, 1);
        b.put(fdiffs.length > 0 ? 1 : 0, 1);
        b.put(0, 1);
        b.put((int) mask, st.decodeTargets);
        if (fdiffs.length > 0) {
            for (int f : fdiffs) {
                int v = f - 1;
                int size = v < 16 ? 1 : v < 256 ? 2 : 3;
                b.put(size, 2);
                b.put(v, 4 * size);
            }
            b.put(0, 2);
        }
        return b.finish();
    }

    private void mandatory(boolean start, boolean end, int templateId, int frameNumber) {
        put(start ? 1 : 0, 1);
        put(end ? 1 : 0, 1);
        put(templateId, 6);
        put(frameNumber & 0xFFFF, 16);
    }

    private void structure(Structure st) {
        put(st.templateIdOffset, 6);
        put(st.decodeTargets - 1, 5);
        List<Template> ts = st.templates;
        for (int i = 0; i < ts.size(); i++) {
            if (i == ts.size() - 1) {
                put(3, 2);
            } else if (ts.get(i + 1).sid != ts.get(i).sid) {
                put(2, 2);
            } else if (ts.get(i + 1).tid == ts.get(i).tid + 1) {
                put(1, 2);
            } else {
                put(0, 2);
            }
        }
        for (Template t : ts) {
            for (int v : t.dtis) {
                put(v, 2);
            }
        }
        for (Template t : ts) {
            for (int f : t.fdiffs) {
                put(1, 1);
                put(f - 1, 4);
            }
            put(0, 1);
        }
        int chains = st.chains();
        nonSymmetric(chains, st.decodeTargets + 1);
        if (chains > 0) {
            for (int p : st.protectedBy) {
                nonSymmetric(p, chains);
            }
            for (Template t : ts) {
                for (int c : t.chainFdiffs) {
                    put(c, 4);
                }
            }
        }
        put(st.widths.length > 0 ? 1 : 0, 1);
        for (int s = 0; s < st.widths.length; s++) {
            put(st.widths[s] - 1, 16);
            put(st.heights[s] - 1, 16);
        }
    }

    private void nonSymmetric(int value, int n) {
        int w = 32 - Integer.numberOfLeadingZeros(n);
        int m = (1 << w) - n;
        if (value < m) {
            put(value, w - 1);
        } else {
            int t = value + m;
            put(t >> 1, w - 1);
            put(t & 1, 1);
        }
    }

    private void put(int value, int n) {
        for (int i = n - 1; i >= 0; i--) {
            current = (current << 1) | ((value >>> i) & 1);
            if (++used == 8) {
                out.write(current);
                current = 0;
                used = 0;
            }
        }
    }

    private byte[] finish() {
        if (used > 0) {
            out.write(current << (8 - used));
        }
        return out.toByteArray();
    }
}
