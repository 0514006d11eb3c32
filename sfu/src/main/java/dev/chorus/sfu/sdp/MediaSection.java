package dev.chorus.sfu.sdp;

import dev.chorus.sfu.codec.MediaKind;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * One m= section of a session description, with transport attributes already resolved: ICE
 * credentials, fingerprint and setup fall back to the session level when the section has none.
 *
 * @param index        position of the m= line, from 0; the answer must keep it
 * @param formats      the format tokens of the m= line, in order (payload types for RTP)
 * @param rejected     port 0 without {@code a=bundle-only}
 * @param candidates   {@code candidate:...} strings exactly as written, without "a="
 * @param sctpPort     {@code a=sctp-port} of a data-channel line (RFC 8841)
 * @param maxMessageSize {@code a=max-message-size} of a data-channel line: the largest message the peer takes
 */
public record MediaSection(
        int index,
        MediaKind kind,
        String kindToken,
        int port,
        String protocol,
        List<String> formats,
        boolean rejected,
        boolean bundleOnly,
        Optional<String> mid,
        Direction direction,
        Optional<String> iceUfrag,
        Optional<String> icePwd,
        Optional<Fingerprint> fingerprint,
        Optional<SetupRole> setup,
        List<String> candidates,
        boolean endOfCandidates,
        boolean rtcpMux,
        boolean rtcpRsize,
        List<PayloadFormat> codecs,
        List<HeaderExtension> extensions,
        List<SsrcDescription> ssrcs,
        List<SsrcGroup> ssrcGroups,
        List<Msid> msids,
        List<Rid> rids,
        Optional<Simulcast> simulcast,
        OptionalInt sctpPort,
        OptionalLong maxMessageSize) {

    public MediaSection {
        formats = List.copyOf(formats);
        candidates = List.copyOf(candidates);
        codecs = List.copyOf(codecs);
        extensions = List.copyOf(extensions);
        ssrcs = List.copyOf(ssrcs);
        ssrcGroups = List.copyOf(ssrcGroups);
        msids = List.copyOf(msids);
        rids = List.copyOf(rids);
    }

    /** An RFC 8841 data-channel line: {@code m=application <port> UDP/DTLS/SCTP webrtc-datachannel}. */
    public boolean isDataChannel() {
        return kind == MediaKind.APPLICATION
                && protocol.equalsIgnoreCase("UDP/DTLS/SCTP")
                && formats.contains("webrtc-datachannel");
    }

    public Optional<PayloadFormat> codec(int payloadType) {
        return codecs.stream().filter(c -> c.payloadType() == payloadType).findFirst();
    }

    /** The RTX payload type that retransmits {@code payloadType}, if the offer has one. */
    public Optional<PayloadFormat> rtxFor(int payloadType) {
        return codecs.stream()
                .filter(c -> c.associatedPayloadType().orElse(-1) == payloadType)
                .findFirst();
    }

    /** RTX payload type by the payload type it repairs (apt -> rtx pt). */
    public Map<Integer, Integer> rtxPayloadTypes() {
        Map<Integer, Integer> map = new HashMap<>();
        for (PayloadFormat codec : codecs) {
            codec.associatedPayloadType().ifPresent(apt -> map.putIfAbsent(apt, codec.payloadType()));
        }
        return Map.copyOf(map);
    }

    public Optional<HeaderExtension> extension(String uri) {
        return extensions.stream().filter(e -> e.uri().equals(uri)).findFirst();
    }

    public Optional<Msid> msid() {
        return msids.isEmpty() ? Optional.empty() : Optional.of(msids.get(0));
    }

    public Optional<SsrcDescription> ssrc(long ssrc) {
        return ssrcs.stream().filter(s -> s.ssrc() == ssrc).findFirst();
    }
}
