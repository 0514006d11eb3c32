package dev.chorus.web.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.testkit.netsim.Impairment;
import dev.chorus.web.browser.RoomPage.Inbound;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Congestion control end to end: a publishing page and a receive-only page reach the SFU through the
 * UDP impairment proxy. Once the publisher's video runs above 400 kbps, the subscriber's downlink is
 * capped at 300 kbps (drop-tail queue of 200 ms). The SFU's estimate towards the subscriber must then
 * pause its video consumer while audio keeps arriving; when the cap is lifted a padding probe must find
 * the room and the video must come back and decode. Figures go to target/bandwidth-cap.json. Waits are
 * bounded and generous: the machine may be busy.
 */
class BandwidthCapBrowserIT {
    private static final Impairment CAP = Impairment.parse("rate=300kbps,queue=200ms");
    private static final Duration MEDIA_WAIT = Duration.ofSeconds(20);

    private final ObjectMapper json = new ObjectMapper();
    private final List<RoomPage> pages = new ArrayList<>();
    private ProxiedServer server;

    @AfterEach
    void stop() {
        for (int i = 0; i < pages.size(); i++) {
            pages.get(i).screenshot("bandwidth-cap-" + i);
            pages.get(i).close();
        }
        if (server != null) server.close();
    }

    @Test
    void aThreeHundredKbpsLinkLosesVideoButKeepsAudioAndVideoReturnsWhenTheCapIsLifted() throws Exception {
        server = ProxiedServer.start(7);
        RoomPage publisher = RoomPage.open(server.url("/r/capped?name=Pub"), Chromium.Camera.AS_REQUESTED)
                .awaitState("joined");
        pages.add(publisher);
        RoomPage subscriber =
                RoomPage.open(server.url("/r/capped?name=Sub&publish=0")).awaitState("joined");
        pages.add(subscriber);
        String pubId = publisher.selfId();
        String subId = subscriber.selfId();
        publisher.awaitMediaConnected();
        subscriber.awaitMediaConnected();
        subscriber.awaitInbound(List.of(pubId), "video", "camera", MEDIA_WAIT);
        subscriber.awaitInbound(List.of(pubId), "audio", "mic", MEDIA_WAIT);
        String subUfrag = subscriber.serverIceUfrag();

        long t0 = System.nanoTime();
        JsonNode before = server.awaitVideoPath(
                subId,
                c -> c.producer().path("bitrateBps").asLong() > 400_000,
                Duration.ofSeconds(40),
                "the publisher's video to exceed 400 kbps");
        long videoBps = before.path("producer").path("bitrateBps").asLong();

        server.proxy().setForIceUfrag(subUfrag, Impairment.NONE, CAP);
        long capAt = System.nanoTime();
        JsonNode paused = server.awaitVideoPath(
                subId,
                c -> c.consumer().path("bandwidthPaused").asBoolean(),
                Duration.ofSeconds(30),
                "the SFU to pause video to the capped subscriber");
        double secondsToPause = (System.nanoTime() - capAt) / 1e9;

        // While capped: audio keeps arriving, the SFU forwards no video to this subscriber.
        Inbound audioStart = subscriber.inbound(pubId, "audio", "mic");
        long videoSentStart = paused.path("consumer").path("packetsSent").asLong();
        Thread.sleep(6_000);
        Inbound audioEnd = subscriber.inbound(pubId, "audio", "mic");
        JsonNode stillPaused = server.videoPath(subId);
        long audioPackets = audioEnd.packetsReceived() - audioStart.packetsReceived();
        long videoForwardedWhilePaused =
                stillPaused.path("consumer").path("packetsSent").asLong() - videoSentStart;
        assertTrue(
                stillPaused.path("consumer").path("bandwidthPaused").asBoolean(),
                "video stays paused under the cap: " + stillPaused);
        assertEquals(0, videoForwardedWhilePaused, "no video forwarded while paused");
        assertTrue(
                audioPackets > 150,
                "audio keeps flowing under the cap (Opus sends 50 packets/s): " + audioPackets + " in 6 s");

        server.proxy().setForIceUfrag(subUfrag, Impairment.NONE, Impairment.NONE);
        long liftAt = System.nanoTime();
        JsonNode resumed = server.awaitVideoPath(
                subId,
                c -> !c.consumer().path("bandwidthPaused").asBoolean(),
                Duration.ofSeconds(40),
                "the SFU to resume video once the cap is lifted");
        double secondsToResume = (System.nanoTime() - liftAt) / 1e9;
        Inbound videoAtResume = subscriber.inbound(pubId, "video", "camera");
        long framesAtResume = videoAtResume.framesDecoded();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        Inbound video = videoAtResume;
        while (video.framesDecoded() < framesAtResume + 30 && System.nanoTime() < deadline) {
            Thread.sleep(500);
            video = subscriber.inbound(pubId, "video", "camera");
        }
        assertTrue(
                video.framesDecoded() >= framesAtResume + 30,
                "the subscriber decodes video again after the cap is lifted: " + video);

        JsonNode subscriberCc = server.congestion(subId);
        ObjectNode out = json.createObjectNode();
        out.put("cap", CAP.toSpec());
        out.put("publisherVideoBpsBeforeCap", videoBps);
        out.put("secondsFromCapToPause", Math.round(secondsToPause * 10) / 10.0);
        out.put("audioPacketsIn6sCapped", audioPackets);
        out.put("videoPacketsForwardedWhilePaused", videoForwardedWhilePaused);
        out.put("secondsFromLiftToResume", Math.round(secondsToResume * 10) / 10.0);
        out.put("framesDecodedAfterResume", video.framesDecoded() - framesAtResume);
        out.put("secondsTotal", Math.round((System.nanoTime() - t0) / 1e8) / 10.0);
        out.set("consumerAtResume", resumed.path("consumer"));
        out.set("subscriberCongestion", subscriberCc);
        Path file = Path.of("target", "bandwidth-cap.json");
        Files.createDirectories(file.getParent());
        Files.writeString(file, json.enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(out));
        System.out.printf(
                "bandwidth cap: video %d kbps before the cap; paused %.1f s after capping, %d audio"
                        + " packets in 6 s while capped, resumed %.1f s after lifting; estimator %s%n",
                videoBps / 1000,
                secondsToPause,
                audioPackets,
                secondsToResume,
                subscriberCc.path("toSubscriber").path("estimator"));
    }
}
