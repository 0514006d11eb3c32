package dev.chorus.sfu.conference;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.forward.PlacedRouter;
import dev.chorus.sfu.forward.ProducerParams;
import dev.chorus.sfu.forward.Router;
import dev.chorus.sfu.record.RoomRecording;
import dev.chorus.sfu.record.TrackInfo;
import dev.chorus.sfu.record.TrackTap;
import dev.chorus.sfu.worker.MediaWorker;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The media side of one room: its router, its participants' sessions and the tracks they
 * publish. Control thread only; router work is queued to the router's worker in order, behind
 * the router's own creation, so nothing here waits for the router.
 */
public final class MediaRoom {
    private static final Logger LOG = LoggerFactory.getLogger(MediaRoom.class);

    private final String id;
    private final PlacedRouter router;
    private final MediaService service;
    private final Map<String, MediaSession> sessions = new LinkedHashMap<>();
    /** Every track published in the room, by producer id, in publication order. */
    private final Map<String, PublishedTrack> tracks = new LinkedHashMap<>();

    private final RoomVideoCodec videoCodec;
    /** How each track's packets look (payload types, extension ids, SSRCs or rids), for relaying it to other nodes. */
    private final Map<String, ProducerParams> producerParams = new LinkedHashMap<>();
    /** The room's media to and from other cluster nodes. */
    private final RoomRelays relays = new RoomRelays(this);

    /** The participant who spoke last as the router decided it, null before anyone did. */
    private String dominantSpeaker;

    private boolean closed;

    MediaRoom(String id, PlacedRouter router, MediaService service) {
        this.id = id;
        this.router = router;
        this.service = service;
        this.videoCodec = new RoomVideoCodec(service.settings().videoCodecs());
        // The router decides on its worker; the sessions hear it on the control thread.
        onRouter(
                "listen to " + id,
                r -> r.setListener(new Router.Listener() {
                    @Override
                    public void onDominantSpeaker(String endpointId) {
                        service.control().execute(() -> dominantSpeakerChanged(endpointId));
                    }

                    @Override
                    public void onVideosPaused(String endpointId, List<String> consumerIds) {
                        service.control().execute(() -> videosPaused(endpointId, consumerIds));
                    }

                    @Override
                    public void onPublisherLayers(String endpointId, String producerId, int layers) {
                        service.control().execute(() -> publisherLayers(endpointId, producerId, layers));
                    }
                }));
    }

    private void publisherLayers(String participantId, String producerId, int layers) {
        MediaSession s = sessions.get(participantId);
        if (!closed && s != null) {
            s.publisherLayers(producerId, layers);
        }
    }

    private void videosPaused(String participantId, List<String> consumerIds) {
        MediaSession s = sessions.get(participantId);
        if (!closed && s != null) {
            s.videosPaused(consumerIds);
        }
    }

    private void dominantSpeakerChanged(String participantId) {
        if (closed) {
            return;
        }
        dominantSpeaker = participantId;
        for (MediaSession s : List.copyOf(sessions.values())) {
            s.dominantSpeakerChanged(participantId);
        }
    }

    public String id() {
        return id;
    }

    MediaService service() {
        return service;
    }

    /** The worker that runs the room's router: packets of the room's transports go there. */
    MediaWorker worker() {
        return router.worker();
    }

    /** A session for {@code participantId}; it creates its transport on its first offer. */
    public MediaSession join(String participantId, MediaSessionListener listener) throws MediaException {
        return join(participantId, listener, false);
    }

    /**
     * A session that only receives (a broadcast room's viewer): an offer that sends on any line is
     * refused ({@link MediaException.Kind#NOT_ALLOWED}), so it never publishes and the others never
     * renegotiate because of it.
     */
    public MediaSession joinReceiveOnly(String participantId, MediaSessionListener listener) throws MediaException {
        return join(participantId, listener, true);
    }

    private MediaSession join(String participantId, MediaSessionListener listener, boolean receiveOnly)
            throws MediaException {
        if (closed) {
            throw new MediaException(MediaException.Kind.UNAVAILABLE, "room " + id + " is closed");
        }
        if (sessions.containsKey(participantId)) {
            throw new IllegalArgumentException("participant " + participantId + " already has a media session");
        }
        MediaSession session = new MediaSession(participantId, this, listener, receiveOnly);
        sessions.put(participantId, session);
        if (dominantSpeaker != null) {
            // After the caller has its session: a late joiner learns who is speaking.
            String speaker = dominantSpeaker;
            service.control().execute(() -> session.dominantSpeakerChanged(speaker));
        }
        return session;
    }

    /** Runs {@code op} on the router's worker after every op queued before it. */
    void onRouter(String what, Consumer<Router> op) {
        boolean queued = router.worker().submit(() -> {
            Router r = router.router();
            if (r == null) {
                LOG.error("[room={}] router command skipped, the router was not created: {}", id, what);
                return;
            }
            try {
                op.accept(r);
            } catch (RuntimeException e) {
                LOG.error("[room={}] router command failed: {}", id, what, e);
            }
        });
        if (!queued) {
            LOG.error("[room={}] router command dropped, worker queue full: {}", id, what);
        }
    }

    /** Tracks this participant may subscribe to: everyone else's, in publication order. */
    List<PublishedTrack> tracksFor(String participantId) {
        List<PublishedTrack> list = new ArrayList<>();
        for (PublishedTrack t : tracks.values()) {
            if (!t.publisherId().equals(participantId)) {
                list.add(t);
            }
        }
        return list;
    }

    boolean hasTrack(String producerId) {
        return tracks.containsKey(producerId);
    }

    /** The room's media to and from other cluster nodes (cluster mode). */
    public RoomRelays relays() {
        return relays;
    }

    boolean hasSession(String participantId) {
        return sessions.containsKey(participantId);
    }

    /** What another node needs to receive {@code publisherId}'s tracks over a relay: everything it publishes now. */
    public List<RelayedTrack> relayedTracks(String publisherId) {
        List<RelayedTrack> list = new ArrayList<>();
        for (PublishedTrack t : tracks.values()) {
            ProducerParams p = producerParams.get(t.producerId());
            if (t.publisherId().equals(publisherId) && p != null) {
                list.add(new RelayedTrack(t, p));
            }
        }
        return list;
    }

    void published(PublishedTrack track, ProducerParams params) {
        tracks.put(track.producerId(), track);
        producerParams.put(track.producerId(), params);
        LOG.info(
                "[room={} participant={}] publishes {} {} (mid {}, {})",
                id,
                track.publisherId(),
                track.source().wire(),
                track.kind().token(),
                track.mid(),
                track.streams());
        othersChanged(track.publisherId());
        RoomRecording r = service.recordings().running(id);
        if (r != null) {
            record(r, track);
        }
    }

    /** A recording of the room started: every track published now goes into it. */
    void recordingStarted(RoomRecording r) {
        for (PublishedTrack t : tracks.values()) {
            record(r, t);
        }
    }

    /** The room's recording stops: the producers stop feeding it. */
    void recordingStopped() {
        for (PublishedTrack t : tracks.values()) {
            String producerId = t.producerId();
            onRouter("stop recording " + producerId, router -> {
                if (router.hasProducer(producerId)) {
                    router.producer(producerId).setRecordTap(null);
                }
            });
        }
    }

    private void record(RoomRecording r, PublishedTrack t) {
        if (!RoomRecording.canRecord(t.codec())) {
            LOG.warn(
                    "[room={} participant={}] {} not recorded: the recorder has no writer for {}",
                    id,
                    t.publisherId(),
                    t.producerId(),
                    t.codec());
            return;
        }
        TrackTap tap = r.addTrack(new TrackInfo(
                id, t.publisherId(), t.producerId(), t.codec(), t.source().wire()));
        String producerId = t.producerId();
        onRouter("record " + producerId, router -> {
            if (router.hasProducer(producerId)) {
                router.producer(producerId).setRecordTap(tap);
            }
        });
    }

    void unpublished(PublishedTrack track) {
        if (tracks.remove(track.producerId()) == null) {
            return;
        }
        producerParams.remove(track.producerId());
        RoomRecording r = service.recordings().running(id);
        if (r != null) {
            r.trackEnded(track.producerId());
        }
        LOG.info(
                "[room={} participant={}] unpublishes {} {} (mid {})",
                id,
                track.publisherId(),
                track.source().wire(),
                track.kind().token(),
                track.mid());
        othersChanged(track.publisherId());
    }

    private void othersChanged(String publisherId) {
        for (MediaSession s : List.copyOf(sessions.values())) {
            if (!s.participantId().equals(publisherId)) {
                s.roomTracksChanged();
            }
        }
    }

    /**
     * The data relay's fan-out (control thread): {@code envelope} from {@code fromId} to every other session of the
     * room, or to those in {@code to}; returns the ids of those whose browser cannot take a message that large.
     */
    List<String> relayData(String fromId, String label, List<String> to, byte[] envelope) {
        List<String> tooLarge = new java.util.ArrayList<>();
        for (MediaSession s : sessions.values()) {
            if (!s.participantId().equals(fromId)
                    && (to == null || to.contains(s.participantId()))
                    && s.deliverData(label, envelope) == DataRelay.Delivery.TOO_LARGE) {
                tooLarge.add(s.participantId());
            }
        }
        return tooLarge;
    }

    /**
     * A message of the server's own (the server API) for the room's sessions, or those in {@code to}, on their channel
     * of {@code label} (else their {@code chorus} one). Control thread.
     *
     * @return by participant id, what became of it at each session addressed
     */
    Map<String, DataRelay.Delivery> deliverFromServer(String label, List<String> to, byte[] envelope) {
        Map<String, DataRelay.Delivery> out = new LinkedHashMap<>();
        for (MediaSession s : sessions.values()) {
            if (to == null || to.contains(s.participantId())) {
                out.put(s.participantId(), s.deliverData(label, envelope));
            }
        }
        return out;
    }

    RoomVideoCodec videoCodec() {
        return videoCodec;
    }

    /**
     * {@code participantId}'s offer was answered in {@code decision}'s codec. When that switched the room's codec,
     * everyone else is asked for a new offer, whose answer moves their video to it.
     */
    void videoCodecAccepted(String participantId, RoomVideoCodec.Decision decision) {
        String before = videoCodec.current();
        videoCodec.accept(participantId, decision);
        if (!decision.switched()) {
            return;
        }
        LOG.info(
                "[room={}] video codec {} -> {}: participant {} decodes only {}; asking the others for new offers",
                id,
                before,
                decision.codec(),
                participantId,
                decision.takes());
        for (MediaSession s : List.copyOf(sessions.values())) {
            if (!s.participantId().equals(participantId)) {
                s.videoCodecChanged();
            }
        }
    }

    void left(MediaSession session) {
        if (sessions.get(session.participantId()) != session) {
            return;
        }
        sessions.remove(session.participantId());
        videoCodec.left(session.participantId());
        relays.localLeft(session.participantId());
        if (sessions.isEmpty()) {
            relays.close();
            endRecordedTracks();
            closed = true;
            service.roomEmpty(this);
        }
    }

    /**
     * The room's signaling ended on this node while no session of it has media (only other nodes' publishers were
     * relayed here): its relays and router go now, as a last session's leave would take them.
     */
    public void closeIfUnused() {
        if (closed || !sessions.isEmpty()) {
            return;
        }
        relays.close();
        closed = true;
        service.roomEmpty(this);
    }

    public boolean isClosed() {
        return closed;
    }

    int sessionCount() {
        return sessions.size();
    }

    /** The router could not be made (see {@link MediaService#room}): every session fails, and the room ends. */
    void routerFailed() {
        for (MediaSession s : List.copyOf(sessions.values())) {
            s.routerFailed();
        }
        closed = true;
    }

    /** Closes every session (server shutdown). */
    void close() {
        for (MediaSession s : List.copyOf(sessions.values())) {
            s.close();
        }
        relays.close();
        endRecordedTracks();
        closed = true;
    }

    /** The room's media goes away (the recording, if any, goes on for whoever comes next): its files end. */
    private void endRecordedTracks() {
        RoomRecording r = service.recordings().running(id);
        if (r != null) {
            for (PublishedTrack t : tracks.values()) {
                r.trackEnded(t.producerId());
            }
        }
    }

    ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("id", id);
        n.put("worker", router.worker().name());
        n.put("dominantSpeaker", dominantSpeaker);
        n.set("video", videoCodec.toJson());
        ArrayNode t = n.putArray("tracks");
        tracks.values().forEach(x -> t.add(x.toJson()));
        ArrayNode s = n.putArray("sessions");
        sessions.values().forEach(x -> s.add(x.toJson()));
        n.set("relays", relays.toJson());
        return n;
    }
}
