package dev.chorus.web.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.testkit.netsim.FlowStats;
import dev.chorus.testkit.netsim.Impairment;
import dev.chorus.web.browser.RoomPage.Inbound;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Loss recovery end to end: a publishing page and a receive-only page in one room, both reaching the SFU
 * only through the UDP impairment proxy (the SFU announces the proxy's port as its candidate, as behind a
 * 1:1 NAT). Once both are connected, the subscriber's flow gets 5 % random loss and 50 ms delay in each
 * direction; the publisher's flow stays clean. Over 20 s the subscriber's video must keep decoding while
 * Chrome NACKs (inbound-rtp nackCount) and the SFU answers from its retransmission buffer (/debug
 * {@code retransmitted} of the subscriber's video consumer). The RTCP timing the SFU provides is checked
 * on the way: the publisher's remote-inbound-rtp (from the SFU's receiver reports) has a sane round-trip
 * time and the subscriber has a remote-outbound-rtp (from the SFU's sender reports). The figures go to
 * target/loss-recovery.json. Bounds are functional (progress, counters above zero), not timings: the
 * machine may be busy.
 *
 * <p>Then, on the same call, the subscriber's path breaks: the proxy blackholes its flows both ways, as a
 * network change would. The page restarts ICE by itself (web client, ice-restart.js), the SFU answers with a
 * new ICE session on the same port and moves the subscriber to it once it connects, DTLS and SRTP unchanged,
 * and the video decodes again. Times go to target/ice-restart.json; more tries with
 * {@code -Dchorus.test.iceRestartTries=N}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LossRecoveryBrowserIT {

    private static final Duration MEDIA_WAIT = Duration.ofSeconds(20);
    private static final int WINDOW_SECONDS = 20;
    private static final int SEGMENT_SECONDS = 5;
    private static final Impairment SUBSCRIBER_LINK = Impairment.parse("loss=5%,delay=50ms");
    private static final Impairment BLACKHOLE = Impairment.parse("loss=100%");
    /** From the page's ICE restart to video decoding again. */
    private static final Duration RESTART_RECOVERY = Duration.ofSeconds(3);
    /** From the blackhole to the page's ICE restart (a loaded machine samples its stats late). */
    private static final Duration STALL_NOTICED = Duration.ofSeconds(5);

    private final ObjectMapper json = new ObjectMapper();
    private final List<RoomPage> pages = new ArrayList<>();
    private ProxiedServer server;
    private RoomPage publisher;
    private RoomPage subscriber;
    private String pubId;
    private String subId;

    @AfterAll
    void stop() {
        for (int i = 0; i < pages.size(); i++) {
            pages.get(i).screenshot("loss-recovery-" + i);
            pages.get(i).close();
        }
        if (server != null) server.close();
    }

    @BeforeAll
    void startCall() throws Exception {
        server = ProxiedServer.start(5);
        publisher = RoomPage.open(server.url("/r/lossy?name=Pub"), Chromium.Camera.SMALL_NO_MICROPHONE)
                .awaitState("joined");
        pages.add(publisher);
        subscriber = RoomPage.open(server.url("/r/lossy?name=Sub&publish=0")).awaitState("joined");
        pages.add(subscriber);
        pubId = publisher.selfId();
        subId = subscriber.selfId();
        publisher.awaitMediaConnected();
        subscriber.awaitMediaConnected();
        subscriber.awaitInbound(List.of(pubId), "video", "camera", MEDIA_WAIT);
    }

    @Test
    @Order(1)
    void subscriberVideoKeepsDecodingThroughFivePercentLossWithNackAndRetransmission() throws Exception {

        // Both pages reach the SFU through the proxy, each in a flow of its own.
        String subUfrag = subscriber.serverIceUfrag();
        String pubUfrag = publisher.serverIceUfrag();
        assertNotEquals(subUfrag, pubUfrag);
        assertTrue(
                !flows(pubUfrag).isEmpty(),
                "the publisher does not go through the proxy: " + server.proxy().toJson());
        assertTrue(
                !flows(subUfrag).isEmpty(),
                "the subscriber does not go through the proxy: "
                        + server.proxy().toJson());
        server.proxy().setForIceUfrag(subUfrag, SUBSCRIBER_LINK, SUBSCRIBER_LINK);

        Inbound start = subscriber.inbound(pubId, "video", "camera");
        JsonNode consumerStart = videoConsumer(subId);
        long framesAtSegment = start.framesDecoded();
        for (int t = SEGMENT_SECONDS; t <= WINDOW_SECONDS; t += SEGMENT_SECONDS) {
            Thread.sleep(SEGMENT_SECONDS * 1000L);
            Inbound now = subscriber.inbound(pubId, "video", "camera");
            System.out.printf(
                    "  %2d s: framesDecoded +%d, nackCount %s, packetsLost %s, freezes %s%n",
                    t,
                    now.framesDecoded() - framesAtSegment,
                    now.all().get("nackCount"),
                    now.all().get("packetsLost"),
                    now.all().get("freezeCount"));
            if (now.framesDecoded() <= framesAtSegment) {
                throw new AssertionError("the subscriber decoded no frame between " + (t - SEGMENT_SECONDS) + " s and "
                        + t + " s: " + now + "; SFU video path " + server.videoPath(subId) + ", congestion "
                        + server.congestion(subId));
            }
            framesAtSegment = now.framesDecoded();
        }
        Inbound end = subscriber.inbound(pubId, "video", "camera");
        JsonNode consumerEnd = videoConsumer(subId);
        List<Map<String, Object>> pubRtcp = publisher.rtcpReports();
        List<Map<String, Object>> subRtcp = subscriber.rtcpReports();
        List<FlowStats> subFlows = flows(subUfrag);
        List<FlowStats> pubFlows = flows(pubUfrag);
        long droppedToSub =
                subFlows.stream().mapToLong(f -> f.toClient().droppedLoss()).sum();
        long droppedFromSub =
                subFlows.stream().mapToLong(f -> f.toServer().droppedLoss()).sum();
        long droppedPub = pubFlows.stream()
                .mapToLong(f -> f.toClient().droppedLoss() + f.toServer().droppedLoss())
                .sum();

        double fps = (end.framesDecoded() - start.framesDecoded()) / (double) WINDOW_SECONDS;
        long nacks = num(end.all().get("nackCount")) - num(start.all().get("nackCount"));
        long retransmitted = consumerEnd.path("retransmitted").asLong()
                - consumerStart.path("retransmitted").asLong();
        Map<String, Object> pubVideoRtt = pubRtcp.stream()
                .filter(r -> "remote-inbound-rtp".equals(r.get("type")) && "video".equals(r.get("kind")))
                .findFirst()
                .orElse(null);
        Map<String, Object> subVideoSr = subRtcp.stream()
                .filter(r -> "remote-outbound-rtp".equals(r.get("type")) && "video".equals(r.get("kind")))
                .findFirst()
                .orElse(null);
        Path out = record(start, end, fps, nacks, consumerStart, consumerEnd, pubRtcp, subRtcp, subFlows, pubFlows);
        System.out.printf(
                "loss recovery: %.1f fps, nackCount +%d, packetsLost +%d, freezes +%d (%.2f s), SFU"
                        + " retransmitted +%d (rtx +%d), received as retransmissions +%d, proxy dropped to subscriber %d,"
                        + " from subscriber %d; publisher video RTT %s s, SFU's RTT to the subscriber %s ms;"
                        + " figures in %s%n",
                fps,
                nacks,
                num(end.all().get("packetsLost")) - num(start.all().get("packetsLost")),
                num(end.all().get("freezeCount")) - num(start.all().get("freezeCount")),
                dbl(end.all().get("totalFreezesDuration")) - dbl(start.all().get("totalFreezesDuration")),
                retransmitted,
                consumerEnd.path("retransmittedRtx").asLong()
                        - consumerStart.path("retransmittedRtx").asLong(),
                num(end.all().get("retransmittedPacketsReceived"))
                        - num(start.all().get("retransmittedPacketsReceived")),
                droppedToSub,
                droppedFromSub,
                pubVideoRtt == null ? "-" : pubVideoRtt.get("roundTripTime"),
                consumerEnd.path("rttMillis").asText(),
                out.toAbsolutePath());

        // The proxy did impair the subscriber's link, and only that one.
        assertTrue(droppedToSub > 0, "the proxy dropped nothing towards the subscriber: " + subFlows);
        assertEquals(0, droppedPub, "the publisher's flow was impaired: " + pubFlows);
        // Video kept moving (each 5 s segment decoded frames, above) at a real rate: the camera sends 15 fps.
        assertTrue(fps > 3, "decoded " + fps + " fps through 5 % loss: " + start + " -> " + end);
        // Chrome asked for the missing packets and the SFU resent them.
        assertTrue(nacks > 0, "the subscriber sent no NACK through 5 % loss: " + end.all());
        assertTrue(
                consumerEnd.path("nacksReceived").asLong()
                        > consumerStart.path("nacksReceived").asLong(),
                "the SFU saw no NACK from the subscriber: " + consumerEnd);
        assertTrue(retransmitted > 0, "the SFU retransmitted nothing to the subscriber: " + consumerEnd);
        // RTCP timing: the SFU's receiver reports give the publisher a round-trip time, its sender reports
        // give the subscriber a remote-outbound-rtp.
        assertNotNull(pubVideoRtt, "the publisher has no remote-inbound-rtp for its video: " + pubRtcp);
        double rtt = dbl(pubVideoRtt.get("roundTripTime"));
        assertTrue(rtt > 0 && rtt < 1, "publisher's video round-trip time " + rtt + " s: " + pubVideoRtt);
        assertNotNull(subVideoSr, "the subscriber has no remote-outbound-rtp for its video: " + subRtcp);
        assertTrue(num(subVideoSr.get("packetsSent")) > 0, "remote-outbound-rtp without packets: " + subVideoSr);
    }

    @Test
    @Order(2)
    void aBlackholedPathIsReplacedByAnIceRestartAndVideoComesBack() throws Exception {
        server.proxy().clearRules();
        int tries = Integer.getInteger("chorus.test.iceRestartTries", 1);
        ArrayNode results = json.createArrayNode();
        for (int i = 1; i <= tries; i++) {
            ObjectNode r = breakPathAndRecover(i);
            results.add(r);
            System.out.printf(
                    "ICE restart %d: page restarted %d ms after the blackhole, video back %d ms after that"
                            + " (%d ms after the blackhole)%n",
                    i,
                    r.path("restartAfterMs").asLong(),
                    r.path("videoBackAfterRestartMs").asLong(),
                    r.path("videoBackMs").asLong());
        }
        Path out = Path.of("target", "ice-restart.json");
        Files.createDirectories(out.getParent());
        Files.writeString(out, json.writerWithDefaultPrettyPrinter().writeValueAsString(results) + "\n");
        JsonNode transport = server.transport(subId);
        assertEquals(tries, transport.path("iceRestarts").asInt(), "restarts on the SFU: " + transport);
        assertEquals(subId, subscriber.selfId(), "the same participant throughout");
    }

    /** Blackholes the subscriber's current flows and waits for the page to restart ICE and decode video again. */
    private ObjectNode breakPathAndRecover(int attempt) throws Exception {
        subscriber.awaitInbound(List.of(pubId), "video", "camera", MEDIA_WAIT);
        String oldUfrag = subscriber.serverIceUfrag();
        int restartsBefore = restarts(subscriber.mediaStats());
        double blackholedAt = subscriber.now();
        server.proxy().setForIceUfrag(oldUfrag, BLACKHOLE, BLACKHOLE);
        Double restartedAt = null;
        long framesAtRestart = -1;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            Map<String, Object> stats = subscriber.mediaStats();
            Inbound video = RoomPage.inboundOf(stats).stream()
                    .filter(v -> pubId.equals(v.participantId()) && "camera".equals(v.source()))
                    .findFirst()
                    .orElse(null);
            long frames = video == null ? 0 : video.framesDecoded();
            if (restartedAt == null && restarts(stats) > restartsBefore) {
                restartedAt = lastRestartAt(stats);
                framesAtRestart = frames;
            }
            if (restartedAt != null && frames > framesAtRestart && !oldUfrag.equals(subscriber.serverIceUfrag())) {
                double backAt = subscriber.now();
                ObjectNode r = json.createObjectNode();
                r.put("attempt", attempt);
                r.put("restartAfterMs", Math.round(restartedAt - blackholedAt));
                r.put("videoBackAfterRestartMs", Math.round(backAt - restartedAt));
                r.put("videoBackMs", Math.round(backAt - blackholedAt));
                assertTrue(
                        backAt - restartedAt <= RESTART_RECOVERY.toMillis(),
                        "video came back " + Math.round(backAt - restartedAt) + " ms after the ICE restart: " + r);
                // The page notices the silence itself (about 2 s here), well before Chrome's own "disconnected".
                assertTrue(
                        restartedAt - blackholedAt <= STALL_NOTICED.toMillis(),
                        "the page restarted ICE " + Math.round(restartedAt - blackholedAt) + " ms after the blackhole: "
                                + r);
                return r;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("attempt " + attempt
                + ": no ICE restart brought video back within 30 s (page restarted "
                + (restartedAt == null ? "never" : Math.round(restartedAt - blackholedAt) + " ms after the blackhole")
                + ", page " + subscriber.mediaStats().get("iceRestart") + ", SFU transport " + server.transport(subId)
                + ", video path " + server.videoPath(subId) + ", congestion " + server.congestion(subId) + ", proxy "
                + server.proxy().toJson() + ")");
    }

    @SuppressWarnings("unchecked")
    private static int restarts(Map<String, Object> stats) {
        Object r = stats.get("iceRestart");
        return r instanceof Map<?, ?> m ? (int) num(((Map<String, Object>) m).get("restarts")) : 0;
    }

    @SuppressWarnings("unchecked")
    private static double lastRestartAt(Map<String, Object> stats) {
        Object r = stats.get("iceRestart");
        return r instanceof Map<?, ?> m ? dbl(((Map<String, Object>) m).get("lastRestartAt")) : Double.NaN;
    }

    private List<FlowStats> flows(String serverUfrag) {
        return server.flows(serverUfrag);
    }

    private JsonNode videoConsumer(String participantId) throws Exception {
        return server.videoPath(participantId).path("consumer");
    }

    private Path record(
            Inbound start,
            Inbound end,
            double fps,
            long nacks,
            JsonNode consumerStart,
            JsonNode consumerEnd,
            List<Map<String, Object>> pubRtcp,
            List<Map<String, Object>> subRtcp,
            List<FlowStats> subFlows,
            List<FlowStats> pubFlows)
            throws IOException {
        ObjectNode root = json.createObjectNode();
        root.put("subscriberLink", SUBSCRIBER_LINK.toSpec() + " (each direction)");
        root.put("windowSeconds", WINDOW_SECONDS);
        ObjectNode v = root.putObject("subscriberVideo");
        v.put("framesDecodedPerSecond", Math.round(fps * 100) / 100.0);
        v.put("framesDecoded", end.framesDecoded() - start.framesDecoded());
        v.put("nackCount", nacks);
        v.put("packetsReceived", end.packetsReceived() - start.packetsReceived());
        v.put("packetsLost", num(end.all().get("packetsLost")) - num(start.all().get("packetsLost")));
        v.put("freezeCount", num(end.all().get("freezeCount")) - num(start.all().get("freezeCount")));
        v.put(
                "totalFreezesDuration",
                dbl(end.all().get("totalFreezesDuration")) - dbl(start.all().get("totalFreezesDuration")));
        v.put("pliCount", num(end.all().get("pliCount")) - num(start.all().get("pliCount")));
        // Chrome counts a packet that arrived only as a retransmission (RTX) in packetsLost too.
        v.put(
                "retransmittedPacketsReceived",
                num(end.all().get("retransmittedPacketsReceived"))
                        - num(start.all().get("retransmittedPacketsReceived")));
        ObjectNode sfu = root.putObject("sfuVideoConsumer");
        for (String k : List.of("nacksReceived", "nackedPackets", "retransmitted", "retransmittedRtx", "packetsSent")) {
            sfu.put(k, consumerEnd.path(k).asLong() - consumerStart.path(k).asLong());
        }
        sfu.put("rtxNegotiated", consumerEnd.path("rtxNegotiated").asBoolean());
        sfu.put("rttMillis", consumerEnd.path("rttMillis").asDouble());
        sfu.set("nackMisses", consumerEnd.path("nackMisses"));
        root.set("publisherRtcp", json.valueToTree(pubRtcp));
        root.set("subscriberRtcp", json.valueToTree(subRtcp));
        ObjectNode px = root.putObject("proxy");
        px.set("subscriberFlows", json.valueToTree(subFlows));
        px.set("publisherFlows", json.valueToTree(pubFlows));
        Path out = Path.of("target", "loss-recovery.json");
        Files.createDirectories(out.getParent());
        Files.writeString(
                out, json.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root) + "\n");
        return out;
    }

    private static long num(Object o) {
        return o instanceof Number n ? n.longValue() : 0;
    }

    private static double dbl(Object o) {
        return o instanceof Number n ? n.doubleValue() : Double.NaN;
    }
}
