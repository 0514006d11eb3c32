package dev.chorus.loadtest;

import static dev.chorus.loadtest.LoadTestMain.round;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.testkit.netsim.FlowStats;
import dev.chorus.testkit.netsim.UdpImpairmentProxy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one loss level of the quality table measured: from everything read at the two edges of the measuring
 * window ({@link Window}: the pages' getStats(), the server's /debug and /metrics, the proxy's flows), the
 * deltas per receiving page ({@link Receiver}) and server-wide ({@link Level}). No I/O here: {@link QualityRun}
 * reads, {@link QualityReport} writes.
 */
final class QualityFigures {
    private static final String[] NAMES = QualityRun.NAMES;

    private QualityFigures() {}

    /** One receiving page of one level, all figures over the measuring window. */
    record Receiver(
            String name,
            String from,
            double seconds,
            double fps,
            double senderFps,
            long framesDecoded,
            long freezeCount,
            double freezeSeconds,
            long videoPacketsReceived,
            long videoPacketsLost,
            long videoRetransmittedReceived,
            long nackCount,
            long pliCount,
            long audioPacketsReceived,
            long audioPacketsLost,
            long audioSamples,
            long audioConcealedSamples,
            long sfuNacksReceived,
            long sfuNackedPackets,
            long sfuRetransmitted,
            long sfuRetransmittedRtx,
            long sfuNackMisses,
            Map<String, Long> sfuNackMissesByReason,
            long sfuNacksToSender,
            long proxyDroppedToReceiver,
            long proxyDroppedFromSender,
            String failure) {

        double videoLossPercent() {
            long total = videoPacketsReceived + videoPacketsLost;
            return total > 0 ? 100.0 * videoPacketsLost / total : 0;
        }

        double audioLossPercent() {
            long total = audioPacketsReceived + audioPacketsLost;
            return total > 0 ? 100.0 * audioPacketsLost / total : 0;
        }

        /** The audio lost after recovery: what the decoder had to make up (concealedSamples / totalSamplesReceived). */
        double audioConcealedPercent() {
            return audioSamples > 0 ? 100.0 * audioConcealedSamples / audioSamples : Double.NaN;
        }
    }

    /** One level: its receivers and the server-wide counter deltas (NaN when /metrics did not answer). */
    record Level(
            double lossPercent,
            boolean red,
            List<Receiver> receivers,
            double metricsNacksReceived,
            double metricsNacksSent,
            double metricsRetransmitted,
            ObjectNode proxy) {}

    /** Everything read at one edge of the measuring window. */
    record Window(
            long nanos, PageSnapshot[] pages, JsonNode debug, String metrics, List<FlowStats> flows, String[] ufrags) {}

    /** A level whose call failed: its receivers carry the reason and no figures. */
    static Level failedLevel(double lossPercent, boolean red, String why) {
        List<Receiver> receivers = new ArrayList<>();
        for (int i = 0; i < NAMES.length; i++) {
            receivers.add(new Receiver(
                    NAMES[i],
                    NAMES[1 - i],
                    0,
                    Double.NaN,
                    Double.NaN,
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                    Map.of(),
                    0,
                    0,
                    0,
                    why));
        }
        return new Level(
                lossPercent,
                red,
                List.copyOf(receivers),
                Double.NaN,
                Double.NaN,
                Double.NaN,
                new ObjectMapper().createObjectNode());
    }

    static PageSnapshot.Stream video(PageSnapshot s) {
        return s.inbound().stream()
                .filter(PageSnapshot.Stream::video)
                .findFirst()
                .orElse(null);
    }

    private static PageSnapshot.Stream audio(PageSnapshot s) {
        return s.inbound().stream()
                .filter(x -> "audio".equals(x.kind()))
                .findFirst()
                .orElse(null);
    }

    /** The level's figures over the window from a to b; {@code ready} holds each page's participant id. */
    static Level level(
            double lossPercent, boolean red, PageSnapshot[] ready, Window a, Window b, UdpImpairmentProxy proxy) {
        List<Receiver> receivers = new ArrayList<>();
        for (int i = 0; i < NAMES.length; i++) {
            int other = 1 - i;
            String selfId = ready[i].selfId();
            String otherId = ready[other].selfId();
            PageSnapshot pa = a.pages()[i];
            PageSnapshot pb = b.pages()[i];
            PageSnapshot.Stream v0 = video(pa);
            PageSnapshot.Stream v1 = video(pb);
            PageSnapshot.Stream a0 = audio(pa);
            PageSnapshot.Stream a1 = audio(pb);
            String failure = null;
            if (v0 == null || v1 == null || !v0.key().equals(v1.key())) {
                failure = "no steady inbound video (start " + pa.inbound() + ", end " + pb.inbound() + ")";
            }
            double seconds = (pb.at() - pa.at()) / 1000;
            long frames = v0 == null || v1 == null ? 0 : v1.framesDecoded() - v0.framesDecoded();
            JsonNode c0 = consumer(a.debug(), selfId, "VIDEO");
            JsonNode c1 = consumer(b.debug(), selfId, "VIDEO");
            JsonNode p0 = producer(a.debug(), otherId, "VIDEO");
            JsonNode p1 = producer(b.debug(), otherId, "VIDEO");
            PageSnapshot sa = a.pages()[other];
            PageSnapshot sb = b.pages()[other];
            double senderSeconds = (sb.at() - sa.at()) / 1000;
            receivers.add(new Receiver(
                    NAMES[i],
                    NAMES[other],
                    round(seconds, 3),
                    seconds > 0 ? frames / seconds : Double.NaN,
                    senderSeconds > 0 ? (sb.framesEncoded() - sa.framesEncoded()) / senderSeconds : Double.NaN,
                    frames,
                    delta(v0, v1, PageSnapshot.Stream::freezeCount),
                    v0 == null || v1 == null ? 0 : v1.totalFreezesSeconds() - v0.totalFreezesSeconds(),
                    delta(v0, v1, PageSnapshot.Stream::packetsReceived),
                    delta(v0, v1, PageSnapshot.Stream::packetsLost),
                    delta(v0, v1, PageSnapshot.Stream::retransmittedPacketsReceived),
                    delta(v0, v1, PageSnapshot.Stream::nackCount),
                    delta(v0, v1, PageSnapshot.Stream::pliCount),
                    delta(a0, a1, PageSnapshot.Stream::packetsReceived),
                    delta(a0, a1, PageSnapshot.Stream::packetsLost),
                    delta(a0, a1, PageSnapshot.Stream::totalSamplesReceived),
                    delta(a0, a1, PageSnapshot.Stream::concealedSamples),
                    delta(c0, c1, "nacksReceived"),
                    delta(c0, c1, "nackedPackets"),
                    delta(c0, c1, "retransmitted"),
                    delta(c0, c1, "retransmittedRtx"),
                    misses(c0, c1),
                    missesByReason(c0, c1),
                    delta(
                            p0 == null ? null : p0.path("nackToPublisher"),
                            p1 == null ? null : p1.path("nackToPublisher"),
                            "nackRequests"),
                    dropped(a, b, i, false),
                    dropped(a, b, other, true),
                    failure));
        }
        return new Level(
                lossPercent,
                red,
                List.copyOf(receivers),
                metricDelta(a.metrics(), b.metrics(), "chorus_rtcp_feedback_received_total{type=\"nack\"}"),
                metricDelta(a.metrics(), b.metrics(), "chorus_rtcp_feedback_sent_total{type=\"nack\"}"),
                metricDelta(a.metrics(), b.metrics(), "chorus_rtp_retransmitted_packets_total"),
                proxy.toJson());
    }

    private static long delta(
            PageSnapshot.Stream a, PageSnapshot.Stream b, java.util.function.ToLongFunction<PageSnapshot.Stream> f) {
        return a == null || b == null ? 0 : Math.max(0, f.applyAsLong(b) - f.applyAsLong(a));
    }

    private static long delta(JsonNode a, JsonNode b, String field) {
        return b == null || b.isMissingNode()
                ? 0
                : Math.max(
                        0,
                        b.path(field).asLong() - (a == null ? 0 : a.path(field).asLong()));
    }

    /** NACKed packets the consumer could not resend: unknown, too old, no longer buffered, send failed. */
    private static long misses(JsonNode a, JsonNode b) {
        long n = 0;
        for (String k : List.of("unknown", "tooOld", "notInBuffer", "sendFailed")) {
            n += delta(a == null ? null : a.path("nackMisses"), b == null ? null : b.path("nackMisses"), k);
        }
        return n;
    }

    /** The consumer's nackMisses deltas by reason (rateLimited: a repeat within a round trip, not a miss). */
    private static Map<String, Long> missesByReason(JsonNode a, JsonNode b) {
        Map<String, Long> m = new LinkedHashMap<>();
        if (b != null) {
            b.path("nackMisses")
                    .fieldNames()
                    .forEachRemaining(
                            k -> m.put(k, delta(a == null ? null : a.path("nackMisses"), b.path("nackMisses"), k)));
        }
        return m;
    }

    /** Packets the proxy's loss model dropped on page i's flow towards the client (or the server). */
    private static long dropped(Window a, Window b, int page, boolean toServer) {
        String ufrag = b.ufrags()[page];
        long before = 0;
        long after = 0;
        for (FlowStats f : a.flows()) {
            if (ufrag != null && ufrag.equals(f.iceUfrag())) {
                before += toServer ? f.toServer().droppedLoss() : f.toClient().droppedLoss();
            }
        }
        for (FlowStats f : b.flows()) {
            if (ufrag != null && ufrag.equals(f.iceUfrag())) {
                after += toServer ? f.toServer().droppedLoss() : f.toClient().droppedLoss();
            }
        }
        return Math.max(0, after - before);
    }

    /** The consumer forwarding {@code kind} to that participant in /debug, or null. */
    static JsonNode consumer(JsonNode debug, String participantId, String kind) {
        for (JsonNode router : debug.path("media").path("forwarding").path("routers")) {
            for (JsonNode c : router.path("consumers")) {
                if (participantId != null
                        && participantId.equals(c.path("endpoint").asText())) {
                    for (JsonNode p : router.path("producers")) {
                        if (p.path("id").asText().equals(c.path("producer").asText())
                                && kind.equalsIgnoreCase(p.path("kind").asText())) {
                            return c;
                        }
                    }
                }
            }
        }
        return null;
    }

    /** The producer of {@code kind} published by that participant in /debug, or null. */
    static JsonNode producer(JsonNode debug, String participantId, String kind) {
        for (JsonNode router : debug.path("media").path("forwarding").path("routers")) {
            for (JsonNode p : router.path("producers")) {
                if (participantId != null
                        && participantId.equals(p.path("endpoint").asText())
                        && kind.equalsIgnoreCase(p.path("kind").asText())) {
                    return p;
                }
            }
        }
        return null;
    }

    /** The value of one sample line (name with labels, exactly as exposed) of a Prometheus text page, or NaN. */
    static double metric(String text, String series) {
        if (text == null) {
            return Double.NaN;
        }
        for (String line : text.split("\n")) {
            if (line.startsWith(series + " ")) {
                try {
                    return Double.parseDouble(
                            line.substring(series.length() + 1).trim());
                } catch (NumberFormatException e) {
                    return Double.NaN;
                }
            }
        }
        return Double.NaN;
    }

    private static double metricDelta(String a, String b, String series) {
        return metric(b, series) - metric(a, series);
    }
}
