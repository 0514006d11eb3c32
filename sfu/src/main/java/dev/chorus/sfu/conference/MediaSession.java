package dev.chorus.sfu.conference;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.capture.PacketCapture;
import dev.chorus.sfu.codec.MediaKind;
import dev.chorus.sfu.sdp.Answer;
import dev.chorus.sfu.sdp.LocalTransport;
import dev.chorus.sfu.sdp.NegotiatedSection;
import dev.chorus.sfu.sdp.RemoteTrack;
import dev.chorus.sfu.sdp.RemoteTransport;
import dev.chorus.sfu.sdp.SessionDescription;
import dev.chorus.sfu.transport.WebRtcTransport;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One participant's media: its transport, the tracks it publishes (from the sending m= lines of
 * its offers) and the tracks it receives (other participants' tracks, placed on the receiving m=
 * lines of its offers). The participant always offers and this class always answers, so
 * negotiation has no glare; when the room's tracks change the session asks for a new offer.
 *
 * <p>This class coordinates; the jobs are {@link Negotiation} (the SDP), {@link Publications} and
 * {@link SubscriptionPlan} (what is sent and received on which line), {@link RouterWiring} (the
 * producers and consumers on the room's router), {@link SessionTransport} and
 * {@link RenegotiationRequests}. Control thread only.
 */
public final class MediaSession {
    private static final Logger LOG = LoggerFactory.getLogger(MediaSession.class);
    /** Thread CPU time: an offer's own cost, told apart from its wait for a core. */
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private static final SecureRandom RANDOM = new SecureRandom();

    private final String participantId;
    private final MediaRoom room;
    private final MediaSessionListener listener;
    /** A viewer: its offers may only receive. */
    private final boolean receiveOnly;

    private final String log;
    private final Negotiation negotiation;
    private final DataRelay dataRelay;
    /** The size the client last reported for each receiving line's video, by mid. */
    private final Map<String, ViewSize> viewSizes = new LinkedHashMap<>();
    /** Lines (mids) whose tracks the server muted: a track published on one later starts paused too. */
    private final Set<String> pausedMids = new HashSet<>();

    private final Publications publications;
    private final SubscriptionPlan plan;
    private final RouterWiring wiring;
    private final RenegotiationRequests renegotiation;
    private SessionTransport transport;
    /** The running packet capture (server API), or null; cleared when it ends. */
    private PacketCapture capture;

    /** Whether it may receive others' tracks (its permissions); without, its receiving lines carry nothing. */
    private boolean subscribing = true;

    private boolean connected;
    private boolean closed;
    private String closeReason;

    MediaSession(String participantId, MediaRoom room, MediaSessionListener listener, boolean receiveOnly) {
        this.participantId = participantId;
        this.room = room;
        this.listener = listener;
        this.receiveOnly = receiveOnly;
        this.log = "[room=" + room.id() + " participant=" + participantId + "]";
        DataChannelSettings data = room.service().settings().dataChannels();
        this.negotiation = new Negotiation(
                room.service().settings().simulcast(),
                room.service().settings().router().audioRedundancy() > 0,
                data == null ? 0 : data.sctp().maxMessageSize());
        this.dataRelay = new DataRelay(
                participantId,
                room,
                log,
                !receiveOnly,
                data == null ? 1 : data.relayPerSecond(),
                room.service().clock());
        this.publications = new Publications(participantId, log);
        this.plan = new SubscriptionPlan(participantId, RANDOM);
        this.wiring = new RouterWiring(participantId, room);
        this.renegotiation = new RenegotiationRequests(
                room.service().control(), room.service().clock(), () -> closed, this::available, listener);
    }

    public String participantId() {
        return participantId;
    }

    public boolean isClosed() {
        return closed;
    }

    /**
     * Answers one offer: publishes what it sends, places other participants' tracks on the lines
     * where it receives, and on the first offer starts ICE. Nothing changes when it throws.
     *
     * @param sources what each sending line carries, by mid ("mic", "camera", "screen")
     */
    public OfferOutcome handleOffer(String sdp, Map<String, String> sources) throws MediaException {
        if (closed) {
            throw new MediaException(
                    MediaException.Kind.UNAVAILABLE,
                    "media for this participant has ended (" + closeReason + "); leave and join again");
        }
        long startNanos = room.service().clock().nowNanos();
        long startCpuNanos = THREADS.getCurrentThreadCpuTime();
        SessionDescription offer = Negotiation.parse(sdp);
        boolean first = transport == null;
        if (first) {
            transport = SessionTransport.open(room, this, log);
            wiring.addEndpoint(transport.ingress(), transport.egress(), plan.newSsrc());
            LOG.info("{} transport created, ufrag {}", log, transport.localUfrag());
        }
        boolean answered = false;
        try {
            OfferOutcome outcome = answer(offer, sources, first);
            answered = true;
            // Offers are answered one at a time on the signaling thread: the time each takes says whether a
            // crowd's offers queue behind one another (wall time far above CPU time: the thread waited for a core).
            LOG.info(
                    "{} answered offer {}: publishes {}, receives {}, in {} ms ({} ms of CPU)",
                    log,
                    negotiation.offers(),
                    publications.size(),
                    outcome.tracks().size(),
                    (room.service().clock().nowNanos() - startNanos) / 1_000_000,
                    (THREADS.getCurrentThreadCpuTime() - startCpuNanos) / 1_000_000);
            return outcome;
        } finally {
            if (first && !answered) {
                discardTransport();
            }
        }
    }

    /**
     * Starts capturing the decrypted RTP and RTCP this participant sends into {@code file} (which must not exist),
     * until a limit, {@link #stopCapture} or the end of its transport. One at a time.
     *
     * @throws MediaException NOT_READY before its first offer or while a capture runs; UNAVAILABLE when the file
     *     cannot be created
     */
    public PacketCapture startCapture(Path file, PacketCapture.Limits limits) throws MediaException {
        if (closed || transport == null) {
            throw new MediaException(MediaException.Kind.NOT_READY, "the participant has no media transport yet");
        }
        if (capture != null && !capture.isEnded()) {
            throw new MediaException(MediaException.Kind.NOT_READY, "a capture of this participant is running");
        }
        try {
            capture = transport.startCapture(file, limits, room.service().captureWriter(), c -> {});
        } catch (IOException | RuntimeException e) {
            LOG.warn("{} capture into {} cannot start", log, file, e);
            throw new MediaException(MediaException.Kind.UNAVAILABLE, "the capture file cannot be created", e);
        }
        LOG.info("{} capture into {} started ({})", log, file, limits);
        return capture;
    }

    /** The latest capture (running or ended), or null. */
    public PacketCapture capture() {
        return capture;
    }

    /** Ends a running capture early; false when none runs. */
    public boolean stopCapture() {
        if (capture == null || capture.isEnded() || transport == null) {
            return false;
        }
        transport.stopCapture(capture, PacketCapture.End.STOPPED);
        return true;
    }

    private void discardTransport() {
        if (capture != null) {
            transport.stopCapture(capture, PacketCapture.End.SESSION_ENDED);
        }
        wiring.removeEndpoint(transport.ingress());
        transport.closeLater(room.service());
        transport = null;
    }

    private OfferOutcome answer(SessionDescription offer, Map<String, String> sources, boolean first)
            throws MediaException {
        LocalTransport local = transport.local();
        RoomVideoCodec.Decision video = room.videoCodec().decide(participantId, Negotiation.videoCodecsTaken(offer));
        Answer probe = negotiation.probe(offer, local, video.codec());
        negotiation.remoteTransport(probe, first); // a new certificate is refused before any ICE restart begins
        boolean iceRestart = negotiation.isIceRestart(probe, first);
        if (!iceRestart) {
            return answer(offer, sources, first, false, local, probe, video);
        }
        // The answer must carry the new ICE session's credentials: make it now, drop it if the offer is refused.
        local = transport.restartIce();
        try {
            return answer(offer, sources, first, true, local, probe, video);
        } catch (MediaException | RuntimeException e) {
            transport.cancelIceRestart();
            throw e;
        }
    }

    private OfferOutcome answer(
            SessionDescription offer,
            Map<String, String> sources,
            boolean first,
            boolean iceRestart,
            LocalTransport local,
            Answer probe,
            RoomVideoCodec.Decision video)
            throws MediaException {
        Map<String, SubscriptionPlan.Subscription> next =
                plan.place(Negotiation.receivingLines(offer, probe), available());
        Map<String, RemoteTrack> remoteTracks = new LinkedHashMap<>();
        next.values().forEach(s -> remoteTracks.put(s.mid(), s.remoteTrack()));
        Answer answer = negotiation.answer(offer, local, video.codec(), remoteTracks);
        RemoteTransport remote = negotiation.remoteTransport(answer, first);
        Map<String, PublishedTrack> nextPublished = publications.fromAnswer(answer, sources);
        if (receiveOnly && !nextPublished.isEmpty()) {
            throw new MediaException(
                    MediaException.Kind.NOT_ALLOWED,
                    "a viewer only receives, but this offer sends on m= line(s) "
                            + String.join(", ", nextPublished.keySet())
                            + "; offer them recvonly (or join as a participant to publish)");
        }

        // Everything is validated: from here on, apply.
        negotiation.accepted(remote, first);
        room.videoCodecAccepted(participantId, video);
        List<String> candidates = List.of();
        if (first || iceRestart) {
            transport.start(remote);
            candidates = transport.localCandidates();
        }
        if (iceRestart) {
            LOG.info(
                    "{} ICE restart: new path under ufrag {}, media goes on over the old one until it connects",
                    log,
                    local.iceUfrag());
        }
        for (NegotiatedSection s : answer.sections()) {
            if (s.isDataChannel()) {
                // RFC 8841 6.1: no a=max-message-size means 64 KiB
                dataRelay.peerMaxMessageSize(offer.sectionByMid(s.mid().orElseThrow())
                        .map(m -> m.maxMessageSize().orElse(65_536L))
                        .orElse(65_536L));
                transport.enableDataChannels(
                        room.service().settings().dataChannels().sctp(), dataRelay);
            }
        }
        Publications.Changes published = publications.apply(nextPublished);
        wiring.publish(published, answer);
        for (PublishedTrack t : published.added()) {
            if (pausedMids.contains(t.mid())) {
                wiring.setProducerPaused(t.producerId(), true); // a muted line stays muted across offers
            }
        }
        SubscriptionPlan.Changes subscribed = plan.apply(next);
        wiring.subscribe(subscribed, answer, !connected);
        // A line that now carries another track keeps the size the client last reported for it
        // (its client only reports again when a size changes).
        applyViewSizes(subscribed.added());

        List<OfferOutcome.AssignedTrack> assigned = next.values().stream()
                .map(s -> new OfferOutcome.AssignedTrack(s.mid(), s.track()))
                .toList();
        renegotiation.offerAnswered();
        if (plan.unplaced(available()) > 0) {
            renegotiation.schedule();
        }
        return new OfferOutcome(answer.sdp(), assigned, candidates, Negotiation.bundleMid(offer));
    }

    /** What the participant publishes now, in line order. */
    public List<PublishedTrack> publishedTracks() {
        return List.copyOf(publications.tracks());
    }

    /** Whether the server muted the track on line {@code mid}. */
    public boolean isTrackPaused(String mid) {
        return pausedMids.contains(mid);
    }

    /**
     * Server mute of one published track ({@code producerId}): the SFU stops forwarding it to everyone (the
     * publisher may keep sending; its packets are counted as {@code PRODUCER_PAUSED}), or forwards it again.
     * The line stays muted when a later offer replaces its track. Returns the track, or null when the
     * participant publishes none with that id.
     */
    public PublishedTrack setTrackPaused(String producerId, boolean paused) {
        if (closed) {
            return null;
        }
        for (PublishedTrack t : publications.tracks()) {
            if (t.producerId().equals(producerId)) {
                if (paused ? pausedMids.add(t.mid()) : pausedMids.remove(t.mid())) {
                    wiring.setProducerPaused(producerId, paused);
                    LOG.info(
                            "{} track {} (mid {}) {} by the server",
                            log,
                            producerId,
                            t.mid(),
                            paused ? "muted" : "unmuted");
                }
                return t;
            }
        }
        return null;
    }

    /** A trickled candidate of the participant; null or blank marks the end of its candidates. */
    public void addRemoteCandidate(String candidate) throws MediaException {
        if (closed) {
            throw new MediaException(
                    MediaException.Kind.UNAVAILABLE, "media for this participant has ended (" + closeReason + ")");
        }
        if (transport == null) {
            throw new MediaException(MediaException.Kind.NOT_READY, "send an offer before candidates");
        }
        transport.addRemoteCandidate(candidate);
    }

    /**
     * The size at which the participant shows the video of each of its receiving lines, by mid
     * (from its client; mids it does not receive video on are ignored). Simulcast subscriptions
     * forward the lowest layer that covers their size; a video not shown (0 x 0) is paused.
     */
    public void setViewSizes(Map<String, ViewSize> sizes) {
        if (closed || transport == null) {
            return;
        }
        // The client sends every line it shows each time: keep only the latest (and a bounded map).
        viewSizes.clear();
        viewSizes.putAll(sizes);
        applyViewSizes(plan.subscriptions());
    }

    private void applyViewSizes(Iterable<SubscriptionPlan.Subscription> subscriptions) {
        Map<String, ViewSize> byConsumer = new LinkedHashMap<>();
        for (SubscriptionPlan.Subscription s : subscriptions) {
            ViewSize size = viewSizes.get(s.mid());
            if (size != null && s.track().kind() == MediaKind.VIDEO) {
                byConsumer.put(s.consumerId(), size);
            }
        }
        if (!byConsumer.isEmpty()) {
            wiring.setViewSizes(byConsumer);
        }
    }

    /** The router paused these of the participant's camera videos (last-N); the rest flow (control thread). */
    void videosPaused(List<String> consumerIds) {
        if (closed) {
            return;
        }
        List<String> mids = plan.subscriptions().stream()
                .filter(s -> consumerIds.contains(s.consumerId()))
                .map(SubscriptionPlan.Subscription::mid)
                .toList();
        listener.videosPaused(mids);
    }

    /** Dynacast (control thread): only the lowest {@code layers} layers of that track are wanted. */
    void publisherLayers(String producerId, int layers) {
        if (closed) {
            return;
        }
        for (PublishedTrack t : publications.tracks()) {
            if (t.producerId().equals(producerId) && t.isSimulcast()) {
                listener.publisherLayers(t.mid(), layers, t.rids().size());
                return;
            }
        }
    }

    /** The participant's own last-N (0: the server's); it can only lower the server's. */
    public void setLastN(int n) {
        if (!closed && transport != null) {
            wiring.setLastN(n);
        }
    }

    /**
     * Grants or takes away receiving others' tracks. Taken away, every consumer of this participant goes now (nothing
     * more reaches it) and it is asked for an offer, whose answer marks its receiving lines inactive; its later
     * offers' receiving lines carry nothing and it is not asked to add lines as others publish. Given back, it is
     * asked for an offer that gets it everything the room publishes. Control thread.
     */
    public void setSubscribing(boolean on) {
        if (on == subscribing || closed) {
            return;
        }
        subscribing = on;
        LOG.info("{} may {} receive others' tracks", log, on ? "again" : "no longer");
        if (transport == null) {
            return; // the first offer places whatever is available then
        }
        if (!on) {
            SubscriptionPlan.Changes dropped = plan.apply(Map.of());
            wiring.unsubscribe(dropped.removed());
            if (!dropped.removed().isEmpty()) {
                renegotiation.schedule();
            }
        } else {
            roomTracksChanged();
        }
    }

    /** The tracks it may receive: every other participant's, unless it may not subscribe. */
    private List<PublishedTrack> available() {
        return subscribing ? room.tracksFor(participantId) : List.of();
    }

    /** A relayed data-channel message for this participant (control thread); false when it has no relay channel. */
    DataRelay.Delivery deliverData(String label, byte[] envelope) {
        return closed ? DataRelay.Delivery.NO_CHANNEL : dataRelay.deliver(label, envelope);
    }

    /** The room's dominant speaker changed (control thread). */
    void dominantSpeakerChanged(String participantId) {
        if (!closed) {
            listener.dominantSpeakerChanged(participantId);
        }
    }

    /** The room moved to another video codec: the next offer's answer moves this participant's video lines to it. */
    void videoCodecChanged() {
        if (!closed && transport != null) {
            renegotiation.schedule();
        }
    }

    /** Another participant published or unpublished: drop what is gone, ask for an offer for what is new. */
    void roomTracksChanged() {
        if (closed || transport == null) {
            return; // the first offer will get whatever exists then
        }
        List<PublishedTrack> available = available();
        // A gone track's consumer went with its producer; the next answer marks its line inactive.
        if (plan.anyGone(available) || plan.unplaced(available) > 0) {
            renegotiation.schedule();
        }
    }

    /** From ICE / DTLS threads: hop to the control thread. */
    void transportEvent(WebRtcTransport t, WebRtcTransport.Event event, String reason) {
        room.service().control().execute(() -> onTransportEvent(t, event, reason));
    }

    private void onTransportEvent(WebRtcTransport t, WebRtcTransport.Event event, String reason) {
        if (closed || transport == null || !transport.is(t)) {
            return;
        }
        switch (event) {
            case DTLS_CONNECTED -> {
                connected = true;
                wiring.resumeConsumers(plan.subscriptions().stream()
                        .map(SubscriptionPlan.Subscription::consumerId)
                        .toList());
                LOG.info("{} media connected ({})", log, transport.srtpProfile());
                listener.mediaConnected();
            }
            case ICE_RESTARTED -> {
                LOG.info("{} ICE restart done: media and DTLS now on the new path", log);
                wiring.pathChanged();
            }
            case ICE_RESTART_FAILED -> LOG.warn("{} ICE restart failed, the old path is kept: {}", log, reason);
            case ICE_FAILED, DTLS_FAILED -> {
                boolean lost = connected && reason != null && reason.startsWith("CONSENT_EXPIRED");
                String wire = lost
                        ? "consent_expired"
                        : event == WebRtcTransport.Event.ICE_FAILED ? "ice_failed" : "dtls_failed";
                LOG.warn("{} media {}: {}", log, wire, reason);
                close(wire);
                if (lost) {
                    listener.mediaLost(wire);
                } else {
                    listener.mediaFailed(wire);
                }
            }
            default -> {}
        }
    }

    /** The room's router could not be made, so no media can flow: ends the session (join again to retry). */
    void routerFailed() {
        if (closed) {
            return;
        }
        LOG.warn("{} media router_failed: the room's router could not be created", log);
        close("router_failed");
        listener.mediaFailed("router_failed");
    }

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
        publications.clear().forEach(room::unpublished);
        plan.clear();
        if (transport != null) {
            discardTransport();
        }
        room.left(this);
        LOG.info("{} media closed ({})", log, reason);
    }

    ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("participantId", participantId);
        n.put("receiveOnly", receiveOnly);
        n.put("offers", negotiation.offers());
        n.put("renegotiationRequests", renegotiation.requests());
        n.put("renegotiationsHeldBack", renegotiation.heldBack());
        n.put("connected", connected);
        n.put("closed", closed);
        if (closeReason != null) {
            n.put("closeReason", closeReason);
        }
        ArrayNode pub = n.putArray("published");
        publications.tracks().forEach(t -> pub.add(t.toJson()));
        ArrayNode sub = n.putArray("subscriptions");
        plan.subscriptions()
                .forEach(s -> sub.addObject()
                        .put("mid", s.mid())
                        .put("producerId", s.track().producerId())
                        .put("consumerId", s.consumerId())
                        .put("ssrc", s.ssrc()));
        if (capture != null) {
            n.set("capture", capture.toJson());
        }
        if (transport != null) {
            n.set("transport", transport.toJson());
            n.set("bridgeDrops", transport.bridgeJson());
        }
        dataRelay.addJson(n.putObject("dataRelay"));
        return n;
    }

    /** The tracks this participant publishes now (a producer each), in line order; control thread only. */
    public List<PublishedTrack> published() {
        return List.copyOf(publications.tracks());
    }

    /** Test and debug view: the remote tracks placed on receiving lines, by mid. */
    public Map<String, String> subscriptions() {
        Map<String, String> m = new LinkedHashMap<>();
        plan.subscriptions().forEach(s -> m.put(s.mid(), s.track().producerId()));
        return m;
    }
}
