package dev.chorus.sfu.conference;

import dev.chorus.sfu.codec.Codec;
import dev.chorus.sfu.codec.MediaKind;
import dev.chorus.sfu.forward.ProducerParams;
import dev.chorus.sfu.sdp.Answer;
import dev.chorus.sfu.sdp.AnswerBuilder;
import dev.chorus.sfu.sdp.CodecPolicy;
import dev.chorus.sfu.sdp.Fingerprint;
import dev.chorus.sfu.sdp.LocalTransport;
import dev.chorus.sfu.sdp.MediaSection;
import dev.chorus.sfu.sdp.NegotiatedSection;
import dev.chorus.sfu.sdp.RemoteTrack;
import dev.chorus.sfu.sdp.RemoteTransport;
import dev.chorus.sfu.sdp.SdpException;
import dev.chorus.sfu.sdp.SdpParser;
import dev.chorus.sfu.sdp.SessionDescription;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The offer/answer exchange of one participant: parses its offers, builds the answers (one SDP
 * origin whose version goes up with each accepted offer) and holds the ICE credentials and DTLS
 * fingerprint the first accepted offer fixed, which later offers must repeat. Nothing here
 * changes until {@link #accepted}. Control thread only.
 */
final class Negotiation {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final long sdpSessionId = RANDOM.nextLong() & Long.MAX_VALUE;
    private final int maxSimulcastLayers;
    private final CodecPolicy codecs;
    private final long dataChannelMaxMessageSize;
    private long sdpVersion;
    private int offers;
    private String remoteUfrag;
    private Fingerprint remoteFingerprint;

    /**
     * @param simulcast whether sending lines that offer simulcast get it (as many layers as a producer takes)
     * @param red       whether audio lines that offer RED for Opus get it
     * @param dataChannelMaxMessageSize the a=max-message-size of an accepted data-channel line; 0 rejects such lines
     */
    Negotiation(boolean simulcast, boolean red, long dataChannelMaxMessageSize) {
        this.maxSimulcastLayers = simulcast ? ProducerParams.MAX_ENCODINGS : 0;
        this.codecs = CodecPolicy.of(red);
        this.dataChannelMaxMessageSize = dataChannelMaxMessageSize;
    }

    static SessionDescription parse(String sdp) throws MediaException {
        try {
            return SdpParser.parse(sdp);
        } catch (SdpException e) {
            throw new MediaException(MediaException.Kind.BAD_SDP, e.getMessage(), e);
        }
    }

    /**
     * The answer with nothing to send: which lines the server can answer at all, and with which
     * codec. {@link #receivingLines} reads it to place remote tracks before the real answer.
     */
    Answer probe(SessionDescription offer, LocalTransport local, String videoCodec) throws MediaException {
        return answer(offer, local, videoCodec, Map.of());
    }

    /**
     * The answer that sends {@code tracks} (by mid) on the participant's receiving lines, every video line in the
     * room's {@code videoCodec} (see {@link RoomVideoCodec}).
     */
    Answer answer(SessionDescription offer, LocalTransport local, String videoCodec, Map<String, RemoteTrack> tracks)
            throws MediaException {
        AnswerBuilder builder = AnswerBuilder.forOffer(offer)
                .transport(local)
                .codecPolicy(codecs.withVideo(List.of(videoCodec)))
                .origin(sdpSessionId, sdpVersion + 1)
                .acceptSimulcast(maxSimulcastLayers)
                .acceptDataChannels(dataChannelMaxMessageSize);
        tracks.forEach(builder::send);
        try {
            return builder.build();
        } catch (SdpException | IllegalArgumentException e) {
            throw new MediaException(MediaException.Kind.BAD_SDP, e.getMessage(), e);
        }
    }

    /**
     * The video codecs {@code offer} can take on every one of its video lines (in the SFU's order), or null
     * when it has none: what the participant can decode, for the room's choice ({@link RoomVideoCodec}).
     */
    static List<String> videoCodecsTaken(SessionDescription offer) {
        List<String> taken = null;
        for (MediaSection m : offer.media()) {
            if (m.kind() != MediaKind.VIDEO || m.rejected()) {
                continue;
            }
            List<String> line = CodecPolicy.videoCodecsOffered(m);
            taken = taken == null ? line : taken.stream().filter(line::contains).toList();
        }
        return taken;
    }

    /** The lines of {@code offer} the participant receives on and {@code probe} accepted, with their codec. */
    static Map<String, Codec> receivingLines(SessionDescription offer, Answer probe) {
        Map<String, Codec> lines = new LinkedHashMap<>();
        for (NegotiatedSection s : probe.sections()) {
            if (s.rejected() || s.mid().isEmpty() || s.codecs().isEmpty()) {
                continue;
            }
            MediaSection offered = offer.sectionByMid(s.mid().get()).orElseThrow();
            Codec codec = Codec.fromSdpName(s.codecs().get().media().name());
            if (offered.direction().receives() && codec != null) {
                lines.put(s.mid().get(), codec);
            }
        }
        return lines;
    }

    /**
     * The participant's transport as {@code answer} accepted it. On a later offer its DTLS fingerprint must be the one
     * the first offer fixed; new ICE credentials are an ICE restart ({@link #isIceRestart}).
     */
    RemoteTransport remoteTransport(Answer answer, boolean first) throws MediaException {
        RemoteTransport remote = answer.remoteTransport()
                .orElseThrow(() -> new MediaException(
                        MediaException.Kind.BAD_SDP, "the offer has no m= line the server can answer"));
        if (!first && !remote.fingerprint().equals(remoteFingerprint)) {
            throw new MediaException(
                    MediaException.Kind.BAD_SDP,
                    "a new DTLS certificate is not supported; leave and join again (an ICE restart keeps the certificate)");
        }
        return remote;
    }

    /** Whether a later offer (as {@code probe} answers it) brings new ICE credentials: an ICE restart (RFC 8839). */
    boolean isIceRestart(Answer probe, boolean first) {
        return !first
                && probe.remoteTransport()
                        .map(r -> !r.iceUfrag().equals(remoteUfrag))
                        .orElse(false);
    }

    /** The offer is answered: the next answer gets a new version; the first fixes the transport, a restart its ICE. */
    void accepted(RemoteTransport remote, boolean first) {
        sdpVersion++;
        offers++;
        if (first) {
            remoteFingerprint = remote.fingerprint();
        }
        remoteUfrag = remote.iceUfrag();
    }

    /** The mid the server's trickled candidates belong to: the first of the offer's BUNDLE group. */
    static String bundleMid(SessionDescription offer) {
        return offer.bundleGroup().map(g -> g.mids().get(0)).orElse("0");
    }

    /** Offers answered so far. */
    int offers() {
        return offers;
    }
}
