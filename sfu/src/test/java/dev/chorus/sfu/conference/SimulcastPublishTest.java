package dev.chorus.sfu.conference;

import static dev.chorus.sfu.conference.TestConference.FIREFOX_LIKE_SIMULCAST;
import static dev.chorus.sfu.conference.TestConference.PUBLISH_RECEIVE;
import static dev.chorus.sfu.conference.TestConference.SIMULCAST;
import static dev.chorus.sfu.conference.TestConference.offer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chorus.sfu.codec.Codec;
import dev.chorus.sfu.forward.ProducerParams;
import dev.chorus.sfu.forward.ProducerParams.Encoding;
import dev.chorus.sfu.rtp.RtpExtension;
import dev.chorus.sfu.sdp.Direction;
import dev.chorus.sfu.sdp.MediaSection;
import dev.chorus.sfu.sdp.SdpParser;
import dev.chorus.sfu.sdp.Simulcast;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A browser's simulcast through a real media service: Chromium's captured offer (rids q/h/f, no
 * SSRCs) and a Firefox-shaped one (the same rids, plus SSRC lines the server must not use).
 */
@Timeout(60)
class SimulcastPublishTest {
    private static final Map<String, String> MIC_CAMERA = Map.of("0", "mic", "1", "camera");
    private static final List<Encoding> Q_H_F = List.of(Encoding.ofRid("q"), Encoding.ofRid("h"), Encoding.ofRid("f"));

    private TestConference conference;
    private final TestConference.Events bobEvents = new TestConference.Events();

    @AfterEach
    void stop() {
        if (conference != null) {
            conference.close();
        }
    }

    private MediaRoom start(boolean simulcast) throws Exception {
        conference = new TestConference(1, 1024, simulcast);
        return conference.service.room("r");
    }

    private static MediaSection line(OfferOutcome outcome, String mid) throws Exception {
        return SdpParser.parse(outcome.sdp()).sectionByMid(mid).orElseThrow();
    }

    /** What the room's router holds for {@code producerId}, read on its worker. */
    private static ProducerParams producer(MediaRoom room, String producerId) throws Exception {
        CompletableFuture<ProducerParams> params = new CompletableFuture<>();
        room.onRouter("test reads " + producerId, r -> {
            try {
                params.complete(r.producer(producerId).params());
            } catch (RuntimeException e) {
                params.completeExceptionally(e);
            }
        });
        return params.get(10, TimeUnit.SECONDS);
    }

    /** The producer ids on the room's router, from /debug. */
    private List<String> routerProducers() throws Exception {
        JsonNode debug = conference.service.debugJson().get(10, TimeUnit.SECONDS);
        List<String> ids = new ArrayList<>();
        debug.get("forwarding")
                .get("routers")
                .get(0)
                .get("producers")
                .forEach(p -> ids.add(p.get("id").asText()));
        return ids;
    }

    @Test
    void chromeSimulcastIsPublishedAsOneTrackWithThreeLayers() throws Exception {
        MediaRoom room = start(true);
        MediaSession alice = room.join("alice", new TestConference.Events());

        OfferOutcome outcome = alice.handleOffer(offer(SIMULCAST), MIC_CAMERA);

        MediaSection video = line(outcome, "1");
        assertEquals(Direction.RECVONLY, video.direction());
        assertEquals(
                List.of("q", "h", "f"), video.rids().stream().map(r -> r.id()).toList());
        assertEquals(
                List.of(
                        List.of(new Simulcast.Layer("q", false)),
                        List.of(new Simulcast.Layer("h", false)),
                        List.of(new Simulcast.Layer("f", false))),
                video.simulcast().orElseThrow().receive());

        List<PublishedTrack> tracks = room.tracksFor("bob");
        assertEquals(2, tracks.size());
        PublishedTrack camera = tracks.get(1);
        assertEquals("alice-t2", camera.producerId());
        assertEquals(TrackSource.CAMERA, camera.source());
        assertEquals(Codec.VP8, camera.codec());
        assertEquals(List.of("q", "h", "f"), camera.rids());
        assertEquals(ProducerParams.NONE, camera.ssrc());
        assertEquals(List.of(), tracks.get(0).rids(), "the mic is one stream");

        ProducerParams params = producer(room, "alice-t2");
        assertTrue(params.isSimulcast());
        assertEquals(Q_H_F, params.encodings());
        assertEquals("1", params.mid());
        assertEquals(96, params.payloadType());
        assertEquals(97, params.rtxPayloadType());
        assertEquals(4, params.extensions().id(RtpExtension.MID));
        assertEquals(10, params.extensions().id(RtpExtension.RTP_STREAM_ID));
        assertEquals(11, params.extensions().id(RtpExtension.REPAIRED_RTP_STREAM_ID));
        ProducerParams mic = producer(room, "alice-t1");
        assertEquals(List.of(Encoding.ofSsrc(2791639573L)), mic.encodings());
        assertEquals("0", mic.mid(), "one-stream tracks get their mid too");
        assertEquals(List.of("alice-t1", "alice-t2"), routerProducers());

        JsonNode published = conference
                .service
                .debugJson()
                .get(10, TimeUnit.SECONDS)
                .get("rooms")
                .get(0)
                .get("tracks");
        assertEquals("alice-t2", published.get(1).get("producerId").asText());
        assertEquals(-1, published.get(1).get("ssrc").asLong());
        assertEquals("[\"q\",\"h\",\"f\"]", published.get(1).get("rids").toString());
    }

    @Test
    void aSubscriberGetsTheSimulcastTrackAsOneStreamWithTheServersSsrcs() throws Exception {
        MediaRoom room = start(true);
        MediaSession alice = room.join("alice", new TestConference.Events());
        MediaSession bob = room.join("bob", bobEvents);
        alice.handleOffer(offer(SIMULCAST), MIC_CAMERA);

        OfferOutcome outcome = bob.handleOffer(offer(PUBLISH_RECEIVE), Map.of());

        assertEquals(Map.of("2", "alice-t1", "3", "alice-t2"), bob.subscriptions());
        MediaSection cam = line(outcome, "3");
        assertEquals(Direction.SENDONLY, cam.direction());
        assertEquals(2, cam.ssrcs().size(), "one media and one RTX SSRC");
        JsonNode subscription = bob.toJson().get("subscriptions").get(1);
        assertEquals("alice-t2", subscription.get("producerId").asText());
        assertEquals(
                List.of("FID"),
                cam.ssrcGroups().stream().map(g -> g.semantics()).toList());
        assertEquals(
                subscription.get("ssrc").asLong(),
                cam.ssrcGroups().get(0).ssrcs().get(0));
        assertTrue(cam.rids().isEmpty());
        assertTrue(cam.simulcast().isEmpty());
    }

    @Test
    void theSameLayersOfferedAgainKeepTheTrackOthersChangeIt() throws Exception {
        MediaRoom room = start(true);
        MediaSession alice = room.join("alice", new TestConference.Events());
        MediaSession bob = room.join("bob", bobEvents);
        alice.handleOffer(offer(SIMULCAST), MIC_CAMERA);
        bob.handleOffer(offer(PUBLISH_RECEIVE), Map.of());
        conference.runControlTasks();
        bobEvents.seen.clear();

        alice.handleOffer(offer(SIMULCAST), MIC_CAMERA);
        conference.runControlTasks();
        assertEquals(List.of(), bobEvents.seen, "nothing changed for bob");
        assertEquals(List.of("alice-t1", "alice-t2"), producerIds(room.tracksFor("bob")));

        String twoLayers = offer(SIMULCAST)
                .replace("a=rid:f send\r\n", "")
                .replace("a=simulcast:send q;h;f", "a=simulcast:send q;h");
        alice.handleOffer(twoLayers, MIC_CAMERA);
        conference.runControlTasks();
        assertEquals(List.of("alice-t1", "alice-t3"), producerIds(room.tracksFor("bob")));
        assertEquals(List.of("q", "h"), room.tracksFor("bob").get(1).rids());
        assertEquals(
                List.of(Encoding.ofRid("q"), Encoding.ofRid("h")),
                producer(room, "alice-t3").encodings());
        List<String> onRouter = routerProducers();
        assertTrue(onRouter.contains("alice-t3"), onRouter.toString());
        assertFalse(onRouter.contains("alice-t2"), "the three-layer producer is gone: " + onRouter);
        assertEquals(List.of("renegotiate 1 1"), bobEvents.seen, "bob's camera line gets the new track");
    }

    @Test
    void firefoxSsrcLinesAreIgnoredOnASimulcastLine() throws Exception {
        MediaRoom room = start(true);
        MediaSession carol = room.join("carol", new TestConference.Events());

        OfferOutcome outcome = carol.handleOffer(offer(FIREFOX_LIKE_SIMULCAST), MIC_CAMERA);

        assertEquals(
                List.of("q", "h", "f"),
                line(outcome, "1").rids().stream().map(r -> r.id()).toList());
        PublishedTrack camera = room.tracksFor("bob").get(1);
        assertEquals(List.of("q", "h", "f"), camera.rids());
        assertEquals(ProducerParams.NONE, camera.ssrc());
        ProducerParams params = producer(room, camera.producerId());
        assertEquals(Q_H_F, params.encodings(), "no SSRC from the offer's a=ssrc lines");
        assertEquals(120, params.payloadType());
        assertEquals(124, params.rtxPayloadType());
        assertEquals(8, params.extensions().id(RtpExtension.RTP_STREAM_ID));
        assertEquals(
                List.of(Encoding.ofSsrc(2349012001L)),
                producer(room, room.tracksFor("bob").get(0).producerId()).encodings());
    }

    @Test
    void withSimulcastTurnedOffTheAnswerHasNoLayersAsBefore() throws Exception {
        MediaRoom room = start(false);
        MediaSession alice = room.join("alice", new TestConference.Events());

        OfferOutcome outcome = alice.handleOffer(offer(SIMULCAST), MIC_CAMERA);

        assertFalse(outcome.sdp().contains("a=rid"), outcome.sdp());
        assertFalse(outcome.sdp().contains("a=simulcast"), outcome.sdp());
        assertEquals(Direction.RECVONLY, line(outcome, "1").direction());
        // Chrome then sends its first layer alone, of an SSRC no line announced: not published.
        assertEquals(List.of("alice-t1"), producerIds(room.tracksFor("bob")));
        assertEquals(List.of("alice-t1"), routerProducers());
    }

    @Test
    void moreLayersThanAProducerTakesAreNotAccepted() throws Exception {
        MediaRoom room = start(true);
        MediaSession alice = room.join("alice", new TestConference.Events());
        StringBuilder rids = new StringBuilder();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i <= ProducerParams.MAX_ENCODINGS; i++) {
            ids.add("l" + i);
            rids.append("a=rid:l").append(i).append(" send\r\n");
        }
        String tooMany = offer(SIMULCAST)
                .replace("a=rid:q send\r\na=rid:h send\r\na=rid:f send\r\n", rids)
                .replace("a=simulcast:send q;h;f", "a=simulcast:send " + String.join(";", ids));

        OfferOutcome outcome = alice.handleOffer(tooMany, MIC_CAMERA);

        assertFalse(outcome.sdp().contains("a=simulcast"), outcome.sdp());
        assertEquals(List.of("alice-t1"), producerIds(room.tracksFor("bob")));
    }

    private static List<String> producerIds(List<PublishedTrack> tracks) {
        return tracks.stream().map(PublishedTrack::producerId).toList();
    }
}
