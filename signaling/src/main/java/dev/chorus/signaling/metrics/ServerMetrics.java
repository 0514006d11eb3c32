package dev.chorus.signaling.metrics;

import dev.chorus.sfu.conference.MediaMetrics;
import dev.chorus.sfu.transport.TransportTotals;
import dev.chorus.sfu.worker.ForwardingStats;
import dev.chorus.sfu.worker.WorkerStats.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.function.ToDoubleFunction;

/**
 * The server's Prometheus metrics (Micrometer with its Prometheus registry). Chorus meters read
 * the latest {@link Snapshot}, which the HTTP handler takes right before each scrape: signaling
 * counts on the signaling thread, media counts through {@code MediaService.metrics()} (each media
 * worker copies its own counters on its own thread). So a scrape costs one small command per worker
 * and never reads media state unsafely; between scrapes nothing is done at all. JVM meters
 * (memory, GC, threads, classes, CPU, uptime, file descriptors) come from Micrometer's binders.
 *
 * <p>Thread-safe: scrapes may run concurrently; a snapshot older than the one in place is ignored,
 * so counters never go backwards.
 */
public final class ServerMetrics implements AutoCloseable {

    /** What the signaling side knows, read on its thread. */
    public record Signaling(
            int rooms,
            int participants,
            int viewers,
            int connections,
            boolean draining,
            int joinsWaiting,
            long joinsQueued,
            long joinsRefused) {}

    /** Everything one scrape reports; {@code sequence} orders snapshots taken concurrently. */
    public record Snapshot(long sequence, Signaling signaling, MediaMetrics media) {}

    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
    private volatile Snapshot latest;

    public ServerMetrics() {
        new JvmMemoryMetrics().bindTo(registry);
        gcMetrics.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        registerSignaling();
        registerMedia();
    }

    /** Installs {@code snapshot} (unless a newer one is in place) and renders every meter. */
    public synchronized String scrape(Snapshot snapshot) {
        Snapshot current = latest;
        if (current == null || snapshot.sequence() > current.sequence()) {
            latest = snapshot;
        }
        return registry.scrape();
    }

    /** The registry, for tests and for adding meters. */
    public MeterRegistry registry() {
        return registry;
    }

    @Override
    public void close() {
        gcMetrics.close();
        registry.close();
    }

    // ---------------------------------------------------------------- meters

    private void registerSignaling() {
        gauge(
                "chorus.rooms",
                "Rooms with at least one participant",
                s -> s.signaling().rooms());
        gauge(
                "chorus.participants",
                "Participants joined to a room",
                s -> s.signaling().participants());
        gauge(
                "chorus.viewers",
                "Of the joined participants, the receive-only viewers of broadcast rooms (counted, not listed, to the rooms)",
                s -> s.signaling().viewers());
        gauge(
                "chorus.connections",
                "Open signaling WebSockets, joined or not",
                s -> s.signaling().connections());
        gauge(
                "chorus.draining",
                "1 while the server is shutting down and refuses new joins",
                s -> s.signaling().draining() ? 1 : 0);
        gauge(
                "chorus.joins.waiting",
                "Joins waiting their turn in the server-wide join queue (chorus.signaling.joins-per-second)",
                s -> s.signaling().joinsWaiting());
        counter(
                "chorus.joins.queued",
                null,
                "Joins that had to wait their turn in the join queue",
                s -> s.signaling().joinsQueued());
        counter(
                "chorus.joins.refused",
                null,
                "Joins refused (server_busy) because the join queue was full",
                s -> s.signaling().joinsRefused());
    }

    private void registerMedia() {
        gauge("chorus.media.rooms", "Rooms with a media router", s -> s.media().rooms());
        gauge(
                "chorus.media.sessions",
                "Participants' media sessions",
                s -> s.media().sessions());
        gauge(
                "chorus.media.transports",
                "Open ICE/DTLS/SRTP transports",
                s -> s.media().transports());
        gauge(
                "chorus.media.producers",
                "Streams published to the SFU (one per track)",
                s -> fwd(s).get(Counter.PRODUCERS));
        gauge(
                "chorus.media.consumers",
                "Streams forwarded by the SFU (one per subscriber and track)",
                s -> fwd(s).get(Counter.CONSUMERS));
        gauge(
                "chorus.media.buffers.in.use",
                "Pooled packet buffers handed out",
                s -> s.media().buffersInUse());
        gauge(
                "chorus.media.worker.queued",
                "Packets and commands waiting in the media workers' queues",
                s -> fwd(s).queued());

        gauge(
                "chorus.recordings",
                "Room recordings running (server API or moderators)",
                s -> s.media().recordingsRunning());
        counter(
                "chorus.recordings.started",
                null,
                "Room recordings started",
                s -> s.media().recordingsStarted());
        counter(
                "chorus.recording.dropped.packets",
                null,
                "Packets room recordings left out because their writer fell behind (forwarding never waits for it)",
                s -> s.media().recordingDroppedBusy());
        counter(
                "chorus.transport.received.packets",
                null,
                "Datagrams received by media transports (SRTP, SRTCP, DTLS)",
                s -> tr(s).packetsReceived());
        counter(
                "chorus.transport.received",
                "bytes",
                "Bytes received by media transports, as on the wire",
                s -> tr(s).bytesReceived());
        counter("chorus.transport.sent.packets", null, "Datagrams sent by media transports", s -> tr(s).packetsSent());
        counter(
                "chorus.transport.sent",
                "bytes",
                "Bytes sent by media transports, as on the wire",
                s -> tr(s).bytesSent());
        counter(
                "chorus.rtp.received.packets",
                null,
                "RTP packets from publishers that reached the forwarding layer",
                s -> fwd(s).get(Counter.RTP_PACKETS_RECEIVED));
        counter(
                "chorus.rtp.received",
                "bytes",
                "Bytes of those RTP packets (decrypted)",
                s -> fwd(s).get(Counter.RTP_BYTES_RECEIVED));
        counter(
                "chorus.rtp.forwarded.packets",
                null,
                "RTP packets forwarded to subscribers",
                s -> fwd(s).get(Counter.RTP_PACKETS_FORWARDED));
        counter(
                "chorus.rtp.forwarded",
                "bytes",
                "Bytes of forwarded RTP packets (before encryption)",
                s -> fwd(s).get(Counter.RTP_BYTES_FORWARDED));
        counter(
                "chorus.rtcp.received.packets",
                null,
                "RTCP compound packets from participants",
                s -> fwd(s).get(Counter.RTCP_PACKETS_RECEIVED));
        counter(
                "chorus.rtcp.sent.packets",
                null,
                "RTCP compound packets the SFU sent (reports, PLIs)",
                s -> fwd(s).get(Counter.RTCP_PACKETS_SENT));
        feedback(
                "chorus.rtcp.feedback.received",
                "pli",
                "RTCP feedback messages received from subscribers",
                Counter.PLI_RECEIVED);
        feedback(
                "chorus.rtcp.feedback.received",
                "fir",
                "RTCP feedback messages received from subscribers",
                Counter.FIR_RECEIVED);
        feedback(
                "chorus.rtcp.feedback.received",
                "nack",
                "RTCP feedback messages received from subscribers",
                Counter.NACK_RECEIVED);
        feedback(
                "chorus.rtcp.feedback.sent",
                "pli",
                "RTCP feedback messages the SFU sent to publishers",
                Counter.PLI_SENT);
        feedback(
                "chorus.rtcp.feedback.sent",
                "nack",
                "RTCP feedback messages the SFU sent to publishers",
                Counter.NACK_SENT);
        counter(
                "chorus.rtp.retransmitted.packets",
                null,
                "RTP packets resent to subscribers that NACKed them",
                s -> fwd(s).get(Counter.RTP_PACKETS_RETRANSMITTED));
        counter(
                "chorus.media.ice.rejected",
                null,
                "ICE sessions refused because of their source address",
                s -> s.media().rejectedIceSessions());

        String dropsHelp = "Media packets dropped, by stage (transport, bridge, forwarding) and named reason";
        for (dev.chorus.sfu.drop.DropReason r : dev.chorus.sfu.drop.DropReason.values()) {
            drop(dropsHelp, r.stage().label(), r.name(), s -> s.media().drops(r));
        }
    }

    private static TransportTotals tr(Snapshot s) {
        return s.media().transport();
    }

    private static ForwardingStats fwd(Snapshot s) {
        return s.media().forwarding();
    }

    /** The value of {@code f} on the latest snapshot, or NaN before the first scrape. */
    private double read(ToDoubleFunction<Snapshot> f) {
        Snapshot s = latest;
        return s == null ? Double.NaN : f.applyAsDouble(s);
    }

    private void gauge(String name, String help, ToDoubleFunction<Snapshot> f) {
        Gauge.builder(name, this, m -> m.read(f)).description(help).register(registry);
    }

    private void counter(String name, String unit, String help, ToDoubleFunction<Snapshot> f) {
        FunctionCounter.builder(name, this, m -> m.read(f))
                .baseUnit(unit)
                .description(help)
                .register(registry);
    }

    private void feedback(String name, String type, String help, Counter counter) {
        FunctionCounter.builder(name, this, m -> m.read(s -> fwd(s).get(counter)))
                .tag("type", type)
                .description(help)
                .register(registry);
    }

    private void drop(String help, String stage, String reason, ToDoubleFunction<Snapshot> f) {
        FunctionCounter.builder("chorus.media.drops", this, m -> m.read(f))
                .tag("stage", stage)
                .tag("reason", reason)
                .description(help)
                .register(registry);
    }
}
