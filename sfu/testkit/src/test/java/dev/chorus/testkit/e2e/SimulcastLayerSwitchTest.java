package dev.chorus.testkit.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.codec.Vp8Payload;
import dev.chorus.sfu.conference.MediaException;
import dev.chorus.sfu.conference.MediaRoom;
import dev.chorus.sfu.conference.MediaService;
import dev.chorus.sfu.conference.MediaSession;
import dev.chorus.sfu.conference.OfferOutcome;
import dev.chorus.sfu.conference.PublishedTrack;
import dev.chorus.sfu.conference.ViewSize;
import dev.chorus.sfu.forward.RouterConfig;
import dev.chorus.sfu.sdp.SdpException;
import dev.chorus.sfu.transport.DtlsCertificate;
import dev.chorus.sfu.transport.TransportConfig;
import dev.chorus.testkit.peer.NativePeer;
import dev.chorus.testkit.peer.PayloadStamp;
import dev.chorus.testkit.peer.ReceiveStats;
import dev.chorus.testkit.peer.RtpListener;
import dev.chorus.testkit.peer.SendLayer;
import dev.chorus.testkit.peer.SendStream;
import dev.chorus.testkit.peer.SimulcastOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Simulcast end to end through the real media stack on 127.0.0.1: a real {@link MediaService} (ICE, DTLS,
 * SRTP, router, worker), a native publisher sending three VP8 layers plus audio at 30 fps, and a native
 * subscriber whose view size ({@link MediaSession#setViewSizes}, what the {@code view} message hands over)
 * and whose publisher's stopped top layer decide the layer it gets. Every packet says which layer it came
 * from ({@link PayloadStamp}), so the test sees each switch arrive and measures how long it took and how
 * long the picture froze across it; {@link ReceiveStats} says whether the stream stayed seamless.
 *
 * <p>The test is the control thread of the media service: control tasks (transport events) run in its
 * pacing loop, which sends a frame every 33 ms and never waits longer than its phase's deadline. It lives in
 * the test kit because the sfu module's tests cannot use the native peer (the kit depends on the sfu).
 *
 * <p>The testkit's key frames announce 320x240 on the top layer and half of it on each layer below, so the
 * view sizes here are chosen against 80x60, 160x120 and 320x240 rather than a camera's 320..1280 pixels.
 * The measured figures go to {@code target/simulcast-layer-switches.json}.
 */
@Timeout(60)
class SimulcastLayerSwitchTest {
    private static final TransportConfig LOOPBACK = TransportConfig.builder()
            .port(0)
            .allowRemote("127.0.0.0/8")
            .dtlsHandshakeTimeout(Duration.ofSeconds(5))
            .build();
    private static final DtlsCertificate CLIENT_CERT = DtlsCertificate.generate();

    private static final long FRAME_NANOS = 1_000_000_000L / 30;
    private static final long AUDIO_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final long REPORT_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** The top layer's frame: three packets; the layers below get a quarter and a sixteenth (one packet each). */
    private static final int TOP_FRAME_BYTES = 3000;
    /** The testkit's key frames announce 320x240 on the top layer, half of it per layer below. */
    private static final int[][] LAYER_SIZES = {{80, 60}, {160, 120}, {320, 240}};

    /**
     * Longest time without a complete frame across a switch the subscriber asked for. The SFU keeps forwarding
     * the old layer until the new layer's key frame arrives, and the publisher sends that key frame with its
     * next frame after the PLI, so the picture should never stall longer than one frame interval: 33 ms going
     * down; about 0 going up, since a frame goes out on the layers lowest first and the new layer's key frame
     * is the same picture as the old layer's frame just forwarded. The bound leaves room for the SFU's threads
     * being held up on a loaded 2-core machine; a pause of the publisher itself (this loop held up) is allowed
     * on top, see {@link #SENDER_STALL_SLACK_MILLIS}.
     */
    private static final long SWITCH_FREEZE_BOUND_MILLIS = 250;
    /**
     * From the view size to the new layer's first packet: the command hops to the worker, the PLI (at most one
     * per layer every 300 ms; the phases here ask each layer less often) reaches the publisher, whose next
     * frame brings the key frame. Usually one to two frame intervals.
     */
    private static final long VIEW_SWITCH_BOUND_MILLIS = 1000;
    /**
     * A layer that stops is noticed when it has sent nothing for 1 s (Producer.LAYER_ACTIVE_NANOS), checked
     * every 100 ms on the other layers' packets; then a PLI and the next frame. About 1.1 s.
     */
    private static final long STOPPED_LAYER_BOUND_MILLIS = 1500;
    /** A restarted layer starts with a key frame, and its first packet retargets the consumer. */
    private static final long RESTARTED_LAYER_BOUND_MILLIS = 500;
    /** Forwarded timestamps across a switch must be the frames' real capture distance, within this. */
    private static final long TIMESTAMP_TOLERANCE_MILLIS = 10;
    /** Above the publisher's own longest pause between two frames, what a switch may add to the freeze. */
    private static final long SENDER_STALL_SLACK_MILLIS = 50;
    /** Frames a phase sends after its switch, to see that only the new layer comes. */
    private static final int SETTLE_FRAMES = 15;

    private final Queue<Runnable> control = new ConcurrentLinkedQueue<>();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private MediaService service;
    private NativePeer alice;
    private NativePeer bob;
    private MediaSession bobSession;
    private LayerWatch watch;
    private ReceiveStats video;
    private final Pacer pacer = new Pacer();
    private final ArrayNode figures = JsonNodeFactory.instance.arrayNode();

    @AfterEach
    void close() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    @Test
    void viewSizeAndStoppedLayersChooseTheLayerAndEverySwitchIsSeamless() throws Exception {
        service = MediaService.start(
                new MediaService.Settings(LOOPBACK, 1, 256, 1024, RouterConfig.defaults(), true), control::add);
        toClose.add(service);
        MediaRoom room = service.room("big-room");
        alice = peer("alice");
        bob = peer("bob");
        alice.stampSendTimes(System::nanoTime);
        connect(
                room,
                alice,
                alice.createOffer(1, 1, 0, 0, SimulcastOptions.DEFAULT),
                Map.of("0", "mic", "1", "camera"));
        Joined joined = connect(room, bob, bob.createOffer(0, 0, 1, 1), Map.of());
        bobSession = joined.session();
        PublishedTrack camera = joined.outcome().tracks().stream()
                .filter(t -> t.mid().equals("1"))
                .findFirst()
                .orElseThrow()
                .track();
        assertEquals(List.of("l", "m", "h"), camera.rids(), "bob's video line has alice's simulcast camera");
        assertEquals(camera.producerId(), bobSession.subscriptions().get("1"));
        long bobVideoSsrc = bob.remoteLine("1").orElseThrow().ssrc().getAsLong();
        watch = new LayerWatch(bobVideoSsrc);
        bob.onRtp(watch);
        video = bob.received("1");
        pump(() -> alice.connected().isDone() && bob.connected().isDone(), 10_000, "both peers connect");

        // 1. No view size yet: the top layer.
        pump(() -> video.completeFrames() >= 15, 5_000, "bob receives video");
        assertEquals(2, video.lastLayer(), "the top layer while no size is known");
        assertEquals(0, video.layerChanges());
        assertEquals(0, watch.packets(0) + watch.packets(1), "nothing of the lower layers");

        // 2. - 3. The view size picks the lowest layer covering it (the layers are 80x60, 160x120, 320x240).
        switchByView(new ViewSize(80, 45), 0, "small tile");
        switchByView(new ViewSize(160, 90), 1, "medium tile");
        // 3b. Not shown (0 x 0, a tile scrolled away): the SFU stops sending it (last-N counts shown videos only).
        bobSession.setViewSizes(Map.of("1", new ViewSize(0, 0)));
        pumpFrames(10);
        long whenHidden = video.packets();
        pumpFrames(20);
        assertEquals(whenHidden, video.packets(), "a video bob does not show is paused");
        assertFalse(debug(camera.producerId()).get("consumer").get("selected").asBoolean());
        // Shown again, large: it comes back on the top layer's key frame (the pause is no switch freeze).
        ObjectNode back = awaitSwitch(
                () -> bobSession.setViewSizes(Map.of("1", new ViewSize(1920, 1080))),
                1,
                2,
                VIEW_SWITCH_BOUND_MILLIS,
                Long.MAX_VALUE,
                "shown again");
        assertTrue(back.get("plisToNewLayer").asLong() > 0, back::toString);
        switchByView(new ViewSize(150, 84), 1, "medium tile again");
        switchByView(new ViewSize(1920, 1080), 2, "larger than any layer");

        // 4. The publisher turns its top layer off while bob wants it, then on again.
        SendLayer top = alice.sendStream("1").layer(2);
        ObjectNode stopped = awaitSwitch(
                () -> top.setActive(false),
                2,
                1,
                STOPPED_LAYER_BOUND_MILLIS,
                STOPPED_LAYER_BOUND_MILLIS,
                "top layer stopped");
        assertTrue(stopped.get("plisToNewLayer").asLong() > 0, stopped::toString);
        JsonNode whileStopped = debug(camera.producerId());
        JsonNode stoppedConsumer = whileStopped.get("consumer");
        assertFalse(
                whileStopped.get("producer").get("streams").get(2).get("active").asBoolean(), whileStopped::toString);
        assertTrue(
                whileStopped.get("producer").get("streams").get(1).get("active").asBoolean());
        assertEquals(2, stoppedConsumer.get("preferredLayer").asInt(), "bob still wants the top layer");
        assertEquals(1, stoppedConsumer.get("targetLayer").asInt(), "but it is not arriving");
        assertEquals(1, stoppedConsumer.get("currentLayer").asInt());

        pumpFrames(3); // so that reading /debug cannot count as part of the next switch's freeze
        awaitSwitch(
                () -> top.setActive(true),
                1,
                2,
                RESTARTED_LAYER_BOUND_MILLIS,
                SWITCH_FREEZE_BOUND_MILLIS,
                "top layer restarted");

        // Seamless all along: one SSRC whose numbering and timing never broke.
        assertEquals(7, video.layerChanges(), "exactly the switches above");
        assertEquals(0, video.sequenceGaps(), "no loss on loopback, and no gap at a switch");
        assertEquals(0, video.timestampBackwards());
        assertEquals(0, video.pictureIdGaps());
        assertEquals(0, video.tl0PicIdxBackwards());
        assertTrue(video.longestFreezeMillis() < STOPPED_LAYER_BOUND_MILLIS, video.longestFreezeMillis() + " ms");
        ReceiveStats audio = bob.received("0");
        assertTrue(audio.packets() > 200, "audio went on: " + audio.packets());
        assertEquals(0, audio.sequenceGaps());
        assertEquals(0, audio.timestampBackwards());
        SendStream cam = alice.sendStream("1");
        for (int i = 0; i < 3; i++) {
            assertTrue(cam.layer(i).keyframeRequests() > 0, "the SFU asked layer " + i + " for its switch key frame");
        }

        // 5. What /debug says about it.
        JsonNode end = debug(camera.producerId());
        JsonNode consumer = end.get("consumer");
        assertEquals(2, consumer.get("currentLayer").asInt());
        assertEquals(2, consumer.get("targetLayer").asInt());
        assertEquals(2, consumer.get("preferredLayer").asInt());
        assertEquals(1920, consumer.get("viewWidth").asInt());
        assertEquals(1080, consumer.get("viewHeight").asInt());
        assertEquals(video.layerChanges(), consumer.get("layerSwitches").asLong(), consumer::toString);
        // The SFU keeps the wall-clock guess when the reports' answer is over 0.5 s away from it, which
        // a stall of this machine can cause once; each switch's spacing was checked against capture above.
        assertTrue(
                consumer.get("switchesAlignedBySenderReports").asLong()
                        >= consumer.get("layerSwitches").asLong() - 1,
                () -> "the switches placed their timestamps through the layers' sender reports: " + consumer);
        assertEquals(bobVideoSsrc, consumer.get("ssrc").asLong());
        JsonNode streams = end.get("producer").get("streams");
        assertEquals(3, streams.size());
        for (int i = 0; i < 3; i++) {
            JsonNode s = streams.get(i);
            assertEquals(i, s.get("layer").asInt());
            assertEquals(List.of("l", "m", "h").get(i), s.get("rid").asText());
            assertEquals(cam.layer(i).ssrc(), s.get("ssrc").asLong(), "the SSRC learnt from MID + rid");
            assertEquals(LAYER_SIZES[i][0], s.get("width").asInt(), s::toString);
            assertEquals(LAYER_SIZES[i][1], s.get("height").asInt(), s::toString);
            assertTrue(s.get("active").asBoolean(), s::toString);
            assertTrue(s.get("keyframesSeen").asLong() >= 2, s::toString);
            assertTrue(s.get("senderReportsReceived").asLong() > 0, s::toString);
        }
        report();
    }

    // ---------------------------------------------------------------- phases

    /** Sets bob's view size of the camera and expects the switch to {@code toLayer}, then only that layer. */
    private void switchByView(ViewSize size, int toLayer, String what) throws Exception {
        ObjectNode f = awaitSwitch(
                () -> bobSession.setViewSizes(Map.of("1", size)),
                video.lastLayer(),
                toLayer,
                VIEW_SWITCH_BOUND_MILLIS,
                SWITCH_FREEZE_BOUND_MILLIS,
                what + " " + size);
        assertTrue(f.get("plisToNewLayer").asLong() > 0, () -> "the SFU asked the new layer for a key frame: " + f);
    }

    /**
     * Sends frames until the subscriber's stream switched from {@code from} to {@code to} and the new layer's
     * first frame is complete, checks how long that took and the freeze across it, then sends
     * {@link #SETTLE_FRAMES} more and checks that only the new layer came.
     */
    private ObjectNode awaitSwitch(
            Runnable action, int from, int to, long switchBoundMillis, long freezeBoundMillis, String what) {
        int before = watch.switches.size();
        long changesBefore = video.layerChanges();
        long senderGapBefore = pacer.resetLongestGap();
        SendLayer target = alice.sendStream("1").layer(to);
        long plisBefore = target.keyframeRequests();
        long keyframesBefore = target.keyframesSent();
        long asked = System.nanoTime();
        action.run();
        pump(() -> watch.switches.size() > before, switchBoundMillis + 2_000, what + ": layer " + to);
        Switch s = watch.switches.get(before);
        long afterSwitch = watch.packets(to);
        long othersAfterSwitch = watch.totalPackets() - afterSwitch;
        pumpFrames(SETTLE_FRAMES);
        long senderGap = pacer.resetLongestGap();

        long senderGapMillis = TimeUnit.NANOSECONDS.toMillis(Math.max(senderGapBefore, senderGap));
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(s.firstPacketNanos() - asked);
        long freezeMillis = TimeUnit.NANOSECONDS.toMillis(s.freezeNanos());
        long capturedMillis = TimeUnit.NANOSECONDS.toMillis(s.captureDistanceNanos());
        long tsMillis = s.timestampDistanceTicks() / 90;
        ObjectNode f = figures.addObject()
                .put("what", what)
                .put("from", s.from())
                .put("to", s.to())
                .put("switchMillis", tookMillis)
                .put("freezeMillis", freezeMillis)
                .put("captureDistanceMillis", capturedMillis)
                .put("timestampDistanceTicks", s.timestampDistanceTicks())
                .put("plisToNewLayer", target.keyframeRequests() - plisBefore)
                .put("keyframesOfNewLayer", target.keyframesSent() - keyframesBefore)
                .put("senderLongestFrameGapMillis", senderGapMillis);
        // Built only for a failure message: the peer's JSON takes a while the first time.
        Supplier<String> detail = () -> what + ": " + f + "\nbob " + bob.toJson();
        assertEquals(from, s.from(), detail);
        assertEquals(to, s.to(), detail);
        assertEquals(
                changesBefore + 1,
                video.layerChanges(),
                () -> "one change, and only the new layer since: " + detail.get());
        assertEquals(to, video.lastLayer(), detail);
        assertEquals(
                othersAfterSwitch,
                watch.totalPackets() - watch.packets(to),
                () -> "no other layer after: " + detail.get());
        assertTrue(watch.packets(to) > afterSwitch + SETTLE_FRAMES / 2, () -> "the new layer goes on: " + detail.get());
        assertTrue(s.keyframe(), () -> "the switch starts on a key frame: " + detail.get());
        assertTrue(tookMillis <= switchBoundMillis, () -> "switched in " + tookMillis + " ms: " + detail.get());
        // Frames the publisher did not send (this loop held up on a busy machine) are no freeze of the SFU's.
        long allowedFreeze = Math.max(freezeBoundMillis, senderGapMillis + SENDER_STALL_SLACK_MILLIS);
        assertTrue(freezeMillis <= allowedFreeze, () -> "froze " + freezeMillis + " ms: " + detail.get());
        // Placed through the sender reports, the new layer's first frame is as far from the old layer's last
        // one as their capture times are (the same capture instant gets one tick, to move forward).
        assertTrue(s.timestampDistanceTicks() > 0, detail);
        assertTrue(
                Math.abs(tsMillis - capturedMillis) <= TIMESTAMP_TOLERANCE_MILLIS, () -> "timestamps: " + detail.get());
        return f;
    }

    // ---------------------------------------------------------------- media service and peers

    private NativePeer peer(String name) throws Exception {
        NativePeer p = NativePeer.create(LOOPBACK, CLIENT_CERT, name);
        toClose.add(p);
        return p;
    }

    /** Joins, offers and applies the answer with the SFU's candidates; connecting happens while pumping. */
    private Joined connect(MediaRoom room, NativePeer peer, String offer, Map<String, String> sources)
            throws MediaException, SdpException {
        MediaSession session = room.join(peer.name(), new QuietSession());
        OfferOutcome outcome = session.handleOffer(offer, sources);
        peer.applyAnswer(outcome.sdp());
        outcome.candidates().forEach(peer::addRemoteCandidate);
        return new Joined(session, outcome);
    }

    private record Joined(MediaSession session, OfferOutcome outcome) {}

    /** The camera's producer and bob's consumer of it, from {@link MediaService#debugJson()}. */
    private JsonNode debug(String producerId) throws Exception {
        JsonNode router = service.debugJson()
                .get(10, TimeUnit.SECONDS)
                .get("forwarding")
                .get("routers")
                .get(0);
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        for (JsonNode p : router.get("producers")) {
            if (producerId.equals(p.get("id").asText())) {
                out.set("producer", p);
            }
        }
        for (JsonNode c : router.get("consumers")) {
            if (producerId.equals(c.get("producer").asText())) {
                out.set("consumer", c);
            }
        }
        assertTrue(out.has("producer") && out.has("consumer"), router::toString);
        return out;
    }

    private void report() throws Exception {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.set("switches", figures);
        root.put("longestFreezeMillis", video.longestFreezeMillis());
        root.put("completeFrames", video.completeFrames());
        root.put("layerChanges", video.layerChanges());
        String json = new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(root);
        System.out.println("simulcast layer switches: " + json);
        Path target = Path.of("target");
        if (Files.isDirectory(target)) {
            Files.writeString(target.resolve("simulcast-layer-switches.json"), json);
        }
    }

    // ---------------------------------------------------------------- pacing

    /**
     * Runs control tasks and sends alice's media in real time (a video frame every 33 ms on every active
     * layer, an audio packet every 20 ms, receiver reports from bob every second) until {@code done} holds;
     * fails with both peers' state after {@code timeoutMillis}.
     */
    private void pump(BooleanSupplier done, long timeoutMillis, String what) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("no " + what + " within " + timeoutMillis + " ms\nalice " + alice.toJson() + "\nbob "
                        + bob.toJson());
            }
            pacer.step();
        }
    }

    /** Pumps until {@code frames} more video frames went out (bounded by their time plus a margin). */
    private void pumpFrames(int frames) {
        long target = pacer.frames + frames;
        pump(() -> pacer.frames >= target, TimeUnit.NANOSECONDS.toMillis(frames * FRAME_NANOS) + 2_000, "frames");
    }

    private final class Pacer {
        private final byte[] frame = new byte[TOP_FRAME_BYTES];
        private long nextFrame;
        private long nextAudio;
        private long nextReport;
        private long lastFrameSent = -1;
        private long longestGap;
        long frames;

        void step() {
            for (Runnable task = control.poll(); task != null; task = control.poll()) {
                task.run();
            }
            long now = System.nanoTime();
            if (alice.connected().isDone()) {
                if (now >= nextAudio) {
                    alice.sendAudioPacket("0");
                    nextAudio = Math.max(nextAudio + AUDIO_NANOS, now - AUDIO_NANOS);
                }
                if (now >= nextFrame) {
                    alice.sendVideoFrame("1", frame, false);
                    frames++;
                    if (lastFrameSent >= 0) {
                        longestGap = Math.max(longestGap, now - lastFrameSent);
                    }
                    lastFrameSent = now;
                    // A camera that falls behind skips frames rather than sending a burst.
                    nextFrame = Math.max(nextFrame + FRAME_NANOS, now - FRAME_NANOS / 2);
                }
            }
            if (bob.connected().isDone() && now >= nextReport) {
                bob.sendReceiverReport();
                nextReport = now + REPORT_NANOS;
            }
            long wake = Math.min(nextFrame, nextAudio);
            LockSupport.parkNanos(Math.max(100_000L, Math.min(wake - System.nanoTime(), 2_000_000L)));
        }

        /** The longest time between two frames sent since the last call. */
        long resetLongestGap() {
            long g = longestGap;
            longestGap = 0;
            return g;
        }
    }

    // ---------------------------------------------------------------- what bob receives

    /**
     * One switch as the subscriber saw it: the first packet of the new layer, and the freeze from the old
     * layer's last complete frame to the new layer's first; the timestamp and capture-time distance between
     * those two frames (capture time: the publisher's send-time stamp of their first packets).
     */
    record Switch(
            int from,
            int to,
            long firstPacketNanos,
            boolean keyframe,
            long freezeNanos,
            long timestampDistanceTicks,
            long captureDistanceNanos) {}

    /** Follows the layer stamp of bob's video packets (reader thread), recording every switch. */
    static final class LayerWatch implements RtpListener {
        final List<Switch> switches = new CopyOnWriteArrayList<>();
        private final long ssrc;
        private final AtomicLongArray packets = new AtomicLongArray(3);
        // reader thread only
        private int layer = -1;
        private long lastFrameEndNanos = -1;
        private long frameTimestamp;
        private long frameSentNanos;
        private long lastFrameTimestamp;
        private long lastFrameSentNanos;
        private int switchFrom = -1;
        private long switchNanos;
        private boolean switchKeyframe;
        private boolean inFrame;

        LayerWatch(long ssrc) {
            this.ssrc = ssrc;
        }

        @Override
        public void onRtp(
                long receivedNanos,
                long packetSsrc,
                int sequenceNumber,
                long rtpTimestamp,
                int payloadType,
                boolean marker,
                byte[] buf,
                int payloadOffset,
                int payloadLength) {
            int l = PayloadStamp.layer(buf, payloadOffset, payloadLength);
            if (packetSsrc != ssrc || l < 0 || l > 2) {
                return;
            }
            packets.incrementAndGet(l);
            if (!inFrame) {
                inFrame = true;
                frameTimestamp = rtpTimestamp;
                frameSentNanos = PayloadStamp.present(buf, payloadOffset, payloadLength)
                        ? PayloadStamp.read(buf, payloadOffset, payloadLength)
                        : receivedNanos;
                if (layer >= 0 && l != layer) {
                    switchFrom = layer;
                    switchNanos = receivedNanos;
                    switchKeyframe = Vp8Payload.isKeyframeStart(buf, payloadOffset, payloadLength);
                }
            }
            layer = l;
            if (marker) {
                inFrame = false;
                if (switchFrom >= 0) {
                    switches.add(new Switch(
                            switchFrom,
                            l,
                            switchNanos,
                            switchKeyframe,
                            receivedNanos - lastFrameEndNanos,
                            (frameTimestamp - lastFrameTimestamp) & 0xFFFF_FFFFL,
                            frameSentNanos - lastFrameSentNanos));
                    switchFrom = -1;
                }
                lastFrameEndNanos = receivedNanos;
                lastFrameTimestamp = frameTimestamp;
                lastFrameSentNanos = frameSentNanos;
            }
        }

        long packets(int l) {
            return packets.get(l);
        }

        long totalPackets() {
            return packets.get(0) + packets.get(1) + packets.get(2);
        }
    }

    /** A session listener that needs to do nothing: both peers offer once, before anything changes. */
}
