package dev.chorus.sfu.sdp;

import dev.chorus.sfu.codec.MediaKind;
import dev.chorus.sfu.rtp.RtpExtension;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What the SFU accepts on an m= line (see sfu/CODECS.md). We never transcode: audio is Opus, and
 * video is one of {@link #VIDEO_CODECS} (+ its RTX), the first of the policy's video list that the
 * line offers. A room narrows that list to its one codec ({@link #withVideo}) so that every
 * subscriber can decode every publisher. Opus comes with RED (RFC 2198) when the offer has RED
 * carrying Opus and the policy takes it ({@link #DEFAULT} does, {@link #WITHOUT_RED} not).
 */
public final class CodecPolicy {
    /**
     * The video codecs the SFU forwards, by their rtpmap name, each with the one format of a line it
     * answers. A codec is added here and in {@code codec.Codec} (keyframes, clock rate).
     */
    private static final Map<String, Function<MediaSection, Optional<PayloadFormat>>> VIDEO_FORMATS = Map.of(
            "VP8", CodecPolicy::vp8Format,
            "H264", CodecPolicy::h264Format,
            "VP9", CodecPolicy::vp9Format,
            "AV1", CodecPolicy::av1Format);
    /**
     * Every video codec the SFU forwards, in its default order of preference. AV1 is last: its encoder
     * costs a browser the most CPU, so a room takes it only when everyone asks for it alone.
     */
    public static final List<String> VIDEO_CODECS = List.of("VP8", "H264", "VP9", "AV1");

    public static final CodecPolicy DEFAULT = new CodecPolicy(true, VIDEO_CODECS);
    /** Plain Opus only: RED offered or not. */
    public static final CodecPolicy WITHOUT_RED = new CodecPolicy(false, VIDEO_CODECS);

    /** Every extension the SFU knows is accepted when offered. */
    private static final Set<String> EXTENSIONS =
            Arrays.stream(RtpExtension.values()).map(RtpExtension::uri).collect(Collectors.toUnmodifiableSet());

    private static final Set<String> AUDIO_FEEDBACK = Set.of("transport-cc");
    private static final Set<String> VIDEO_FEEDBACK =
            Set.of("nack", "nack pli", "ccm fir", "goog-remb", "transport-cc");
    /**
     * Opus parameters we echo when offered: sprop-stereo describes the sender's channel layout; usedtx=1
     * asks for DTX, which the SFU forwards as it comes (a browser that offers it is answered with it and
     * then sends almost nothing while silent).
     */
    private static final List<String> OPUS_ECHOED = List.of("sprop-stereo", "usedtx");

    private final boolean red;
    private final List<String> video;

    private CodecPolicy(boolean red, List<String> video) {
        this.red = red;
        this.video = List.copyOf(video);
    }

    /**
     * This policy answering only the video codecs {@code names} (rtpmap names, any case), first
     * offered first; an empty list answers no video line.
     *
     * @throws IllegalArgumentException for a codec the SFU does not forward
     */
    public CodecPolicy withVideo(List<String> names) {
        return new CodecPolicy(red, names.stream().map(CodecPolicy::videoCodec).toList());
    }

    /** The video codecs this policy answers, first preferred first. */
    public List<String> videoCodecs() {
        return video;
    }

    /**
     * The canonical name ({@link #VIDEO_CODECS}) of the video codec {@code name} (any case).
     *
     * @throws IllegalArgumentException when the SFU does not forward it
     */
    public static String videoCodec(String name) {
        return VIDEO_CODECS.stream()
                .filter(c -> c.equalsIgnoreCase(name.trim()))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(
                        "video codec '" + name + "' is not one the SFU forwards " + VIDEO_CODECS));
    }

    /**
     * The video codecs (of {@link #VIDEO_CODECS}, in that order) a browser can take on this line: those
     * it offers in a form the SFU answers. Empty for anything but an offered video line.
     */
    public static List<String> videoCodecsOffered(MediaSection offered) {
        if (offered.kind() != MediaKind.VIDEO || offered.rejected()) {
            return List.of();
        }
        return VIDEO_CODECS.stream()
                .filter(c -> VIDEO_FORMATS.get(c).apply(offered).isPresent())
                .toList();
    }

    /** Whether RED is answered when offered. */
    public boolean acceptsRed() {
        return red;
    }

    public static CodecPolicy of(boolean red) {
        return red ? DEFAULT : WITHOUT_RED;
    }

    /** The answer's codec for this offered section, or empty when nothing acceptable is offered. */
    public Optional<CodecSelection> select(MediaSection offered) {
        return switch (offered.kind()) {
            case AUDIO -> selectOpus(offered);
            case VIDEO -> selectVideo(offered);
            default -> Optional.empty();
        };
    }

    public boolean acceptsExtension(String uri) {
        return EXTENSIONS.contains(uri);
    }

    /**
     * Whether a line answered with {@code codecs} takes extension {@code uri}: every known one, except
     * that the Dependency Descriptor goes with AV1 only (the layers of the other codecs are in their
     * payload, and a browser would send the descriptor on them too, in two-byte headers).
     */
    public boolean acceptsExtension(String uri, CodecSelection codecs) {
        if (RtpExtension.DEPENDENCY_DESCRIPTOR.uri().equals(uri)) {
            return codecs.media().isNamed("AV1");
        }
        return acceptsExtension(uri);
    }

    private Optional<CodecSelection> selectOpus(MediaSection offered) {
        return offered.codecs().stream()
                .filter(c -> c.isNamed("opus") && c.clockRate() == 48000 && c.channels() == 2)
                .findFirst()
                .map(opus -> new CodecSelection(
                        answerOpus(opus), Optional.empty(), red ? redFor(offered, opus) : Optional.empty()));
    }

    /**
     * The offer's RED format whose blocks are all this Opus ({@code a=fmtp:63 111/111}): Chrome offers it
     * after Opus. Answered first, it is what Chrome sends (it sends RED only when RED comes before Opus in
     * the answer; one redundant block, fixed in the browser whatever the fmtp lists).
     */
    private static Optional<PayloadFormat> redFor(MediaSection offered, PayloadFormat opus) {
        String expected = Integer.toString(opus.payloadType());
        return offered.codecs().stream()
                .filter(c -> c.isNamed("red") && c.clockRate() == 48000 && c.channels() == 2)
                .filter(c -> c.parameters().size() == 1
                        && Arrays.stream(c.parameters()
                                        .keySet()
                                        .iterator()
                                        .next()
                                        .split("/", -1))
                                .allMatch(expected::equals))
                .findFirst()
                .map(c -> new PayloadFormat(
                        c.payloadType(), c.name(), 48000, 2, Map.of(expected + "/" + expected, ""), List.of()));
    }

    private static PayloadFormat answerOpus(PayloadFormat offered) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("minptime", "10");
        params.put("useinbandfec", "1");
        // RFC 7587: "stereo" in our answer says what *we* prefer to receive. An offer's stereo=1 is
        // the offerer's own receive preference (Firefox always offers it), not a stereo source:
        // echoing it made Firefox encode its mono microphone as stereo, about 75 kbps. Ask for
        // stereo only from a sender that declares it sends stereo (sprop-stereo=1).
        if ("1".equals(offered.parameters().get("sprop-stereo"))) {
            params.put("stereo", "1");
        }
        for (String key : OPUS_ECHOED) {
            String value = offered.parameters().get(key);
            if (value != null) {
                params.put(key, value);
            }
        }
        return new PayloadFormat(
                offered.payloadType(), offered.name(), 48000, 2, params, feedback(offered, AUDIO_FEEDBACK));
    }

    private Optional<CodecSelection> selectVideo(MediaSection offered) {
        for (String name : video) {
            Optional<PayloadFormat> format = VIDEO_FORMATS.get(name).apply(offered);
            if (format.isPresent()) {
                PayloadFormat media = format.get();
                return Optional.of(new CodecSelection(
                        media,
                        offered.rtxFor(media.payloadType())
                                .map(rtx -> new PayloadFormat(
                                        rtx.payloadType(),
                                        rtx.name(),
                                        rtx.clockRate(),
                                        1,
                                        Map.of("apt", Integer.toString(media.payloadType())),
                                        List.of()))));
            }
        }
        return Optional.empty();
    }

    /** VP8 has no fmtp. */
    private static Optional<PayloadFormat> vp8Format(MediaSection offered) {
        return offered.codecs().stream()
                .filter(c -> c.isNamed("VP8") && c.clockRate() == 90000)
                .findFirst()
                .map(vp8 -> new PayloadFormat(
                        vp8.payloadType(), vp8.name(), 90000, 1, Map.of(), feedback(vp8, VIDEO_FEEDBACK)));
    }

    /**
     * H264 in packetization mode 1 (FU-A and STAP-A: what Chromium, Safari and Firefox send) of the
     * Constrained Baseline profile, which every H264 browser decodes: {@code 42e01f} when offered,
     * else another constrained-baseline level. The offer's fmtp is echoed, so the answer names the
     * same profile-level-id (RFC 6184 8.2.2: an answer to a sendrecv line keeps the offered profile).
     * Baseline without the constraint flag (Chrome's {@code 42001f}), Main and High are never taken:
     * not every receiver decodes them.
     */
    private static Optional<PayloadFormat> h264Format(MediaSection offered) {
        return offered.codecs().stream()
                .filter(c -> c.isNamed("H264") && c.clockRate() == 90000)
                .filter(c -> "1".equals(c.parameters().get("packetization-mode")))
                .filter(c -> isConstrainedBaseline(c.parameters().get("profile-level-id")))
                .min(Comparator.comparing(
                        c -> !"42e01f".equalsIgnoreCase(c.parameters().get("profile-level-id"))))
                .map(h264 -> new PayloadFormat(
                        h264.payloadType(), h264.name(), 90000, 1, h264.parameters(), feedback(h264, VIDEO_FEEDBACK)));
    }

    /**
     * VP9 profile 0 (8-bit 4:2:0, what every VP9 decoder takes): profile-id=0 or no profile-id (RFC 9628).
     * Its scalable modes (L3T3_KEY from {@code ?codec=vp9}) are forwarded layer by layer (forward.SvcLayers).
     */
    private static Optional<PayloadFormat> vp9Format(MediaSection offered) {
        return offered.codecs().stream()
                .filter(c -> c.isNamed("VP9") && c.clockRate() == 90000)
                .filter(c -> "0".equals(c.parameters().getOrDefault("profile-id", "0")))
                .findFirst()
                .map(vp9 -> new PayloadFormat(
                        vp9.payloadType(),
                        vp9.name(),
                        90000,
                        1,
                        Map.of("profile-id", "0"),
                        feedback(vp9, VIDEO_FEEDBACK)));
    }

    /**
     * AV1 profile 0 (Main: 8 and 10-bit 4:2:0, what browsers decode): {@code profile=0} or no profile
     * (AV1 RTP specification, 7.2). The offer's fmtp is echoed (Chromium: {@code level-idx=5;profile=0;tier=0}).
     * Its layers are read from the Dependency Descriptor (codec.DependencyDescriptor).
     */
    private static Optional<PayloadFormat> av1Format(MediaSection offered) {
        return offered.codecs().stream()
                .filter(c -> c.isNamed("AV1") && c.clockRate() == 90000)
                .filter(c -> "0".equals(c.parameters().getOrDefault("profile", "0")))
                .findFirst()
                .map(av1 -> new PayloadFormat(
                        av1.payloadType(), av1.name(), 90000, 1, av1.parameters(), feedback(av1, VIDEO_FEEDBACK)));
    }

    /**
     * RFC 6184 profile-level-id: profile_idc 66 (0x42, Baseline) with constraint_set1_flag (0x40 of the
     * second byte) is Constrained Baseline, which a Baseline, Main or High decoder all decode.
     */
    static boolean isConstrainedBaseline(String profileLevelId) {
        if (profileLevelId == null || !profileLevelId.matches("[0-9A-Fa-f]{6}")) {
            return false;
        }
        int profile = Integer.parseInt(profileLevelId.substring(0, 2), 16);
        int constraints = Integer.parseInt(profileLevelId.substring(2, 4), 16);
        return profile == 0x42 && (constraints & 0x40) != 0;
    }

    /** Offered feedback we also support, in the offer's order. */
    private static List<String> feedback(PayloadFormat offered, Set<String> supported) {
        return offered.feedback().stream()
                .filter(supported::contains)
                .distinct()
                .toList();
    }
}
