package dev.chorus.signaling.metrics;

import dev.chorus.sfu.conference.DataRelayTotals;
import dev.chorus.sfu.conference.MediaMetrics;
import dev.chorus.sfu.sctp.SctpCounters.Kind;
import dev.chorus.sfu.sctp.SctpMalformed;
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

        registerDataChannels();

        String dropsHelp = "Media packets dropped, by stage (transport, bridge, forwarding) and named reason";
        for (dev.chorus.sfu.drop.DropReason r : dev.chorus.sfu.drop.DropReason.values()) {
            drop(dropsHelp, r.stage().label(), r.name(), s -> s.media().drops(r));
        }
    }

    private void registerDataChannels() {
        counter(
                "chorus.data.relay.received.messages",
                null,
                "Data-channel messages taken in by the room data relay (valid, within the sender's rate)",
                s -> s.media().dataRelay().received());
        counter(
                "chorus.data.relay.received",
                "bytes",
                "Bytes of those messages, as sent",
                s -> s.media().dataRelay().receivedBytes());
        counter(
                "chorus.data.relay.delivered.messages",
                null,
                "Relayed messages handed to a recipient's data channel (one per recipient), the server API's included",
                s -> s.media().dataRelay().delivered());
        counter(
                "chorus.data.relay.delivered",
                "bytes",
                "Bytes of those messages, with their envelope",
                s -> s.media().dataRelay().deliveredBytes());
        counter(
                "chorus.data.relay.server.messages",
                null,
                "Messages the server API sent on the room data relay",
                s -> s.media().dataRelay().fromServer());
        for (DataRelayTotals.Refusal r : DataRelayTotals.Refusal.values()) {
            FunctionCounter.builder(
                            "chorus.data.relay.refused.messages",
                            this,
                            m -> m.read(s -> s.media().dataRelay().refused(r)))
                    .tag("reason", r.name())
                    .description(
                            "Data-channel messages the relay did not relay (or deliver to one recipient), by reason")
                    .register(registry);
        }
        sctp("chorus.sctp.received.messages", null, "Data-channel messages received whole", Kind.MESSAGES_IN);
        sctp("chorus.sctp.received", "bytes", "Bytes of those messages", Kind.BYTES_IN);
        sctp("chorus.sctp.sent.messages", null, "Data-channel messages sent", Kind.MESSAGES_OUT);
        sctp("chorus.sctp.sent", "bytes", "Bytes of those messages", Kind.BYTES_OUT);
        sctp("chorus.sctp.retransmitted.chunks", null, "SCTP DATA chunks sent again", Kind.RETRANSMITTED_CHUNKS);
        sctp(
                "chorus.sctp.fast.retransmits",
                null,
                "SCTP fast retransmissions (three gap reports)",
                Kind.FAST_RETRANSMITS);
        sctp("chorus.sctp.t3.expiries", null, "SCTP retransmission timer expiries", Kind.T3_EXPIRIES);
        sctp(
                "chorus.sctp.abandoned.messages",
                null,
                "Messages of partially reliable channels given up (maxRetransmits, maxPacketLifeTime)",
                Kind.ABANDONED_MESSAGES);
        for (SctpMalformed r : SctpMalformed.values()) {
            FunctionCounter.builder(
                            "chorus.sctp.malformed",
                            this,
                            m -> m.read(s -> s.media().sctp().get(r)))
                    .tag("reason", r.name())
                    .description("SCTP packets, chunks and data-channel messages refused, by reason"
                            + " (MESSAGE_TOO_LARGE: grown past chorus.media.data-channel-max-message-size)")
                    .register(registry);
        }
    }

    /** A counter of {@code kind} over every data-channel association. */
    private void sctp(String name, String unit, String help, Kind kind) {
        counter(name, unit, help, s -> s.media().sctp().get(kind));
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
