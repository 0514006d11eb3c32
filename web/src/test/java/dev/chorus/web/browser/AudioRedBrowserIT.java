package dev.chorus.web.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.testkit.netsim.FlowStats;
import dev.chorus.testkit.netsim.Impairment;
import dev.chorus.web.browser.RoomPage.Inbound;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Opus RED end to end through the UDP impairment proxy at 10 % random loss on every link, both directions (the
 * quality table's worst level): one publishing page and two receive-only pages in one Chromium. The publisher
 * and the first receiver offer RED (the web client's default), so the publisher sends RED and that receiver gets
 * RED from the SFU, two earlier frames deep; the second receiver joins with {@code ?red=0} and gets plain Opus,
 * the primary frames of the same stream. Over 20 s the share of audio each receiver's decoder had to conceal
 * (inbound-rtp {@code concealedSamples / totalSamplesReceived}) is measured: with RED it must stay under 2 %;
 * without, it is what two lossy hops leave (about 19 % of packets lost). Figures go to target/audio-red.json.
 */
class AudioRedBrowserIT {
    private static final Impairment LOSSY = Impairment.parse("loss=10%");
    private static final Duration MEDIA_WAIT = Duration.ofSeconds(20);
    private static final int SETTLE_SECONDS = 3;
    private static final int WINDOW_SECONDS = 20;
    private static final double RED_CONCEALED_MAX = 0.02;

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void receiverWithRedConcealsUnderTwoPercentAtTenPercentLossOnEachLink() throws Exception {
        Chromium.Started browser = Chromium.start(List.of(), Chromium.Camera.SMALL);
        List<RoomPage> pages = new ArrayList<>();
        try (ProxiedServer server = ProxiedServer.start(19)) {
            RoomPage pub = RoomPage.openIn(browser, server.url("/r/red?name=Pub"));
            pages.add(pub);
            RoomPage red = RoomPage.openIn(browser, server.url("/r/red?name=Red&publish=0"));
            pages.add(red);
            RoomPage plain = RoomPage.openIn(browser, server.url("/r/red?name=Plain&publish=0&red=0"));
            pages.add(plain);
            for (RoomPage p : pages) p.awaitState("joined").awaitMediaConnected();
            String pubId = pub.selfId();
            red.awaitInbound(List.of(pubId), "audio", "mic", MEDIA_WAIT);
            plain.awaitInbound(List.of(pubId), "audio", "mic", MEDIA_WAIT);

            // Negotiated as meant: the publisher sends RED, one receiver gets RED, the other plain Opus.
            JsonNode mic = audioProducer(server);
            JsonNode redConsumer = audioConsumer(server, red.selfId());
            JsonNode plainConsumer = audioConsumer(server, plain.selfId());
            assertTrue(mic.path("red").path("redPacketsReceived").asLong() > 0, "the publisher sends no RED: " + mic);
            assertEquals(2, redConsumer.path("redundancyMax").asInt(), "RED receiver: " + redConsumer);
            assertEquals(-1, plainConsumer.path("redPayloadType").asInt(), "plain receiver: " + plainConsumer);
            assertTrue(!plainConsumer.has("redundancy"), "plain receiver: " + plainConsumer);

            List<String> ufrags = new ArrayList<>();
            for (RoomPage p : pages) {
                String ufrag = p.serverIceUfrag();
                assertTrue(!server.flows(ufrag).isEmpty(), "a page does not go through the proxy");
                server.proxy().setForIceUfrag(ufrag, LOSSY, LOSSY);
                ufrags.add(ufrag);
            }
            Thread.sleep(SETTLE_SECONDS * 1000L);
            Inbound redStart = red.inbound(pubId, "audio", "mic");
            Inbound plainStart = plain.inbound(pubId, "audio", "mic");
            JsonNode micStart = audioProducer(server);
            Thread.sleep(WINDOW_SECONDS * 1000L);
            Inbound redEnd = red.inbound(pubId, "audio", "mic");
            Inbound plainEnd = plain.inbound(pubId, "audio", "mic");
            JsonNode micEnd = audioProducer(server);
            JsonNode redConsumerEnd = audioConsumer(server, red.selfId());

            long dropped = 0;
            for (String ufrag : ufrags) {
                for (FlowStats f : server.flows(ufrag)) {
                    dropped += f.toClient().droppedLoss() + f.toServer().droppedLoss();
                }
            }
            ObjectNode root = json.createObjectNode();
            root.put("everyLink", LOSSY.toSpec() + " (each direction)");
            root.put("windowSeconds", WINDOW_SECONDS);
            root.put("proxyDropped", dropped);
            double withRed = figures(root.putObject("receiverWithRed"), redStart, redEnd);
            double withoutRed = figures(root.putObject("receiverWithoutRed"), plainStart, plainEnd);
            root.put(
                    "framesRecoveredAtSfu",
                    micEnd.path("red").path("framesRecovered").asLong()
                            - micStart.path("red").path("framesRecovered").asLong());
            root.set("sfuMicrophone", micEnd.path("red"));
            root.put("redundancyAtEnd", redConsumerEnd.path("redundancy").asInt());
            root.put(
                    "reportedFractionLostAtEnd",
                    redConsumerEnd.path("reportedFractionLost").asInt());
            Path out = Path.of("target", "audio-red.json");
            Files.createDirectories(out.getParent());
            json.writer(SerializationFeature.INDENT_OUTPUT).writeValue(out.toFile(), root);
            System.out.printf(
                    "audio RED at %s on every link: concealed %.2f %% with RED, %.2f %% without; %s%n",
                    LOSSY.toSpec(), withRed * 100, withoutRed * 100, root);

            assertTrue(dropped > 0, "the proxy dropped nothing");
            // The receiver's reports show the loss, so it gets the full depth.
            assertEquals(2, redConsumerEnd.path("redundancy").asInt(), "RED receiver at the end: " + redConsumerEnd);
            assertTrue(
                    withRed < RED_CONCEALED_MAX,
                    "the RED receiver concealed " + withRed * 100 + " % of its audio: " + root);
            assertTrue(withoutRed > withRed, "RED made no difference: " + root);
        } finally {
            for (int i = 0; i < pages.size(); i++) {
                pages.get(i).screenshot("audio-red-" + i);
                pages.get(i).close();
            }
            browser.quit();
        }
    }

    /** Writes one receiver's figures for the window; returns its concealed share. */
    private static double figures(ObjectNode o, Inbound start, Inbound end) {
        assertNotNull(start, "no inbound audio at the start");
        assertNotNull(end, "no inbound audio at the end");
        long samples =
                num(end.all().get("totalSamplesReceived")) - num(start.all().get("totalSamplesReceived"));
        long concealed =
                num(end.all().get("concealedSamples")) - num(start.all().get("concealedSamples"));
        long received = end.packetsReceived() - start.packetsReceived();
        long lost = num(end.all().get("packetsLost")) - num(start.all().get("packetsLost"));
        assertTrue(samples > 0, "no audio played out: " + end.all());
        double share = concealed / (double) samples;
        o.put("totalSamplesReceived", samples);
        o.put("concealedSamples", concealed);
        o.put(
                "silentConcealedSamples",
                num(end.all().get("silentConcealedSamples")) - num(start.all().get("silentConcealedSamples")));
        o.put("concealedPercent", Math.round(share * 10000) / 100.0);
        o.put("packetsReceived", received);
        o.put("packetsLost", lost);
        o.put("packetsLostPercent", Math.round(lost * 10000.0 / Math.max(1, received + lost)) / 100.0);
        return share;
    }

    private static JsonNode audioProducer(ProxiedServer server) throws Exception {
        for (JsonNode router : server.debug().path("media").path("forwarding").path("routers")) {
            for (JsonNode p : router.path("producers")) {
                if ("AUDIO".equalsIgnoreCase(p.path("kind").asText())) return p;
            }
        }
        throw new AssertionError("no audio producer in /debug");
    }

    private static JsonNode audioConsumer(ProxiedServer server, String participantId) throws Exception {
        String mic = audioProducer(server).path("id").asText();
        for (JsonNode router : server.debug().path("media").path("forwarding").path("routers")) {
            for (JsonNode c : router.path("consumers")) {
                if (participantId.equals(c.path("endpoint").asText())
                        && mic.equals(c.path("producer").asText())) return c;
            }
        }
        throw new AssertionError("no audio consumer for " + participantId + " in /debug");
    }

    private static long num(Object o) {
        return o instanceof Number n ? n.longValue() : 0;
    }
}
