package dev.chorus.sfu.sdp;

import dev.chorus.sfu.codec.MediaKind;
import dev.chorus.sfu.rtp.RtpExtension;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The outcome for one m= line, in offer order: everything the media plane needs to forward on it.
 *
 * @param direction         the answer's direction, i.e. from the SFU's side: {@code recvonly} = the
 *                          browser publishes here, {@code sendonly} = the SFU sends {@code subscription}
 * @param codecs            the selected codec, RTX and RED under the browser's payload type numbers
 * @param extensions        accepted header extensions with the browser's ids
 * @param publication       what the browser sends, when the SFU receives on this line
 * @param subscription      the remote track the SFU sends, when it sends on this line
 * @param simulcastLayers   the simulcast layers the SFU receives here, as answered in
 *                          {@code a=simulcast:recv}: lowest resolution first (the order of the offer's
 *                          send list); empty when the browser sends one stream
 * @param simulcastDeclined why the offer's {@code a=simulcast:send} was not accepted, when it was not
 */
public record NegotiatedSection(
        int index,
        Optional<String> mid,
        MediaKind kind,
        boolean rejected,
        Optional<String> rejectReason,
        Direction direction,
        Optional<CodecSelection> codecs,
        List<HeaderExtension> extensions,
        boolean rtcpRsize,
        Optional<Publication> publication,
        Optional<RemoteTrack> subscription,
        List<Simulcast.Layer> simulcastLayers,
        Optional<String> simulcastDeclined) {

    public NegotiatedSection {
        extensions = List.copyOf(extensions);
        simulcastLayers = List.copyOf(simulcastLayers);
    }

    static NegotiatedSection rejected(MediaSection offered, String reason) {
        return new NegotiatedSection(
                offered.index(),
                offered.mid(),
                offered.kind(),
                true,
                Optional.of(reason),
                Direction.INACTIVE,
                Optional.empty(),
                List.of(),
                false,
                Optional.empty(),
                Optional.empty(),
                List.of(),
                Optional.empty());
    }

    /** An accepted data-channel line: no codecs, no tracks; SCTP runs over the BUNDLE transport's DTLS. */
    static NegotiatedSection dataChannel(MediaSection offered) {
        return new NegotiatedSection(
                offered.index(),
                offered.mid(),
                MediaKind.APPLICATION,
                false,
                Optional.empty(),
                Direction.SENDRECV,
                Optional.empty(),
                List.of(),
                false,
                Optional.empty(),
                Optional.empty(),
                List.of(),
                Optional.empty());
    }

    public boolean isDataChannel() {
        return kind == MediaKind.APPLICATION && !rejected;
    }

    /**
     * The rids of the simulcast layers the SFU receives, lowest resolution first; empty when the
     * line is not simulcast. Their SSRCs are learnt from the MID and rid header extensions of the
     * packets, never from the offer (see {@link Publication}).
     */
    public List<String> simulcastRids() {
        return simulcastLayers.stream().map(Simulcast.Layer::rid).toList();
    }

    public boolean isSimulcast() {
        return !simulcastLayers.isEmpty();
    }

    public OptionalInt payloadType() {
        return codecs.map(c -> OptionalInt.of(c.payloadType())).orElse(OptionalInt.empty());
    }

    public OptionalInt rtxPayloadType() {
        return codecs.map(CodecSelection::rtxPayloadType).orElse(OptionalInt.empty());
    }

    /** RED's payload type (audio, RFC 2198) when it was negotiated on this line. */
    public OptionalInt redPayloadType() {
        return codecs.map(CodecSelection::redPayloadType).orElse(OptionalInt.empty());
    }

    /** Accepted header-extension ids by URI (see {@link RtpExtension#uri()}). */
    public Map<String, Integer> extensionIds() {
        Map<String, Integer> ids = new LinkedHashMap<>();
        extensions.forEach(e -> ids.put(e.uri(), e.id()));
        return ids;
    }

    public OptionalInt extensionId(String uri) {
        return extensions.stream()
                .filter(e -> e.uri().equals(uri))
                .mapToInt(HeaderExtension::id)
                .findFirst();
    }
}
