package dev.chorus.sfu.sdp;

import dev.chorus.sfu.rtp.RtpExtension;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Whether the SFU takes the simulcast layers (RFC 8853) a browser offers to send on one line, and
 * which. Accepted layers are answered with {@code a=rid:<id> recv} and {@code a=simulcast:recv}
 * mirroring the offer's send list; a declined offer is answered without them, and the browser
 * then sends one stream. Nothing is accepted half: a line gets all its layers or none.
 *
 * @param layers   the layers the SFU receives, in the offer's order (lowest resolution first by our
 *                 convention); for a stream offered with alternatives, its first one
 * @param declined why an offered {@code a=simulcast:send} was not accepted
 */
record SimulcastAnswer(List<Simulcast.Layer> layers, Optional<String> declined) {
    static final SimulcastAnswer NONE = new SimulcastAnswer(List.of(), Optional.empty());

    /**
     * RFC 8852 carries the rid in a header extension element; in the one-byte form we negotiate (we
     * do not echo extmap-allow-mixed) it holds at most 16 bytes, and RFC 8851 allows only these.
     */
    private static final Pattern RID = Pattern.compile("[A-Za-z0-9_-]{1,16}");

    /**
     * The codecs whose layers the media plane can switch between: it finds their keyframes, and renumbers
     * what they number (VP8 picture ids; H264 numbers nothing beyond RTP).
     */
    private static final Set<String> SIMULCAST_CODECS = Set.of("VP8", "H264");

    SimulcastAnswer {
        layers = List.copyOf(layers);
    }

    /**
     * @param codecs     the codecs selected for the line
     * @param extensions the header extensions accepted on it
     * @param maxLayers  the most layers the media plane takes per track; below 2 declines every offer
     */
    static SimulcastAnswer decide(
            MediaSection offered, CodecSelection codecs, List<HeaderExtension> extensions, int maxLayers) {
        Optional<Simulcast> simulcast = offered.simulcast();
        if (!offered.direction().sends()
                || simulcast.isEmpty()
                || simulcast.get().send().isEmpty()) {
            return NONE; // nothing offered to send; a recv list would be about what the browser receives
        }
        List<List<Simulcast.Layer>> streams = simulcast.get().send();
        if (maxLayers < 2) {
            return declined("simulcast is turned off");
        }
        if (streams.size() < 2) {
            return declined("a=simulcast:send lists one stream");
        }
        if (streams.size() > maxLayers) {
            return declined(streams.size() + " layers offered, at most " + maxLayers + " accepted");
        }
        // Moving a subscriber between layers needs codec knowledge (keyframes, picture ids).
        if (SIMULCAST_CODECS.stream().noneMatch(codecs.media()::isNamed)) {
            return declined(
                    "simulcast is forwarded for " + String.join(" and ", new java.util.TreeSet<>(SIMULCAST_CODECS))
                            + " only, not " + codecs.media().name());
        }
        // Rid-named layers announce no SSRC: the SFU learns them from these elements of the packets.
        if (!accepts(extensions, RtpExtension.MID)) {
            return declined("the MID header extension is not negotiated");
        }
        if (!accepts(extensions, RtpExtension.RTP_STREAM_ID)) {
            return declined("the rtp-stream-id header extension is not negotiated");
        }
        List<Simulcast.Layer> layers = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (List<Simulcast.Layer> alternatives : streams) {
            Simulcast.Layer layer = alternatives.get(0);
            String id = layer.rid();
            Optional<Rid> rid = offered.rids().stream()
                    .filter(r -> r.id().equals(id) && r.send())
                    .findFirst();
            if (rid.isEmpty()) {
                return declined("layer " + id + " has no a=rid:" + id + " send");
            }
            if (!RID.matcher(id).matches()) {
                return declined("rid '" + id + "' is not 1-16 of [A-Za-z0-9_-]");
            }
            if (!seen.add(id)) {
                return declined("rid " + id + " is listed twice");
            }
            if (!allowsPayloadType(rid.get(), codecs.payloadType())) {
                return declined("rid " + id + " excludes payload type " + codecs.payloadType());
            }
            layers.add(layer);
        }
        return new SimulcastAnswer(layers, Optional.empty());
    }

    private static SimulcastAnswer declined(String why) {
        return new SimulcastAnswer(List.of(), Optional.of(why));
    }

    private static boolean accepts(List<HeaderExtension> extensions, RtpExtension extension) {
        return extensions.stream().anyMatch(e -> e.uri().equals(extension.uri()));
    }

    /** RFC 8851 {@code pt=} restriction: the layer may only use the payload types listed. */
    private static boolean allowsPayloadType(Rid rid, int payloadType) {
        for (String restriction : rid.restrictions().split(";")) {
            String r = restriction.trim();
            if (r.startsWith("pt=")) {
                for (String pt : r.substring(3).split(",")) {
                    if (pt.trim().equals(Integer.toString(payloadType))) {
                        return true;
                    }
                }
                return false;
            }
        }
        return true;
    }
}
