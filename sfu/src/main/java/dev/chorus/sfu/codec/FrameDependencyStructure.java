package dev.chorus.sfu.codec;

/**
 * The template dependency structure of an AV1 stream's Dependency Descriptor (AV1 RTP specification,
 * appendix A): the frame templates (each one's spatial and temporal id, its decode target indications,
 * frame diffs and chain diffs), the decode targets (which spatial and temporal layer each one ends at) and
 * the optional render resolution per spatial layer. A publisher sends it in the first packet of each key
 * frame; every later descriptor names a template of it by id. Filled in place by {@link
 * DependencyDescriptor}, with fixed-size arrays: nothing is allocated per packet.
 */
public final class FrameDependencyStructure {
    /** Template ids have six bits. */
    public static final int MAX_TEMPLATES = 64;
    /** DT count has five bits (minus one). */
    public static final int MAX_DECODE_TARGETS = 32;
    /** Frame diffs kept per template; the format allows more, no encoder needs them (L3T3: at most 2). */
    public static final int MAX_FDIFFS = 8;
    /** Spatial layers a structure can carry resolutions for (sids are counted in templates). */
    public static final int MAX_SPATIAL_LAYERS = 8;

    /** Decode target indications (table A.1). */
    public static final int DTI_NOT_PRESENT = 0;

    public static final int DTI_DISCARDABLE = 1;
    public static final int DTI_SWITCH = 2;
    public static final int DTI_REQUIRED = 3;

    int templateIdOffset;
    int decodeTargets;
    int templates;
    int maxSpatialId;
    int maxTemporalId;
    int chains;
    boolean resolutions;

    final int[] templateSpatialId = new int[MAX_TEMPLATES];
    final int[] templateTemporalId = new int[MAX_TEMPLATES];
    /** Template t's DTI for decode target d at [t * MAX_DECODE_TARGETS + d]. */
    final byte[] templateDti = new byte[MAX_TEMPLATES * MAX_DECODE_TARGETS];

    final int[] templateFdiffCount = new int[MAX_TEMPLATES];
    final int[] templateFdiff = new int[MAX_TEMPLATES * MAX_FDIFFS];
    final int[] protectedBy = new int[MAX_DECODE_TARGETS];
    final int[] templateChainFdiff = new int[MAX_TEMPLATES * MAX_DECODE_TARGETS];
    final int[] targetSpatialId = new int[MAX_DECODE_TARGETS];
    final int[] targetTemporalId = new int[MAX_DECODE_TARGETS];
    final int[] widths = new int[MAX_SPATIAL_LAYERS];
    final int[] heights = new int[MAX_SPATIAL_LAYERS];

    /** Templates in the structure; 0 while none has arrived. */
    public int templateCount() {
        return templates;
    }

    public int decodeTargetCount() {
        return decodeTargets;
    }

    /** Spatial layers (the highest template sid plus one). */
    public int spatialLayers() {
        return templates == 0 ? 0 : maxSpatialId + 1;
    }

    /** Temporal layers (the highest template tid plus one). */
    public int temporalLayers() {
        return templates == 0 ? 0 : maxTemporalId + 1;
    }

    public int chainCount() {
        return chains;
    }

    /** Whether the structure carries each spatial layer's render resolution. */
    public boolean hasResolutions() {
        return resolutions;
    }

    /** Render width of spatial layer {@code sid}, 0 when not carried. */
    public int width(int sid) {
        return resolutions && sid >= 0 && sid <= maxSpatialId && sid < MAX_SPATIAL_LAYERS ? widths[sid] : 0;
    }

    /** Render height of spatial layer {@code sid}, 0 when not carried. */
    public int height(int sid) {
        return resolutions && sid >= 0 && sid <= maxSpatialId && sid < MAX_SPATIAL_LAYERS ? heights[sid] : 0;
    }

    /** The spatial layer decode target {@code dt} ends at. */
    public int decodeTargetSpatialId(int dt) {
        return targetSpatialId[dt];
    }

    /** The temporal layer decode target {@code dt} ends at. */
    public int decodeTargetTemporalId(int dt) {
        return targetTemporalId[dt];
    }

    /** The decode target ending at ({@code sid}, {@code tid}), -1 when none does. */
    public int decodeTargetOf(int sid, int tid) {
        for (int d = 0; d < decodeTargets; d++) {
            if (targetSpatialId[d] == sid && targetTemporalId[d] == tid) {
                return d;
            }
        }
        return -1;
    }

    /** The spatial layer of the frames of template {@code templateId}, -1 when the structure lacks it. */
    public int spatialIdOfTemplate(int templateId) {
        int index = templateIndex(templateId & (MAX_TEMPLATES - 1));
        return index < 0 ? -1 : templateSpatialId[index];
    }

    /** The template index of template id {@code templateId}, -1 when the structure has no such template. */
    int templateIndex(int templateId) {
        int index = (templateId + MAX_TEMPLATES - templateIdOffset) % MAX_TEMPLATES;
        return index < templates ? index : -1;
    }

    void clear() {
        templateIdOffset = 0;
        decodeTargets = 0;
        templates = 0;
        maxSpatialId = 0;
        maxTemporalId = 0;
        chains = 0;
        resolutions = false;
    }

    @Override
    public String toString() {
        return "FrameDependencyStructure{templates=" + templates + ", decodeTargets=" + decodeTargets
                + ", spatialLayers=" + spatialLayers() + ", temporalLayers=" + temporalLayers()
                + ", chains=" + chains + ", resolutions=" + resolutions + "}";
    }
}
