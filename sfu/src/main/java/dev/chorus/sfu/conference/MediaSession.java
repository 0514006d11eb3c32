package dev.chorus.sfu.conference;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.codec.Codec;
import dev.chorus.sfu.forward.ConsumerParams;
import dev.chorus.sfu.rtp.RtpExtension;
import dev.chorus.sfu.forward.HeaderExtensionIds;
import dev.chorus.sfu.forward.ProducerParams;
import dev.chorus.sfu.sdp.Answer;
import dev.chorus.sfu.sdp.AnswerBuilder;
import dev.chorus.sfu.sdp.Fingerprint;
import dev.chorus.sfu.sdp.HeaderExtension;
import dev.chorus.sfu.sdp.IceCandidate;
import dev.chorus.sfu.sdp.IceCandidateParser;
import dev.chorus.sfu.sdp.LocalTransport;
import dev.chorus.sfu.codec.MediaKind;
import dev.chorus.sfu.sdp.MediaSection;
import dev.chorus.sfu.sdp.NegotiatedSection;
import dev.chorus.sfu.sdp.Publication;
import dev.chorus.sfu.sdp.RemoteTrack;
import dev.chorus.sfu.sdp.RemoteTransport;
import dev.chorus.sfu.sdp.SdpException;
import dev.chorus.sfu.sdp.SdpParser;
import dev.chorus.sfu.sdp.SessionDescription;
import dev.chorus.sfu.transport.WebRtcTransport;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One participant's media: its transport, the tracks it publishes (from the sending m= lines of
 * its offers) and the tracks it receives (other participants' tracks, placed on the receiving m=
 * lines of its offers). The participant always offers and this class always answers, so
 * negotiation has no glare; when the room's tracks change the session asks for a new offer.
 * Control thread only.
 */
public final class MediaSession {
    private static final Logger LOG = LoggerFactory.getLogger(MediaSession.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A remote track on one of this participant's receiving m= lines, and its consumer. */
    private record Subscription(String mid, PublishedTrack track, String consumerId, long ssrc, long rtxSsrc) {
    }

    private final String participantId;
    private final MediaRoom room;
    private final MediaSessionListener listener;
    private final String log;
    private final long sdpSessionId = RANDOM.nextLong() & Long.MAX_VALUE;
    private long sdpVersion;
    private WebRtcTransport transport;
    private TransportBridge bridge;
    private String remoteUfrag;
    private Fingerprint remoteFingerprint;
    private final Map<String, PublishedTrack> publishedByMid = new LinkedHashMap<>();
    private Map<String, Subscription> subscriptionsByMid = new LinkedHashMap<>();
    private final Set<Long> usedSsrcs = new HashSet<>();
    private int trackCounter;
    private int consumerCounter;
    private int offers;
    private boolean connected;
    private boolean renegotiationScheduled;
    private boolean closed;
    private String closeReason;

    MediaSession(String participantId, MediaRoom room, MediaSessionListener listener) {
        this.participantId = participantId;
        this.room = room;
        this.listener = listener;
        this.log = "[room=" + room.id() + " participant=" + participantId + "]";
    }

    public String participantId() {
        return participantId;
    }

    public boolean isClosed() {
        return closed;
    }

    // ------------------------------------------------------------------ offer / answer

    /**
     * Answers one offer: publishes what it sends, places other participants' tracks on the lines
     * where it receives, and on the first offer starts ICE. Nothing changes when it throws.
     *
     * @param sources what each sending line carries, by mid ("mic", "camera", "screen")
     */
    public OfferOutcome handleOffer(String sdp, Map<String, String> sources) throws MediaException {
        if (closed) {
            throw new MediaException(MediaException.Kind.UNAVAILABLE,
                    "media for this participant has ended (" + closeReason + "); leave and join again");
        }
        SessionDescription offer;
        try {
            offer = SdpParser.parse(sdp);
        } catch (SdpException e) {
            throw new MediaException(MediaException.Kind.BAD_SDP, e.getMessage(), e);
        }
        boolean first = transport == null;
        if (first) {
            createTransport();
        }
        boolean answered = false;
        try {
            OfferOutcome outcome = answer(offer, sources, first);
            answered = true;
            return outcome;
        } finally {
            if (first && !answered) {
                discardTransport();
            }
        }
    }

    private void createTransport() throws MediaException {
        MediaService service = room.service();
        TransportBridge b = new TransportBridge(room.router().worker(), service.pool(), this,
                service.bridgeDrops());
        WebRtcTransport t;
        try {
            t = WebRtcTransport.createServer(service.ports(), service.certificate(), b);
        } catch (IOException | RuntimeException e) {
            LOG.error("{} cannot create transport", log, e);
            throw new MediaException(MediaException.Kind.UNAVAILABLE, "the server cannot open a media transport", e);
        }
        b.attach(t);
        transport = t;
        bridge = b;
        long rtcpSsrc = newSsrc();
        room.onRouter("add endpoint " + participantId, r -> b.endpoint(r.addEndpoint(participantId, b, rtcpSsrc)));
        LOG.info("{} transport created, ufrag {}", log, t.localUfrag());
    }

    private void discardTransport() {
        TransportBridge b = bridge;
        room.onRouter("remove endpoint " + participantId, r -> {
            b.endpoint(null);
            r.removeEndpoint(participantId);
        });
        room.service().closeLater(transport);
        transport = null;
        bridge = null;
    }

    private OfferOutcome answer(SessionDescription offer, Map<String, String> sources, boolean first)
            throws MediaException {
        // A first pass without tracks says which lines we can answer at all, and with which codec.
        Answer probe = build(offer, Map.of());
        Map<String, Subscription> next = placeSubscriptions(offer, probe);
        Map<String, RemoteTrack> remoteTracks = new LinkedHashMap<>();
        next.values().forEach(s -> remoteTracks.put(s.mid(), remoteTrack(s)));
        Answer answer = build(offer, remoteTracks);

        RemoteTransport remote = answer.remoteTransport().orElseThrow(() ->
                new MediaException(MediaException.Kind.BAD_SDP, "the offer has no m= line the server can answer"));
        if (!first && (!remote.iceUfrag().equals(remoteUfrag) || !remote.fingerprint().equals(remoteFingerprint))) {
            throw new MediaException(MediaException.Kind.BAD_SDP,
                    "ICE restarts and new DTLS certificates are not supported; leave and join again");
        }
        Map<String, PublishedTrack> nextPublished = publications(answer, sources);

        // Everything is validated: from here on, apply.
        sdpVersion++;
        offers++;
        List<String> candidates = List.of();
        if (first) {
            startTransport(remote);
            candidates = transport.localCandidates().stream().map(IceCandidate::toSdp).toList();
        }
        applyPublications(answer, nextPublished);
        applySubscriptions(answer, next);

        List<OfferOutcome.AssignedTrack> assigned = new ArrayList<>();
        next.values().forEach(s -> assigned.add(new OfferOutcome.AssignedTrack(s.mid(), s.track())));
        if (unplacedTracks() > 0) {
            scheduleRenegotiation();
        }
        LOG.info("{} answered offer {}: publishes {}, receives {}", log, offers, publishedByMid.size(), next.size());
        String bundleMid = offer.bundleGroup().map(g -> g.mids().get(0)).orElse("0");
        return new OfferOutcome(answer.sdp(), assigned, candidates, bundleMid);
    }

    private Answer build(SessionDescription offer, Map<String, RemoteTrack> tracks) throws MediaException {
        Fingerprint local = fingerprint(transport.localFingerprint());
        AnswerBuilder builder = AnswerBuilder.forOffer(offer)
                .transport(new LocalTransport(transport.localUfrag(), transport.localPassword(), local, List.of(),
                        false))
                .origin(sdpSessionId, sdpVersion + 1);
        tracks.forEach(builder::send);
        try {
            return builder.build();
        } catch (SdpException | IllegalArgumentException e) {
            throw new MediaException(MediaException.Kind.BAD_SDP, e.getMessage(), e);
        }
    }

    private static Fingerprint fingerprint(String hashSpaceValue) {
        int space = hashSpaceValue.indexOf(' ');
        return new Fingerprint(hashSpaceValue.substring(0, space), hashSpaceValue.substring(space + 1));
    }

    /**
     * Keeps every subscription whose line still receives and whose track still exists, then puts
     * each other track not yet received on the first free receiving line of its kind and codec.
     */
    private Map<String, Subscription> placeSubscriptions(SessionDescription offer, Answer probe) {
        Map<String, Codec> freeLines = new LinkedHashMap<>();
        for (NegotiatedSection s : probe.sections()) {
            if (s.rejected() || s.mid().isEmpty() || s.codecs().isEmpty()) {
                continue;
            }
            MediaSection offered = offer.sectionByMid(s.mid().get()).orElseThrow();
            Codec codec = Codec.fromSdpName(s.codecs().get().media().name());
            if (offered.direction().receives() && codec != null) {
                freeLines.put(s.mid().get(), codec);
            }
        }
        Map<String, Subscription> next = new LinkedHashMap<>();
        Set<String> subscribed = new HashSet<>();
        for (Subscription s : subscriptionsByMid.values()) {
            if (freeLines.get(s.mid()) == s.track().codec() && room.hasTrack(s.track().producerId())) {
                next.put(s.mid(), s);
                subscribed.add(s.track().producerId());
                freeLines.remove(s.mid());
            }
        }
        for (PublishedTrack t : room.tracksFor(participantId)) {
            if (subscribed.contains(t.producerId())) {
                continue;
            }
            String mid = freeLines.entrySet().stream().filter(e -> e.getValue() == t.codec())
                    .map(Map.Entry::getKey).findFirst().orElse(null);
            if (mid == null) {
                continue; // counted by unplacedTracks(): the participant is asked for more lines
            }
            freeLines.remove(mid);
            long rtx = t.kind() == MediaKind.VIDEO ? newSsrc() : ProducerParams.NONE;
            next.put(mid, new Subscription(mid, t, participantId + "-c" + (++consumerCounter), newSsrc(), rtx));
        }
        return next;
    }

    private RemoteTrack remoteTrack(Subscription s) {
        PublishedTrack t = s.track();
        String cname = "chorus-" + t.publisherId();
        return t.kind() == MediaKind.VIDEO
                ? RemoteTrack.video(t.publisherId(), t.producerId(), s.ssrc(), s.rtxSsrc(), cname)
                : RemoteTrack.audio(t.publisherId(), t.producerId(), s.ssrc(), cname);
    }

    private Map<String, PublishedTrack> publications(Answer answer, Map<String, String> sources) {
        Map<String, PublishedTrack> next = new LinkedHashMap<>();
        for (NegotiatedSection s : answer.sections()) {
            if (s.rejected() || s.mid().isEmpty() || s.publication().isEmpty() || s.codecs().isEmpty()) {
                continue;
            }
            String mid = s.mid().get();
            Publication p = s.publication().get();
            Codec codec = Codec.fromSdpName(s.codecs().get().media().name());
            if (p.streams().isEmpty() || codec == null) {
                // rid-only simulcast announces no SSRC; we do not accept simulcast yet (see sfu/CODECS.md).
                LOG.warn("{} m= line {} sends without an SSRC the server can use; not published", log, mid);
                continue;
            }
            TrackSource source = source(sources.get(mid), s.kind());
            long ssrc = p.streams().get(0).ssrc();
            PublishedTrack existing = publishedByMid.get(mid);
            if (existing != null && existing.ssrc() == ssrc && existing.source() == source
                    && existing.codec() == codec) {
                next.put(mid, existing);
            } else {
                next.put(mid, new PublishedTrack(participantId + "-t" + (++trackCounter), participantId, mid,
                        s.kind(), source, codec, ssrc));
            }
        }
        return next;
    }

    private static TrackSource source(String wire, MediaKind kind) {
        TrackSource s = TrackSource.fromWire(wire);
        boolean fits = s != null && (s == TrackSource.MIC) == (kind == MediaKind.AUDIO);
        return fits ? s : kind == MediaKind.AUDIO ? TrackSource.MIC : TrackSource.CAMERA;
    }

    private void startTransport(RemoteTransport remote) {
        transport.setRemoteIceCredentials(remote.iceUfrag(), remote.icePwd());
        transport.setRemoteFingerprint(remote.fingerprint().hashFunction(), remote.fingerprint().value());
        for (String candidate : remote.candidates()) {
            try {
                transport.addRemoteCandidate(candidate);
            } catch (IllegalArgumentException e) {
                LOG.debug("{} ignoring offered candidate {}: {}", log, candidate, e.getMessage());
            }
        }
        transport.start();
        remoteUfrag = remote.iceUfrag();
        remoteFingerprint = remote.fingerprint();
    }

    private void applyPublications(Answer answer, Map<String, PublishedTrack> next) {
        for (PublishedTrack old : List.copyOf(publishedByMid.values())) {
            if (next.get(old.mid()) != old) {
                publishedByMid.remove(old.mid());
                room.onRouter("remove producer " + old.producerId(), r -> r.removeProducer(old.producerId()));
                room.unpublished(old);
            }
        }
        for (PublishedTrack t : next.values()) {
            if (publishedByMid.get(t.mid()) == t) {
                continue;
            }
            NegotiatedSection s = answer.section(t.mid()).orElseThrow();
            Publication.Stream stream = s.publication().orElseThrow().streams().get(0);
            ProducerParams params = ProducerParams.of(t.producerId(), t.codec(), t.ssrc(),
                    s.payloadType().getAsInt(), extensionIds(s));
            if (stream.rtxSsrc().isPresent() && s.rtxPayloadType().isPresent()) {
                params = params.withRtx(stream.rtxSsrc().getAsLong(), s.rtxPayloadType().getAsInt());
            }
            ProducerParams p = params;
            publishedByMid.put(t.mid(), t);
            room.onRouter("add producer " + t.producerId(), r -> r.addProducer(participantId, p));
            room.published(t);
        }
    }

    private void applySubscriptions(Answer answer, Map<String, Subscription> next) {
        for (Subscription old : subscriptionsByMid.values()) {
            if (next.get(old.mid()) != old) {
                room.onRouter("remove consumer " + old.consumerId(), r -> r.removeConsumer(old.consumerId()));
                usedSsrcs.remove(old.ssrc());
                usedSsrcs.remove(old.rtxSsrc());
            }
        }
        for (Subscription s : next.values()) {
            if (subscriptionsByMid.get(s.mid()) == s) {
                continue;
            }
            NegotiatedSection section = answer.section(s.mid()).orElseThrow();
            ConsumerParams params = ConsumerParams.of(s.consumerId(), s.ssrc(), section.payloadType().getAsInt(),
                    extensionIds(section), RANDOM.nextInt(0x10000)).withMid(s.mid());
            if (s.rtxSsrc() != ProducerParams.NONE && section.rtxPayloadType().isPresent()) {
                params = params.withRtx(s.rtxSsrc(), section.rtxPayloadType().getAsInt());
            }
            ConsumerParams p = params;
            String producerId = s.track().producerId();
            // Until this participant's DTLS is up nothing can reach it; a paused consumer waits and asks
            // for a keyframe when resumed, so the first frame comes as soon as media connects.
            boolean pause = !connected;
            room.onRouter("add consumer " + s.consumerId(), r -> {
                r.addConsumer(participantId, producerId, p);
                if (pause) {
                    r.pauseConsumer(p.id());
                }
            });
        }
        subscriptionsByMid = next;
    }

    private static HeaderExtensionIds extensionIds(NegotiatedSection s) {
        HeaderExtensionIds ids = HeaderExtensionIds.NONE;
        for (HeaderExtension e : s.extensions()) {
            RtpExtension kind = RtpExtension.fromUri(e.uri());
            if (kind != null && e.id() >= 1 && e.id() <= 255) {
                try {
                    ids = ids.with(kind, e.id());
                } catch (IllegalArgumentException clash) {
                    // Two URIs on one id: the offer is broken for that extension; forward without it.
                }
            }
        }
        return ids;
    }

    private long newSsrc() {
        long ssrc;
        do {
            ssrc = RANDOM.nextInt() & 0xFFFF_FFFFL;
        } while (ssrc == 0 || !usedSsrcs.add(ssrc));
        return ssrc;
    }

    // ------------------------------------------------------------------ trickle ICE

    /** A trickled candidate of the participant; null or blank marks the end of its candidates. */
    public void addRemoteCandidate(String candidate) throws MediaException {
        if (closed) {
            throw new MediaException(MediaException.Kind.UNAVAILABLE,
                    "media for this participant has ended (" + closeReason + ")");
        }
        if (transport == null) {
            throw new MediaException(MediaException.Kind.NOT_READY, "send an offer before candidates");
        }
        if (candidate == null || candidate.isBlank()) {
            return;
        }
        IceCandidate parsed;
        try {
            parsed = IceCandidateParser.parse(candidate.startsWith("a=") ? candidate.substring(2) : candidate);
        } catch (SdpException e) {
            throw new MediaException(MediaException.Kind.BAD_CANDIDATE, e.getMessage(), e);
        }
        if (!transport.addRemoteCandidate(parsed)) {
            LOG.debug("{} candidate not used: {}", log, candidate);
        }
    }

    // ------------------------------------------------------------------ room changes

    /** Another participant published or unpublished: drop what is gone, ask for an offer for what is new. */
    void roomTracksChanged() {
        if (closed || transport == null) {
            return; // the first offer will get whatever exists then
        }
        boolean gone = false;
        for (Subscription s : subscriptionsByMid.values()) {
            if (!room.hasTrack(s.track().producerId())) {
                gone = true; // its consumer went with the producer; the next answer marks the line inactive
            }
        }
        if (gone || unplacedTracks() > 0) {
            scheduleRenegotiation();
        }
    }

    private int unplacedTracks() {
        Set<String> subscribed = new HashSet<>();
        subscriptionsByMid.values().forEach(s -> subscribed.add(s.track().producerId()));
        return (int) room.tracksFor(participantId).stream().filter(t -> !subscribed.contains(t.producerId())).count();
    }

    /** Coalesces the changes of one control-thread turn into one request, sent after the current reply. */
    private void scheduleRenegotiation() {
        if (renegotiationScheduled) {
            return;
        }
        renegotiationScheduled = true;
        room.service().control().execute(() -> {
            renegotiationScheduled = false;
            if (closed) {
                return;
            }
            int audio = 0;
            int video = 0;
            for (PublishedTrack t : room.tracksFor(participantId)) {
                if (t.kind() == MediaKind.AUDIO) {
                    audio++;
                } else {
                    video++;
                }
            }
            listener.renegotiationNeeded(audio, video);
        });
    }

    // ------------------------------------------------------------------ transport events

    /** From ICE / DTLS threads: hop to the control thread. */
    void transportEvent(WebRtcTransport t, WebRtcTransport.Event event, String reason) {
        room.service().control().execute(() -> onTransportEvent(t, event, reason));
    }

    private void onTransportEvent(WebRtcTransport t, WebRtcTransport.Event event, String reason) {
        if (closed || t != transport) {
            return;
        }
        switch (event) {
            case DTLS_CONNECTED -> {
                connected = true;
                List<String> waiting = subscriptionsByMid.values().stream().map(Subscription::consumerId).toList();
                room.onRouter("resume consumers of " + participantId, r -> {
                    for (String consumerId : waiting) {
                        if (r.hasConsumer(consumerId)) {
                            r.resumeConsumer(consumerId);
                        }
                    }
                });
                LOG.info("{} media connected ({})", log, t.srtpProfile());
                listener.mediaConnected();
            }
            case ICE_FAILED, DTLS_FAILED -> {
                boolean lost = connected && reason != null && reason.startsWith("CONSENT_EXPIRED");
                String wire = lost ? "consent_expired" : event == WebRtcTransport.Event.ICE_FAILED ? "ice_failed"
                        : "dtls_failed";
                LOG.warn("{} media {}: {}", log, wire, reason);
                close(wire);
                if (lost) {
                    listener.mediaLost(wire);
                } else {
                    listener.mediaFailed(wire);
                }
            }
            default -> {
            }
        }
    }

    // ------------------------------------------------------------------ end

    /** Releases the transport, the endpoint and the tracks, and tells the room. Idempotent. */
    public void close() {
        close("left");
    }

    private void close(String reason) {
        if (closed) {
            return;
        }
        closed = true;
        closeReason = reason;
        for (PublishedTrack t : List.copyOf(publishedByMid.values())) {
            room.unpublished(t);
        }
        publishedByMid.clear();
        subscriptionsByMid = new LinkedHashMap<>();
        if (transport != null) {
            discardTransport();
        }
        room.left(this);
        LOG.info("{} media closed ({})", log, reason);
    }

    ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("participantId", participantId);
        n.put("offers", offers);
        n.put("connected", connected);
        n.put("closed", closed);
        if (closeReason != null) {
            n.put("closeReason", closeReason);
        }
        ArrayNode pub = n.putArray("published");
        publishedByMid.values().forEach(t -> pub.add(t.toJson()));
        ArrayNode sub = n.putArray("subscriptions");
        subscriptionsByMid.values().forEach(s -> sub.addObject().put("mid", s.mid())
                .put("producerId", s.track().producerId()).put("consumerId", s.consumerId()).put("ssrc", s.ssrc()));
        if (transport != null) {
            n.set("transport", transport.toJson());
            n.set("bridgeDrops", bridge.toJson());
        }
        return n;
    }

    /** Test and debug view: the remote tracks placed on receiving lines, by mid. */
    public Map<String, String> subscriptions() {
        Map<String, String> m = new LinkedHashMap<>();
        subscriptionsByMid.values().forEach(s -> m.put(s.mid(), s.track().producerId()));
        return m;
    }

    Optional<WebRtcTransport> transport() {
        return Optional.ofNullable(transport);
    }
}
