package dev.chorus.testkit.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.codec.Vp8Payload;
import dev.chorus.sfu.conference.MediaRoom;
import dev.chorus.sfu.conference.MediaService;
import dev.chorus.sfu.conference.MediaSession;
import dev.chorus.sfu.conference.OfferOutcome;
import dev.chorus.sfu.forward.RouterConfig;
import dev.chorus.sfu.transport.DtlsCertificate;
import dev.chorus.sfu.transport.TransportConfig;
import dev.chorus.testkit.netsim.Impairment;
import dev.chorus.testkit.netsim.UdpImpairmentProxy;
import dev.chorus.testkit.peer.NativePeer;
import dev.chorus.testkit.peer.OfferWriter;
import dev.chorus.testkit.peer.ReceiveStats;
import dev.chorus.testkit.peer.RtpListener;
import dev.chorus.testkit.peer.SimulcastOptions;
import dev.chorus.testkit.peer.TransportCcReporter;
import java.net.BindException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * VP8 temporal layers end to end on 127.0.0.1: a native publisher sends three simulcast layers, each with
 * three temporal layers (TID 0, 2, 1, 2; Y on the first TL2 and TL1 frame after each TL0 frame) at 30 fps; a
 * native subscriber reports what arrives with transport-cc feedback, as a browser does, and reaches the SFU
 * through the impairment proxy, whose downlink to it is capped. Under the cap the SFU halves the frame rate
 * before it gives up resolution: the subscriber keeps the top layer at TL0+TL1 (15 fps) with sequence
 * numbers and picture ids without a gap; when the cap lifts, TL2 comes back at its next sync frame, without a
 * key frame. The figures go to {@code target/temporal-layer-cap.json}.
 */
@Timeout(120)
class TemporalLayerCapTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final DtlsCertificate CLIENT_CERT = DtlsCertificate.generate();
    private static final long FRAME_NANOS = 1_000_000_000L / 30;
    private static final long FEEDBACK_NANOS = 50_000_000L;
    /** Top layer: 3000 bytes a frame, about 750 kbps with headers; TL0+TL1 about 375 kbps. */
    private static final int TOP_FRAME_BYTES = 3000;
    /** Between TL0+TL1 of the top layer and all of it. */
    private static final String CAP = "rate=560kbps,queue=300ms";

    private final Queue<Runnable> control = new ConcurrentLinkedQueue<>();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final List<long[]> frames = new ArrayList<>(); // {arrival nanos, tid}
    private NativePeer alice;
    private NativePeer bob;
    private TransportCcReporter feedback;
    private long bobVideoSsrc;
    private long nextFrame;
    private long nextFeedback;
    private long nextReport;
    private final byte[] frame = new byte[TOP_FRAME_BYTES];

    @AfterEach
    void close() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    @Test
    void aCappedSubscriberGetsHalfTheFrameRateOfTheTopLayerAndAllOfItBackWhenTheCapLifts() throws Exception {
        UdpImpairmentProxy proxy = null;
        MediaService service = null;
        for (int attempt = 0; proxy == null; attempt++) {
            int proxyPort = freeUdpPort(); // the SFU announces the proxy's port, so it must be known first
            MediaService m = MediaService.start(
                    new MediaService.Settings(
                            TransportConfig.builder()
                                    .port(0)
                                    .allowRemote("127.0.0.0/8")
                                    .advertised(LOOPBACK, proxyPort)
                                    .dtlsHandshakeTimeout(Duration.ofSeconds(5))
                                    .build(),
                            1,
                            256,
                            1024,
                            RouterConfig.defaults(),
                            true),
                    control::add);
            try {
                proxy = UdpImpairmentProxy.start(
                        new InetSocketAddress(LOOPBACK, proxyPort), new InetSocketAddress(LOOPBACK, m.udpPort()), 11);
                service = m;
            } catch (BindException e) {
                m.close();
                if (attempt == 5) {
                    throw e;
                }
            }
        }
        toClose.add(service);
        toClose.add(proxy);
        MediaService media = service;
        UdpImpairmentProxy link = proxy;
        MediaRoom room = media.room("temporal");
        alice = peer("alice");
        bob = peer("bob");
        String aliceOffer = alice.createOffer(0, 1, 0, 0, SimulcastOptions.DEFAULT);
        String camera = alice.sendStreams().get(0).mid();
        alice.sendStream(camera).setLayerSync(true);
        alice.sendStream(camera).sendTransportCc(OfferWriter.EXT_TRANSPORT_CC); // what bob's feedback is about
        connect(room, alice, aliceOffer, Map.of(camera, "camera"));
        OfferOutcome bobAnswer = connect(room, bob, bob.createOffer(0, 0, 0, 1), Map.of());
        String bobMid = bob.mids(dev.chorus.sfu.codec.MediaKind.VIDEO, dev.chorus.sfu.sdp.Direction.RECVONLY)
                .get(0);
        bobVideoSsrc = bob.remoteLine(bobMid).orElseThrow().ssrc().getAsLong();
        feedback = new TransportCcReporter(OfferWriter.EXT_TRANSPORT_CC, frameLog());
        bob.onRtp(feedback);
        ReceiveStats video = bob.received(bobMid);
        pump(() -> alice.connected().isDone() && bob.connected().isDone(), 10_000, "both peers connect");
        pump(() -> video.completeFrames() >= 60, 10_000, "bob receives video");

        ObjectNode figures = JsonNodeFactory.instance.objectNode();
        pumpFor(3_000);
        ObjectNode open = window("uncapped", 2_000, figures);
        assertTrue(tids(open).contains(2), "all three temporal layers before the cap: " + open);

        String bobUfrag = iceUfrag(bobAnswer.sdp());
        link.setForIceUfrag(bobUfrag, Impairment.NONE, Impairment.parse(CAP));
        long capped = System.nanoTime();
        pump(() -> step(media).startsWith("2/T"), 30_000, "the SFU lowers bob's frame rate under the cap");
        figures.put("capToTemporalStepMillis", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - capped));
        pumpFor(2_000);
        long gapsBefore = video.sequenceGaps();
        long pictureGapsBefore = video.pictureIdGaps();
        long linkDropsBefore = linkDrops(link, bobUfrag);
        ObjectNode under = window("capped", 3_000, figures);
        pumpFor(300); // what the link dropped in the window has had time to show as a hole
        long linkDrops = linkDrops(link, bobUfrag) - linkDropsBefore;
        long gaps = video.sequenceGaps() - gapsBefore;
        figures.put("cappedSequenceGaps", gaps);
        figures.put("cappedPictureIdGaps", video.pictureIdGaps() - pictureGapsBefore);
        figures.put("cappedLinkDrops", linkDrops);
        assertEquals(List.of(0, 1), tids(under), "TL0 and TL1 only: " + figures + " " + consumer(media));
        double fps = under.get("fps").asDouble();
        assertTrue(fps >= 11 && fps <= 19, "about 15 fps: " + figures);
        // Every hole is a packet the capped link dropped (the SFU's probes overfill it now and then): none is
        // where the SFU dropped a frame. Likewise a picture id only jumps where the link lost a whole frame.
        assertTrue(gaps <= linkDrops, "no hole where frames were dropped: " + figures);
        assertTrue(video.pictureIdGaps() - pictureGapsBefore <= linkDrops, "picture ids consecutive: " + figures);
        assertEquals(2, consumer(media).get("currentLayer").asInt(), "still the top layer: " + figures);

        long keyframesBefore = alice.sendStream(camera).layer(2).keyframesSent();
        link.setForIceUfrag(bobUfrag, Impairment.NONE, Impairment.NONE);
        long lifted = System.nanoTime();
        pump(() -> step(media).equals("2/all") && recentTids(500).contains(2), 40_000, "TL2 back after the lift");
        figures.put("liftToFullRateMillis", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lifted));
        ObjectNode back = window("lifted", 2_000, figures);
        assertTrue(back.get("fps").asDouble() >= 24, "30 fps again: " + figures);
        figures.put("keyframesForTheClimb", alice.sendStream(camera).layer(2).keyframesSent() - keyframesBefore);
        figures.set("consumer", consumer(media));
        Path out = Path.of("target", "temporal-layer-cap.json");
        Files.createDirectories(out.getParent());
        Files.writeString(
                out, new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(figures));
        assertTrue(feedback.feedbackSent() > 100, "bob reported arrivals: " + feedback.feedbackSent());
    }

    /** Packets the proxy dropped on its way to bob (queue full or lost). */
    private static long linkDrops(UdpImpairmentProxy proxy, String serverUfrag) {
        long n = 0;
        for (var f : proxy.flows()) {
            if (f.iceUsername() != null && f.iceUsername().startsWith(serverUfrag + ":")) {
                n += f.toClient().droppedQueue() + f.toClient().droppedLoss();
            }
        }
        return n;
    }

    // ---------------------------------------------------------------- frames bob receives

    private RtpListener frameLog() {
        return (nanos, ssrc, seq, ts, pt, marker, buf, at, length) -> {
            if (ssrc == bobVideoSsrc && length > 0 && (buf[at] & 0x17) == 0x10) { // S=1, PID=0: a frame starts
                synchronized (frames) {
                    frames.add(new long[] {nanos, Vp8Payload.temporalId(buf, at, length)});
                }
            }
        };
    }

    /** Pumps for {@code millis} and records the frames that arrived meanwhile: fps and the TIDs seen. */
    private ObjectNode window(String name, long millis, ObjectNode figures) {
        long start = System.nanoTime();
        pumpFor(millis);
        long end = System.nanoTime();
        int count = 0;
        int[] byTid = new int[4];
        synchronized (frames) {
            for (long[] f : frames) {
                if (f[0] >= start && f[0] < end && f[1] >= 0) {
                    count++;
                    byTid[(int) f[1]]++;
                }
            }
        }
        ObjectNode w = figures.putObject(name);
        w.put("fps", Math.round(count * 10e9 / (end - start)) / 10.0);
        ArrayNode t = w.putArray("framesByTid");
        for (int n : byTid) {
            t.add(n);
        }
        return w;
    }

    private static List<Integer> tids(ObjectNode window) {
        List<Integer> seen = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            if (window.get("framesByTid").get(i).asInt() > 0) {
                seen.add(i);
            }
        }
        return seen;
    }

    private List<Integer> recentTids(long millis) {
        long since = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(millis);
        List<Integer> seen = new ArrayList<>();
        synchronized (frames) {
            for (long[] f : frames) {
                if (f[0] >= since && !seen.contains((int) f[1])) {
                    seen.add((int) f[1]);
                }
            }
        }
        return seen;
    }

    // ---------------------------------------------------------------- pacing: the test is the control thread

    private void pump(BooleanSupplier done, long timeoutMillis, String what) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("no " + what + " within " + timeoutMillis + " ms; feedback sent "
                        + (feedback == null ? 0 : feedback.feedbackSent()) + "\nalice " + alice.toJson() + "\nbob "
                        + bob.toJson());
            }
            step();
        }
    }

    private void pumpFor(long millis) {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        pump(() -> System.nanoTime() >= until, millis + 1_000, "time");
    }

    private void step() {
        for (Runnable task = control.poll(); task != null; task = control.poll()) {
            task.run();
        }
        long now = System.nanoTime();
        if (alice.connected().isDone() && now >= nextFrame) {
            alice.sendVideoFrame(frame, false);
            nextFrame = Math.max(nextFrame + FRAME_NANOS, now - FRAME_NANOS / 2);
        }
        if (bob.connected().isDone() && now >= nextFeedback) {
            feedback.sendFeedback(bob.transport(), 0xB0B0);
            nextFeedback = now + FEEDBACK_NANOS;
        }
        if (bob.connected().isDone() && now >= nextReport) {
            bob.sendReceiverReport();
            nextReport = now + 1_000_000_000L;
        }
        long wake = Math.min(nextFrame, nextFeedback);
        LockSupport.parkNanos(Math.max(100_000L, Math.min(wake - System.nanoTime(), 2_000_000L)));
    }

    // ---------------------------------------------------------------- media service and peers

    /** Bob's consumer of the camera, from /debug (read on this thread, which runs the control tasks). */
    private JsonNode consumer(MediaService service) {
        var future = service.debugJson();
        pump(future::isDone, 5_000, "debug state");
        JsonNode router = future.join().get("forwarding").get("routers").get(0);
        for (JsonNode c : router.get("consumers")) {
            if (c.has("temporal")) {
                return c;
            }
        }
        throw new AssertionError("no video consumer: " + router);
    }

    /** Bob's bandwidth step, e.g. "2/all" or "2/T1". */
    private String step(MediaService service) {
        return consumer(service).get("bandwidthStep").asText();
    }

    private NativePeer peer(String name) throws Exception {
        NativePeer p = NativePeer.create(
                TransportConfig.builder().port(0).allowRemote("127.0.0.0/8").build(), CLIENT_CERT, name);
        toClose.add(p);
        return p;
    }

    private OfferOutcome connect(MediaRoom room, NativePeer peer, String offer, Map<String, String> sources)
            throws Exception {
        MediaSession session = room.join(peer.name(), new QuietSession());
        OfferOutcome outcome = session.handleOffer(offer, sources);
        peer.applyAnswer(outcome.sdp());
        outcome.candidates().forEach(peer::addRemoteCandidate);
        return outcome;
    }

    private static String iceUfrag(String sdp) {
        Matcher m = Pattern.compile("a=ice-ufrag:(\\S+)").matcher(sdp);
        assertTrue(m.find(), sdp);
        return m.group(1);
    }

    private static int freeUdpPort() throws Exception {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            return s.getLocalPort();
        }
    }
}
