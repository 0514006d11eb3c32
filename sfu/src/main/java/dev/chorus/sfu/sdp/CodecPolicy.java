package dev.chorus.sfu.sdp;

import dev.chorus.sfu.rtp.RtpExtension;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What the SFU accepts on an m= line (see sfu/CODECS.md). We never transcode, so a codec is
 * only acceptable if every browser can decode it: Opus for audio, VP8 (+ RTX) for video, or VP9 profile 0
 * (+ RTX) when the offer lists it before VP8 (a page that prefers it, {@code ?codec=vp9}). H264/AV1 are
 * parsed but not selected. Opus comes with RED (RFC 2198) when the offer has
 * RED carrying Opus and the policy takes it ({@link #DEFAULT} does, {@link #WITHOUT_RED} not).
 */
public final class CodecPolicy {
    public static final CodecPolicy DEFAULT = new CodecPolicy(true);
    /** Plain Opus only: RED offered or not. */
    public static final CodecPolicy WITHOUT_RED = new CodecPolicy(false);

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

    private CodecPolicy(boolean red) {
        this.red = red;
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

    /**
     * The first offered of VP8 and VP9 profile 0: browsers list VP8 first unless the page asked for
     * another codec (setCodecPreferences), so VP9 is only answered to a page that prefers it.
     */
    private Optional<CodecSelection> selectVideo(MediaSection offered) {
        return offered.codecs().stream()
                .filter(c -> c.clockRate() == 90000 && (c.isNamed("VP8") || isVp9Profile0(c)))
                .findFirst()
                .map(codec -> new CodecSelection(
                        new PayloadFormat(
                                codec.payloadType(),
                                codec.name(),
                                90000,
                                1,
                                codec.isNamed("VP9") ? Map.of("profile-id", "0") : Map.of(),
                                feedback(codec, VIDEO_FEEDBACK)),
                        offered.rtxFor(codec.payloadType())
                                .map(rtx -> new PayloadFormat(
                                        rtx.payloadType(),
                                        rtx.name(),
                                        rtx.clockRate(),
                                        1,
                                        Map.of("apt", Integer.toString(codec.payloadType())),
                                        List.of()))));
    }

    /** VP9 profile 0 (8-bit 4:2:0, what every VP9 decoder takes): profile-id=0 or no profile-id (RFC 9628). */
    private static boolean isVp9Profile0(PayloadFormat c) {
        return c.isNamed("VP9") && "0".equals(c.parameters().getOrDefault("profile-id", "0"));
    }

    /** Offered feedback we also support, in the offer's order. */
    private static List<String> feedback(PayloadFormat offered, Set<String> supported) {
        return offered.feedback().stream()
                .filter(supported::contains)
                .distinct()
                .toList();
    }
}
