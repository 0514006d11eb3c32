package dev.chorus.sfu.sdp;

import dev.chorus.sfu.rtp.RtpExtensionUris;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the SFU accepts on an m= line (see sfu/CODECS.md). We never transcode, so a codec is
 * only acceptable if every browser can decode it: Opus for audio, VP8 (+ RTX) for video.
 * H264/VP9/AV1 are parsed but not selected.
 */
public final class CodecPolicy {
    public static final CodecPolicy DEFAULT = new CodecPolicy();

    private static final Set<String> EXTENSIONS = Set.of(
            RtpExtensionUris.MID, RtpExtensionUris.ABS_SEND_TIME, RtpExtensionUris.TRANSPORT_CC,
            RtpExtensionUris.AUDIO_LEVEL, RtpExtensionUris.RTP_STREAM_ID, RtpExtensionUris.REPAIRED_RTP_STREAM_ID);
    private static final Set<String> AUDIO_FEEDBACK = Set.of("transport-cc");
    private static final Set<String> VIDEO_FEEDBACK = Set.of("nack", "nack pli", "ccm fir", "goog-remb", "transport-cc");
    /** Opus parameters we echo when offered: they describe the sender's channel layout. */
    private static final List<String> OPUS_ECHOED = List.of("stereo", "sprop-stereo");

    private CodecPolicy() {
    }

    /** The answer's codec for this offered section, or empty when nothing acceptable is offered. */
    public Optional<CodecSelection> select(MediaSection offered) {
        return switch (offered.kind()) {
            case AUDIO -> selectOpus(offered);
            case VIDEO -> selectVp8(offered);
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
                .map(opus -> new CodecSelection(answerOpus(opus), Optional.empty()));
    }

    private static Codec answerOpus(Codec offered) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("minptime", "10");
        params.put("useinbandfec", "1");
        for (String key : OPUS_ECHOED) {
            String value = offered.parameters().get(key);
            if (value != null) {
                params.put(key, value);
            }
        }
        return new Codec(offered.payloadType(), offered.name(), 48000, 2, params,
                feedback(offered, AUDIO_FEEDBACK));
    }

    private Optional<CodecSelection> selectVp8(MediaSection offered) {
        return offered.codecs().stream()
                .filter(c -> c.isNamed("VP8") && c.clockRate() == 90000)
                .findFirst()
                .map(vp8 -> new CodecSelection(
                        new Codec(vp8.payloadType(), vp8.name(), 90000, 1, Map.of(), feedback(vp8, VIDEO_FEEDBACK)),
                        offered.rtxFor(vp8.payloadType()).map(rtx -> new Codec(rtx.payloadType(), rtx.name(),
                                rtx.clockRate(), 1, Map.of("apt", Integer.toString(vp8.payloadType())), List.of()))));
    }

    /** Offered feedback we also support, in the offer's order. */
    private static List<String> feedback(Codec offered, Set<String> supported) {
        return offered.feedback().stream().filter(supported::contains).distinct().toList();
    }
}
