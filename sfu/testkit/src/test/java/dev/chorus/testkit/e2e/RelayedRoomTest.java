package dev.chorus.testkit.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chorus.sfu.conference.MediaException;
import dev.chorus.sfu.conference.MediaRoom;
import dev.chorus.sfu.conference.MediaService;
import dev.chorus.sfu.conference.MediaSession;
import dev.chorus.sfu.conference.OfferOutcome;
import dev.chorus.sfu.conference.PublishedTrack;
import dev.chorus.sfu.conference.RelayedTrack;
import dev.chorus.sfu.conference.ViewSize;
import dev.chorus.sfu.forward.RouterConfig;
import dev.chorus.sfu.relay.RelayPort;
import dev.chorus.sfu.sdp.SdpException;
import dev.chorus.sfu.transport.DtlsCertificate;
import dev.chorus.sfu.transport.TransportConfig;
import dev.chorus.testkit.netsim.Impairment;
import dev.chorus.testkit.netsim.UdpImpairmentProxy;
import dev.chorus.testkit.peer.NativePeer;
import dev.chorus.testkit.peer.PayloadStamp;
import dev.chorus.testkit.peer.ReceiveStats;
import dev.chorus.testkit.peer.RtpListener;
import dev.chorus.testkit.peer.SimulcastOptions;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One room on two nodes, through the real media stack of each: alice publishes simulcast video and audio on node A,
 * bob subscribes on node B, and A relays alice's streams to B over the relay ports, wired here as the nodes'
 * signaling wires them (tags and tracks handed across). The relay hop from A to B loses 5 % of its packets
 * (an impairment proxy in between). Bob must get alice's video whole (B's remote producer NACKs A, which resends from
 * its buffer), switch to her lowest layer when his tile is small (every layer crosses the relay), and his keyframe
 * requests must reach alice (B's PLI, one hop on from A).
 *
 * <p>The test is the control thread of both media services; its pump runs their control tasks and paces alice's
 * media in real time (a frame every 33 ms on every layer, audio every 20 ms).
 */
@Timeout(60)
class RelayedRoomTest {
    private static final TransportConfig LOOPBACK = TransportConfig.builder()
            .port(0)
            .allowRemote("127.0.0.0/8")
            .dtlsHandshakeTimeout(Duration.ofSeconds(5))
            .build();
    private static final DtlsCertificate CLIENT_CERT = DtlsCertificate.generate();
    private static final long FRAME_NANOS = 1_000_000_000L / 30;
    private static final long AUDIO_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final double RELAY_LOSS = 0.05;

    private final Queue<Runnable> control = new ConcurrentLinkedQueue<>();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private NativePeer alice;
    private NativePeer bob;
    /** Subscribes on alice's own node: the latency without the relay, beside bob's through it. */
    private NativePeer carl;

    private long nextFrame;
    private long nextAudio;
    private long nextReport;
    private final byte[] frame = new byte[3000];

    @AfterEach
    void close() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    @Test
    void aPublisherOnOneNodeReachesASubscriberOnAnotherWithLossRepairedPerHopAndEveryLayerRelayed() throws Exception {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        MediaService nodeA = service();
        MediaService nodeB = service();
        RelayPort portA = nodeA.openRelay(new InetSocketAddress(loopback, 0));
        RelayPort portB = nodeB.openRelay(new InetSocketAddress(loopback, 0));
        portA.allowSources(List.of(loopback));
        portB.allowSources(List.of(loopback));
        UdpImpairmentProxy lossy =
                UdpImpairmentProxy.start(new InetSocketAddress(loopback, 0), portB.localAddress(), 7);
        toClose.add(lossy);
        lossy.setDefault(Impairment.NONE.withLoss(RELAY_LOSS), Impairment.NONE);

        alice = peer("alice");
        bob = peer("bob");
        carl = peer("carl");
        alice.stampSendTimes(System::nanoTime);
        MediaRoom roomA = nodeA.room("spanning");
        connect(
                roomA,
                alice,
                alice.createOffer(1, 1, 0, 0, SimulcastOptions.DEFAULT),
                Map.of("0", "mic", "1", "camera"));
        pump(() -> alice.connected().isDone(), 10_000, "alice connects to node A");

        // What the nodes' signaling does when bob's node learns of alice: ask for her streams, hand the tags across.
        MediaRoom roomB = nodeB.room("spanning");
        int tagAtB = roomB.relays().receiveFrom("alice", portB.link(portA.localAddress()));
        int tagAtA = roomA.relays().relayTo("alice", portA.link(lossy.localAddress()), tagAtB);
        roomB.relays().setReturnTag("alice", tagAtA);
        List<RelayedTrack> tracks = roomA.relayedTracks("alice");
        assertEquals(2, tracks.size(), "alice's microphone and camera");
        roomB.relays().publishRemote("alice", tracks);

        MediaSession bobSession =
                connect(roomB, bob, bob.createOffer(0, 0, 1, 1), Map.of()).session();
        connect(roomA, carl, carl.createOffer(0, 0, 1, 1), Map.of());
        PublishedTrack camera = tracks.get(1).track();
        assertEquals(List.of("l", "m", "h"), camera.rids(), "the relayed camera is alice's simulcast track");
        assertEquals(camera.producerId(), bobSession.subscriptions().get("1"), "bob subscribes to it on node B");
        pump(() -> bob.connected().isDone() && carl.connected().isDone(), 10_000, "bob and carl connect");
        long bobVideoSsrc = bob.remoteLine("1").orElseThrow().ssrc().getAsLong();
        SequenceCover cover = new SequenceCover(bobVideoSsrc);
        Latency viaRelay = new Latency();
        Latency direct = new Latency();
        bob.onRtp(both(cover, viaRelay)); // one listener per peer
        carl.onRtp(direct);
        ReceiveStats video = bob.received("1");
        ReceiveStats audio = bob.received("0");

        // 1. The top layer crosses the relay, holes of the relay hop repaired by node A.
        pump(() -> video.completeFrames() >= 150 && audio.packets() >= 200, 20_000, "bob receives alice");
        assertEquals(2, video.lastLayer(), "no view size yet: the top layer");
        JsonNode senderAtA = relaySender(nodeA);
        assertTrue(senderAtA.get("rtpSent").asLong() > 500, senderAtA::toString);
        assertTrue(senderAtA.get("senderReportsSent").asLong() > 0, senderAtA::toString);
        assertTrue(senderAtA.get("retransmitted").asLong() > 0, () -> "the relay hop's loss was resent: " + senderAtA);
        assertTrue(cover.received() > 500, cover::toString);
        // A packet lost again on its retransmission is NACKed again a round trip later: judge what had arrived by now
        // once another 1.5 s of media gave every repair its time.
        long upTo = cover.highest();
        long repairsUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500);
        pump(() -> System.nanoTime() > repairsUntil, 5_000, "time for the last repairs");
        int missing = cover.missingBelow(upTo);
        System.out.printf(
                "relay latency: alice to carl on her node median %.2f ms p95 %.2f ms (%d packets); to bob through the"
                        + " relay median %.2f ms p95 %.2f ms (%d packets, repairs included)%n",
                direct.percentileMillis(50),
                direct.percentileMillis(95),
                direct.count(),
                viaRelay.percentileMillis(50),
                viaRelay.percentileMillis(95),
                viaRelay.count());
        System.out.println("relay A -> B at " + RELAY_LOSS * 100 + " % loss: sender " + senderAtA + "; bob's video "
                + cover + "; proxy " + lossy.toJson());
        assertEquals(0, missing, () -> "bob's video has holes: " + cover + " relay " + senderAtA);

        // 2. A small tile: node B switches bob to alice's lowest layer, which only exists there through the relay.
        long plisBefore = alice.sendStream("1").layer(0).keyframeRequests();
        bobSession.setViewSizes(Map.of("1", new ViewSize(80, 45)));
        pump(() -> video.lastLayer() == 0, 5_000, "bob switched to the lowest layer");
        assertTrue(
                alice.sendStream("1").layer(0).keyframeRequests() > plisBefore,
                "node B's keyframe request for the switch reached alice through node A");
        JsonNode afterSwitch = relaySender(nodeA);
        assertTrue(afterSwitch.get("keyframeRequestsReceived").asLong() > 0, afterSwitch::toString);

        // 3. Alice leaves on A; node B withdraws her tracks, and the relay's tags are gone on both ends.
        roomB.relays().removeRemote("alice");
        assertTrue(roomB.relays().remotePublishers().isEmpty());
        pump(() -> true, 0, "control");
        JsonNode relayB = nodeB.debugJson().get(10, TimeUnit.SECONDS).get("relay");
        assertEquals(0, relayB.get("streamsIn").asInt(), relayB::toString);
        assertTrue(relayB.get("packetsReceived").asLong() > 500, relayB::toString);
        assertEquals(0, relayB.get("droppedUnknownSource").asLong(), relayB::toString);
    }

    /** The relay sender on alice's endpoint at node A, from /debug. */
    private static JsonNode relaySender(MediaService node) throws Exception {
        JsonNode router = node.debugJson()
                .get(10, TimeUnit.SECONDS)
                .get("forwarding")
                .get("routers")
                .get(0);
        for (JsonNode e : router.get("endpoints")) {
            if (e.has("relays")) {
                return e.get("relays").get(0);
            }
        }
        throw new AssertionError("no relay sender on node A: " + router);
    }

    private MediaService service() throws Exception {
        MediaService s = MediaService.start(
                new MediaService.Settings(LOOPBACK, 1, 1024, 1024, RouterConfig.defaults(), true), control::add);
        toClose.add(s);
        return s;
    }

    private NativePeer peer(String name) throws Exception {
        NativePeer p = NativePeer.create(LOOPBACK, CLIENT_CERT, name);
        toClose.add(p);
        return p;
    }

    private record Joined(MediaSession session, OfferOutcome outcome) {}

    private Joined connect(MediaRoom room, NativePeer peer, String offer, Map<String, String> sources)
            throws MediaException, SdpException {
        MediaSession session = room.join(peer.name(), new QuietSession());
        OfferOutcome outcome = session.handleOffer(offer, sources);
        peer.applyAnswer(outcome.sdp());
        outcome.candidates().forEach(peer::addRemoteCandidate);
        return new Joined(session, outcome);
    }

    /** Runs control tasks and paces alice's media until {@code done}; fails after {@code timeoutMillis}. */
    private void pump(BooleanSupplier done, long timeoutMillis, String what) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (true) {
            for (Runnable task = control.poll(); task != null; task = control.poll()) {
                task.run();
            }
            if (done.getAsBoolean()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                fail("no " + what + " within " + timeoutMillis + " ms\nalice " + alice.toJson() + "\nbob "
                        + bob.toJson());
            }
            long now = System.nanoTime();
            if (alice.connected().isDone()) {
                if (now >= nextAudio) {
                    alice.sendAudioPacket("0");
                    nextAudio = Math.max(nextAudio + AUDIO_NANOS, now - AUDIO_NANOS);
                }
                if (now >= nextFrame) {
                    alice.sendVideoFrame("1", frame, false);
                    nextFrame = Math.max(nextFrame + FRAME_NANOS, now - FRAME_NANOS / 2);
                }
            }
            if (bob.connected().isDone() && carl.connected().isDone() && now >= nextReport) {
                bob.sendReceiverReport();
                carl.sendReceiverReport();
                nextReport = now + TimeUnit.SECONDS.toNanos(1);
            }
            LockSupport.parkNanos(1_000_000L);
        }
    }

    private static RtpListener both(RtpListener first, RtpListener second) {
        return (receivedNanos, ssrc, seq, ts, pt, marker, buf, off, len) -> {
            first.onRtp(receivedNanos, ssrc, seq, ts, pt, marker, buf, off, len);
            second.onRtp(receivedNanos, ssrc, seq, ts, pt, marker, buf, off, len);
        };
    }

    /** Send-to-receive times of stamped video packets (alice's clock is this JVM's nanoTime). */
    private static final class Latency implements RtpListener {
        private final List<Long> nanos = new ArrayList<>();

        @Override
        public synchronized void onRtp(
                long receivedNanos,
                long packetSsrc,
                int sequenceNumber,
                long rtpTimestamp,
                int payloadType,
                boolean marker,
                byte[] buf,
                int payloadOffset,
                int payloadLength) {
            if (payloadLength > 100 && PayloadStamp.present(buf, payloadOffset, payloadLength)) {
                nanos.add(receivedNanos - PayloadStamp.read(buf, payloadOffset, payloadLength));
            }
        }

        synchronized int count() {
            return nanos.size();
        }

        synchronized double percentileMillis(int p) {
            if (nanos.isEmpty()) {
                return Double.NaN;
            }
            List<Long> sorted = new ArrayList<>(nanos);
            sorted.sort(null);
            return sorted.get(Math.min(sorted.size() - 1, sorted.size() * p / 100)) / 1e6;
        }
    }

    /** Which sequence numbers of one SSRC arrived, in any order (reader thread writes, the test reads after). */
    private static final class SequenceCover implements RtpListener {
        private final long ssrc;
        private final BitSet seen = new BitSet();
        private int first = -1;
        private long highest = -1;
        private int cycles;
        private int lastSeq = -1;

        SequenceCover(long ssrc) {
            this.ssrc = ssrc;
        }

        @Override
        public synchronized void onRtp(
                long receivedNanos,
                long packetSsrc,
                int sequenceNumber,
                long rtpTimestamp,
                int payloadType,
                boolean marker,
                byte[] buf,
                int payloadOffset,
                int payloadLength) {
            if (packetSsrc != ssrc) {
                return;
            }
            if (lastSeq >= 0 && sequenceNumber < 0x1000 && lastSeq > 0xF000) {
                cycles++;
            }
            long ext = ((long) cycles << 16) | sequenceNumber;
            if (lastSeq >= 0 && sequenceNumber > 0xF000 && lastSeq < 0x1000 && cycles > 0) {
                ext -= 0x10000; // a late packet from before the wrap
            } else {
                lastSeq = sequenceNumber;
            }
            if (first < 0) {
                first = (int) ext;
            }
            if (ext >= first) {
                seen.set((int) (ext - first));
                highest = Math.max(highest, ext);
            }
        }

        synchronized int received() {
            return seen.cardinality();
        }

        synchronized long highest() {
            return highest;
        }

        /** Numbers between the first and {@code limit} that never arrived. */
        synchronized int missingBelow(long limit) {
            int span = (int) (limit - first);
            return span <= 0 ? 0 : span - seen.get(0, span).cardinality();
        }

        @Override
        public synchronized String toString() {
            return "first " + first + " highest " + highest + " received " + seen.cardinality();
        }
    }
}
