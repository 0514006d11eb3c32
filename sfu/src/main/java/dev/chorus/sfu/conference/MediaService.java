package dev.chorus.sfu.conference;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.buffer.PacketBufferPool;
import dev.chorus.sfu.drop.DropReason;
import dev.chorus.sfu.drop.DropStage;
import dev.chorus.sfu.drop.SharedDropCounters;
import dev.chorus.sfu.forward.PlacedRouter;
import dev.chorus.sfu.forward.RouterConfig;
import dev.chorus.sfu.forward.RouterRegistry;
import dev.chorus.sfu.record.RoomRecording;
import dev.chorus.sfu.relay.RelayPort;
import dev.chorus.sfu.transport.DtlsCertificate;
import dev.chorus.sfu.transport.MediaPorts;
import dev.chorus.sfu.transport.TransportConfig;
import dev.chorus.sfu.transport.WebRtcTransport;
import dev.chorus.sfu.worker.Clock;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SFU of one server: the shared UDP port, the DTLS certificate, the media workers and the
 * rooms. {@link #room}, {@link MediaRoom} and {@link MediaSession} are confined to one control
 * thread (the signaling thread); {@code control} runs tasks on it, which is how transport events
 * come back from ICE and DTLS threads.
 */
public final class MediaService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MediaService.class);

    /**
     * @param workers       media worker threads (rooms are spread over them)
     * @param poolBuffers   pooled packet buffers (each 1600 bytes); the pool may grow to 4x
     * @param queueCapacity per-worker queue of packets and commands
     * @param simulcast     whether a browser's simulcast is accepted ({@code chorus.media.simulcast})
     * @param dataChannels  the settings of data channels, or null when they are off
     *                      ({@code chorus.media.data-channels})
     * @param videoCodecs   the video codecs a room may use, preferred first ({@code chorus.media.video-codecs},
     *                      names as {@code CodecPolicy.VIDEO_CODECS} spells them)
     */
    public record Settings(
            TransportConfig transport,
            int workers,
            int poolBuffers,
            int queueCapacity,
            RouterConfig router,
            boolean simulcast,
            DataChannelSettings dataChannels,
            List<String> videoCodecs) {
        public Settings {
            if (workers < 1 || poolBuffers < 1 || queueCapacity < 64) {
                throw new IllegalArgumentException("need workers >= 1, poolBuffers >= 1, queueCapacity >= 64");
            }
            if (videoCodecs.isEmpty()) {
                throw new IllegalArgumentException("need at least one video codec");
            }
            videoCodecs = List.copyOf(videoCodecs);
        }

        /** For tests and tools: video codecs as reference.conf sets them. */
        public Settings(
                TransportConfig transport,
                int workers,
                int poolBuffers,
                int queueCapacity,
                RouterConfig router,
                boolean simulcast,
                DataChannelSettings dataChannels) {
            this(
                    transport,
                    workers,
                    poolBuffers,
                    queueCapacity,
                    router,
                    simulcast,
                    dataChannels,
                    MediaConfig.reference().settings().videoCodecs());
        }

        /** For tests and tools: data channels as reference.conf sets them. */
        public Settings(
                TransportConfig transport,
                int workers,
                int poolBuffers,
                int queueCapacity,
                RouterConfig router,
                boolean simulcast) {
            this(
                    transport,
                    workers,
                    poolBuffers,
                    queueCapacity,
                    router,
                    simulcast,
                    MediaConfig.reference().settings().dataChannels());
        }

        /** For tests and tools: simulcast as reference.conf sets it. */
        public Settings(
                TransportConfig transport, int workers, int poolBuffers, int queueCapacity, RouterConfig router) {
            this(
                    transport,
                    workers,
                    poolBuffers,
                    queueCapacity,
                    router,
                    MediaConfig.reference().simulcast());
        }
    }

    private final Settings settings;
    private final Executor control;
    private final MediaPorts ports;
    private final DtlsCertificate certificate;
    private final PacketBufferPool pool;
    private final RouterRegistry routers;
    private final ExecutorService closer;
    /** Writes packet captures (server API) to their files; idle unless one runs. */
    private final ScheduledExecutorService captureWriter;

    /** Room recordings and the thread that writes them. */
    private final Recordings recordings;
    /** The node's relay socket in cluster mode ({@link #openRelay}), else null. */
    private volatile RelayPort relayPort;

    private final DataRelayTotals dataRelayTotals = new DataRelayTotals();

    private final Map<String, MediaRoom> rooms = new LinkedHashMap<>();
    /** Bridge-stage drops of every session the service has had (an ingress's own counters go with it). */
    private final SharedDropCounters bridgeDrops = new SharedDropCounters(DropStage.BRIDGE);

    private boolean closed;
    /** Completes once {@link #closeAsync()} has released everything. */
    private CompletableFuture<Void> released;

    private MediaService(Settings settings, Executor control) throws IOException {
        this.settings = settings;
        this.control = control;
        this.certificate = DtlsCertificate.generate();
        this.pool = PacketBufferPool.create(settings.poolBuffers());
        this.ports = MediaPorts.open(settings.transport());
        this.routers = RouterRegistry.start(
                settings.workers(), pool, Clock.SYSTEM, settings.queueCapacity(), settings.router());
        // Freeing an ICE agent can take a while; keep it off the control thread.
        this.closer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "chorus-transport-closer");
            t.setDaemon(true);
            return t;
        });
        this.captureWriter = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "chorus-capture-writer");
            t.setDaemon(true);
            return t;
        });
        this.recordings =
                new Recordings(control, Clock.SYSTEM, settings.transport().setupThreadNice());
        TransportConfig tc = settings.transport();
        LOG.info(
                "media on udp {}{}, ice-tcp {}{} with {} worker(s), DTLS fingerprint {}",
                ports.localAddress(),
                tc.udpEnabled() ? "" : " (not announced: udp-enabled=false)",
                tc.tcpEnabled() ? ports.localTcpAddress() : "off",
                tc.advertisedAddress() == null
                        ? ""
                        : ", candidates announce " + tc.advertisedAddress().getHostAddress() + " (public-address)",
                settings.workers(),
                certificate.fingerprint());
    }

    public static MediaService start(Settings settings, Executor control) throws IOException {
        return new MediaService(settings, control);
    }

    /**
     * The room's media side, created with its router on first use. Never waits: the router's worker
     * is chosen here and its creation queued there, ahead of every command the room sends it. A
     * worker whose queue is full refuses the room at once. Control thread only.
     */
    public MediaRoom room(String roomId) throws MediaException {
        if (closed) {
            throw new MediaException(MediaException.Kind.UNAVAILABLE, "the media service is closed");
        }
        MediaRoom room = rooms.get(roomId);
        if (room == null) {
            PlacedRouter router = routers.placeRouter(roomId);
            Throwable refused = router.failure();
            if (refused != null) {
                LOG.error("[room={}] cannot create router", roomId, refused);
                throw new MediaException(MediaException.Kind.UNAVAILABLE, "the media server is overloaded", refused);
            }
            MediaRoom created = new MediaRoom(roomId, router, this);
            rooms.put(roomId, created);
            // Made on the worker later; should that fail, the room's sessions hear it on this thread.
            router.created().whenComplete((r, error) -> {
                if (error != null) {
                    control.execute(() -> routerFailed(created, error));
                }
            });
            room = created;
        }
        return room;
    }

    private void routerFailed(MediaRoom room, Throwable why) {
        LOG.error("[room={}] cannot create router", room.id(), why);
        room.routerFailed();
        roomEmpty(room); // if it had no session to end, it goes now
    }

    /** Called by a room whose last session left. */
    void roomEmpty(MediaRoom room) {
        if (rooms.get(room.id()) == room) {
            rooms.remove(room.id());
            routers.closeRouter(room.id());
        }
    }

    /**
     * Starts recording {@code roomId} into {@code dir} (which must not exist): every VP8 and Opus track published in
     * it, now and later, until {@link #stopRecording}. The room need not have media yet. Control thread.
     *
     * @param onEnded told on the control thread once the files are closed (stopped, or failed on their own)
     * @throws MediaException NOT_READY while the room is recorded already; UNAVAILABLE when closed or the
     *     directory cannot be made
     */
    public RoomRecording startRecording(String roomId, String recordingId, Path dir, Consumer<RoomRecording> onEnded)
            throws MediaException {
        if (closed) {
            throw new MediaException(MediaException.Kind.UNAVAILABLE, "the media service is closed");
        }
        RoomRecording r = recordings.start(roomId, recordingId, dir, onEnded);
        MediaRoom room = rooms.get(roomId);
        if (room != null) {
            room.recordingStarted(r);
        }
        return r;
    }

    /** Stops the room's recording (its files are closed on the writer soon after); false when none runs. */
    public boolean stopRecording(String roomId) {
        RoomRecording r = recordings.running(roomId);
        if (r == null) {
            return false;
        }
        MediaRoom room = rooms.get(roomId);
        if (room != null) {
            room.recordingStopped();
        }
        r.stop();
        return true;
    }

    /**
     * Sends {@code dataJson} (a JSON value's text) on the room data relay as {@code {"from": "server", "data": ...}} to
     * everyone in {@code recipients}, on their {@code chorus} channel ({@code reliable}) or their
     * {@code chorus-unreliable} one (else their {@code chorus} one). Control thread.
     *
     * @param recipients the participant ids to send to (the caller knows who is in the room)
     */
    public ServerData sendData(String roomId, List<String> recipients, boolean reliable, String dataJson) {
        dataRelayTotals.count(DataRelayTotals.Counter.FROM_SERVER, 1);
        byte[] envelope = ("{\"from\":\"" + ServerData.SENDER + "\",\"data\":" + dataJson + "}")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        MediaRoom room = closed ? null : rooms.get(roomId);
        Map<String, DataRelay.Delivery> done = room == null
                ? Map.of()
                : room.deliverFromServer(
                        reliable ? DataRelay.LABEL_PREFIX : DataRelay.UNRELIABLE_LABEL, recipients, envelope);
        List<String> sent = new java.util.ArrayList<>();
        List<String> noChannel = new java.util.ArrayList<>();
        List<String> tooLarge = new java.util.ArrayList<>();
        for (String id : recipients) {
            DataRelay.Delivery d = done.getOrDefault(id, DataRelay.Delivery.NO_CHANNEL);
            (d == DataRelay.Delivery.SENT ? sent : d == DataRelay.Delivery.TOO_LARGE ? tooLarge : noChannel).add(id);
        }
        LOG.info(
                "[room={}] server data message of {} bytes ({}): sent to {}, no channel {}, too large {}",
                roomId,
                envelope.length,
                reliable ? "reliable" : "unreliable",
                sent.size(),
                noChannel.size(),
                tooLarge.size());
        return new ServerData(List.copyOf(sent), List.copyOf(noChannel), List.copyOf(tooLarge));
    }

    /** The room data relay's totals over every session. */
    DataRelayTotals dataRelayTotals() {
        return dataRelayTotals;
    }

    /**
     * Opens the socket other cluster nodes relay rooms' media to (once; later calls return the same port). Only
     * addresses given to {@link RelayPort#allowSources} are read.
     */
    public synchronized RelayPort openRelay(InetSocketAddress bind) throws IOException {
        if (closed) {
            throw new IOException("the media service is closed");
        }
        if (relayPort == null) {
            relayPort = RelayPort.open(bind);
        }
        return relayPort;
    }

    /** The relay socket, or null outside cluster mode. */
    public RelayPort relayPort() {
        return relayPort;
    }

    /** The room recordings: running ones, and each room's last one. */
    public Recordings recordings() {
        return recordings;
    }

    /** The room's media side, or null when nobody in it has offered yet. */
    public MediaRoom existingRoom(String roomId) {
        return rooms.get(roomId);
    }

    /** The clock of the control thread's timing (the one the media workers run on). */
    Clock clock() {
        return Clock.SYSTEM;
    }

    Executor control() {
        return control;
    }

    Settings settings() {
        return settings;
    }

    MediaPorts ports() {
        return ports;
    }

    DtlsCertificate certificate() {
        return certificate;
    }

    PacketBufferPool pool() {
        return pool;
    }

    SharedDropCounters bridgeDrops() {
        return bridgeDrops;
    }

    ScheduledExecutorService captureWriter() {
        return captureWriter;
    }

    void closeLater(WebRtcTransport transport) {
        try {
            closer.execute(transport::close);
        } catch (RuntimeException e) {
            transport.close(); // the closer is gone: we are shutting down anyway
        }
    }

    public int udpPort() {
        return ports.localAddress().getPort();
    }

    /** The ICE-TCP listening port, or -1 when ICE-TCP is off. */
    public int tcpPort() {
        java.net.InetSocketAddress a = ports.localTcpAddress();
        return a == null ? -1 : a.getPort();
    }

    public String fingerprint() {
        return certificate.fingerprint();
    }

    /** Open transports on the shared port (tests check it returns to its baseline). */
    /** Packets sent on every transport since start (media, retransmissions, RTCP); any thread. */
    public long packetsSent() {
        return ports.totals().packetsSent();
    }

    public int transportCount() {
        return ports.transportCount();
    }

    public long poolOutstanding() {
        return pool.outstanding();
    }

    public List<String> roomIds() {
        return List.copyOf(rooms.keySet());
    }

    /**
     * Everything for {@code /debug}: rooms with their sessions and transports (read here, so call
     * it on the control thread) and every router and worker (read on their own threads).
     */
    public CompletableFuture<ObjectNode> debugJson() {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("udpPort", udpPort());
        root.put("fingerprint", certificate.fingerprint());
        root.put("transports", ports.transportCount());
        root.put("rejectedIceSessions", ports.rejectedSessions());
        root.put("addressesReleasedForIceRestarts", ports.addressesReleasedForIceRestarts());
        root.put("checksWithWrongRemoteUfrag", ports.wrongRemoteUfrag());
        root.set("iceTcp", ports.tcpJson());
        root.set("dtlsHandshakes", ports.dtlsJson());
        root.set("pool", pool.toJson());
        RelayPort relay = relayPort;
        if (relay != null) {
            root.set("relay", relay.toJson());
        }
        ArrayNode roomArray = root.putArray("rooms");
        rooms.values().forEach(r -> roomArray.add(r.toJson()));
        root.set("recordings", recordings.toJson());
        ObjectNode data = root.putObject("dataChannels");
        data.set("relay", dataRelayTotals.snapshot().toJson());
        ports.sctpTotals().addJson(data.putObject("sctp"));
        return routers.debugJson().thenApply(forwarding -> {
            root.set("forwarding", forwarding);
            return root;
        });
    }

    /**
     * The numbers a metrics scrape exposes. Rooms and sessions are read here (call it on the control
     * thread), transport totals from thread-safe counters, and forwarding totals by one command per
     * worker, read on the worker's own thread like {@link #debugJson()}: cheap, and never racing the
     * packet path. Completes once every worker has answered.
     */
    public CompletableFuture<MediaMetrics> metrics() {
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("the media service is closed"));
        }
        int roomCount = rooms.size();
        int sessions = 0;
        for (MediaRoom r : rooms.values()) {
            sessions += r.sessionCount();
        }
        int sessionCount = sessions;
        int transports = ports.transportCount();
        long rejected = ports.rejectedSessions();
        long inUse = pool.outstanding();
        var transportTotals = ports.totals();
        int recordingsRunning = recordings.runningCount();
        long recordingsStarted = recordings.startedCount();
        long recordingDrops = recordings.droppedBusyTotal();
        DataRelayTotals.Snapshot relay = dataRelayTotals.snapshot();
        dev.chorus.sfu.sctp.SctpCounters sctp = ports.sctpTotals();
        long[] bridge = new long[DropReason.values().length];
        bridgeDrops.addTo(bridge);
        return routers.statsSnapshot()
                .thenApply(forwarding -> new MediaMetrics(
                        roomCount,
                        sessionCount,
                        transports,
                        rejected,
                        inUse,
                        transportTotals,
                        forwarding,
                        bridge,
                        recordingsRunning,
                        recordingsStarted,
                        recordingDrops,
                        relay,
                        sctp));
    }

    /**
     * Closes every session now, then releases the routers, the workers, the transports still closing
     * and the port on a thread of its own (that takes seconds: worker threads are joined, transports
     * get up to 5 s). Completes when everything is released. Control thread; never waits; idempotent.
     */
    public CompletableFuture<Void> closeAsync() {
        if (closed) {
            return released;
        }
        closed = true;
        for (MediaRoom room : List.copyOf(rooms.values())) {
            room.close();
        }
        rooms.clear();
        CompletableFuture<Void> done = new CompletableFuture<>();
        released = done;
        Thread releaser = new Thread(
                () -> {
                    try {
                        release();
                        done.complete(null);
                    } catch (RuntimeException | Error e) {
                        done.completeExceptionally(e);
                    }
                },
                "chorus-media-release");
        releaser.setDaemon(true);
        releaser.start();
        return done;
    }

    private void release() {
        routers.close();
        RelayPort relay = relayPort;
        if (relay != null) {
            relay.close();
        }
        recordings.close(); // every file gets its last cluster, duration and size
        captureWriter.shutdown(); // a capture still running keeps what its last drain flushed
        closer.shutdown();
        try {
            if (!closer.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("transports still closing after 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ports.close();
        LOG.info("media service closed");
    }

    /**
     * {@link #closeAsync()} and waits until everything is released: for tests and shutdown hooks,
     * never on an event loop.
     */
    @Override
    public void close() {
        closeAsync().join();
    }
}
