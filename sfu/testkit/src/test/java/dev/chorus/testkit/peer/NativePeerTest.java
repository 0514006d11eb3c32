package dev.chorus.testkit.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.sfu.buffer.PacketBuffer;
import dev.chorus.sfu.codec.MediaKind;
import dev.chorus.sfu.codec.Vp8Payload;
import dev.chorus.sfu.rtcp.FirWriter;
import dev.chorus.sfu.rtcp.PliWriter;
import dev.chorus.sfu.rtcp.ReceiverReportView;
import dev.chorus.sfu.rtcp.RtcpCompoundReader;
import dev.chorus.sfu.rtcp.RtcpPacketType;
import dev.chorus.sfu.rtcp.RtcpValidity;
import dev.chorus.sfu.rtcp.SdesView;
import dev.chorus.sfu.rtp.RtpExtension;
import dev.chorus.sfu.rtp.RtpPacket;
import dev.chorus.sfu.rtp.RtpValidity;
import dev.chorus.sfu.sdp.Direction;
import dev.chorus.sfu.sdp.NegotiatedSection;
import dev.chorus.sfu.sdp.Publication;
import dev.chorus.sfu.sdp.RemoteTrack;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A NativePeer against a real server transport answered by AnswerBuilder, on 127.0.0.1. */
class NativePeerTest {
    static final RemoteTrack BOB_MIC = RemoteTrack.audio("bob", "mic", 0xB0B1, "bob-cname");
    static final RemoteTrack BOB_CAM = RemoteTrack.video("bob", "cam", 0xB0B2, 0xB0B3, "bob-cname");
    static LoopbackSfu sfu;

    @BeforeAll
    static void open() throws Exception {
        sfu = new LoopbackSfu();
    }

    @AfterAll
    static void close() {
        sfu.close();
    }

    static NativePeer newPeer(String name) throws Exception {
        return NativePeer.create(LoopbackSfu.loopback().build(), LoopbackSfu.CLIENT_CERT, name);
    }

    @Test
    void publishedAudioAndVideoArriveDecryptedWithTheAnnouncedSsrcs() throws Exception {
        try (NativePeer peer = newPeer("alice");
                LoopbackSfu.Session s = sfu.connect(peer, 1, 1, 0, 0, Map.of())) {
            Publication.Stream mic = publication(s, "0");
            Publication.Stream cam = publication(s, "1");
            assertEquals(peer.sendStream("0").track().ssrc(), mic.ssrc());
            assertEquals(OptionalLong.of(peer.sendStream("1").track().rtxSsrc().getAsLong()), cam.rtxSsrc());
            int midId = s.answer
                    .section("0")
                    .orElseThrow()
                    .extensionId(RtpExtension.MID.uri())
                    .getAsInt();

            RtpPacket p = new RtpPacket();
            int firstSeq = -1;
            long firstTs = -1;
            for (int i = 0; i < 3; i++) {
                assertTrue(peer.sendAudioPacket());
                assertEquals(RtpValidity.OK, wrap(p, s.nextRtp(2000)));
                assertEquals(mic.ssrc(), p.ssrc());
                assertEquals(OfferWriter.OPUS_PT, p.payloadType());
                assertEquals(i == 0, p.marker(), "marker on the first audio packet only");
                assertEquals("0", extension(p, midId));
                if (i == 0) {
                    firstSeq = p.sequenceNumber();
                    firstTs = p.timestamp();
                } else {
                    assertEquals((firstSeq + i) & 0xFFFF, p.sequenceNumber());
                    assertEquals((firstTs + 960L * i) & 0xFFFF_FFFFL, p.timestamp());
                }
            }

            // A 3000-byte key frame: 3 packets, one timestamp, marker on the last, VP8 key frame start first.
            assertTrue(peer.sendVideoFrame(new byte[3000], true));
            long frameTs = -1;
            int seq = -1;
            int payloadBytes = 0;
            for (int i = 0; i < 3; i++) {
                byte[] pkt = s.nextRtp(2000);
                assertEquals(RtpValidity.OK, wrap(p, pkt));
                assertEquals(cam.ssrc(), p.ssrc());
                assertEquals(OfferWriter.VP8_PT, p.payloadType());
                assertEquals(i == 2, p.marker(), "marker on the last packet of the frame");
                assertEquals(i == 0, Vp8Payload.isKeyframeStart(pkt, p.payloadOffset(), p.payloadLength()));
                assertEquals("1", extension(p, midId));
                if (i > 0) {
                    assertEquals(frameTs, p.timestamp());
                    assertEquals((seq + 1) & 0xFFFF, p.sequenceNumber());
                }
                frameTs = p.timestamp();
                seq = p.sequenceNumber();
                payloadBytes += p.payloadLength() - Vp8Packetizer.DESCRIPTOR_LENGTH;
            }
            assertEquals(3000 + Vp8Packetizer.KEYFRAME_HEADER_LENGTH, payloadBytes);

            assertTrue(peer.sendVideoFrame(new byte[500], false));
            byte[] pkt = s.nextRtp(2000);
            wrap(p, pkt);
            assertTrue(p.marker());
            assertFalse(Vp8Payload.isKeyframeStart(pkt, p.payloadOffset(), p.payloadLength()), "a delta frame");
            assertEquals((frameTs + SendStream.VIDEO_TICKS_PER_FRAME) & 0xFFFF_FFFFL, p.timestamp());
            assertEquals((seq + 1) & 0xFFFF, p.sequenceNumber());

            assertEquals(3, peer.sendStream("0").packetsSent());
            assertEquals(4, peer.sendStream("1").packetsSent());
            assertEquals(2, peer.sendStream("1").framesSent());
            assertEquals(1, peer.sendStream("1").keyframesSent());
            assertEquals(7, s.transport.rtpReceived());
        }
    }

    @Test
    void rtpFromTheSfuIsCountedUnderTheMidThatAnnouncedItsSsrc() throws Exception {
        try (NativePeer peer = newPeer("carol");
                LoopbackSfu.Session s = sfu.connect(peer, 0, 0, 1, 2, Map.of("0", BOB_MIC, "1", BOB_CAM))) {
            assertEquals(List.of("1", "2"), peer.mids(MediaKind.VIDEO, Direction.RECVONLY));
            assertEquals(Direction.SENDONLY, peer.remoteLine("1").orElseThrow().direction());
            assertEquals(Direction.INACTIVE, peer.remoteLine("2").orElseThrow().direction());
            assertThrows(IllegalArgumentException.class, () -> peer.received("2"), "nothing assigned on mid 2");

            byte[] buf = new byte[1500];
            for (int i = 0; i < 5; i++) {
                int n = serverPacket(buf, OfferWriter.OPUS_PT, 100 + i, 960L * i, BOB_MIC.ssrc(), new byte[] {1, 2, 3});
                assertTrue(s.transport.sendRtp(buf, 0, n));
            }
            byte[] key = new byte[40];
            int d = Vp8Packetizer.writeDescriptor(key, 0, true, 7);
            Vp8Packetizer.writeFrameHeader(key, d, true, 30);
            int n = serverPacket(buf, OfferWriter.VP8_PT, 500, 90_000, BOB_CAM.ssrc(), key);
            assertTrue(s.transport.sendRtp(buf, 0, n));
            byte[] delta = new byte[40];
            d = Vp8Packetizer.writeDescriptor(delta, 0, true, 8);
            Vp8Packetizer.writeFrameHeader(delta, d, false, 30);
            n = serverPacket(buf, OfferWriter.VP8_PT, 501, 93_000, BOB_CAM.ssrc(), delta);
            assertTrue(s.transport.sendRtp(buf, 0, n));

            ReceiveStats audio = peer.received("0");
            ReceiveStats video = peer.received("1");
            waitFor(() -> audio.packets() == 5 && video.packets() == 2, 3000);
            assertEquals(BOB_MIC.ssrc(), audio.ssrc());
            assertEquals(104, audio.lastSequenceNumber());
            assertEquals(5L * (12 + 3), audio.bytes());
            assertEquals(0, audio.keyframes(), "audio is never checked for VP8 key frames");
            assertEquals(501, video.lastSequenceNumber());
            assertEquals(1, video.keyframes());
            assertEquals(7, peer.packetsReceived());
            assertEquals(
                    BOB_MIC.ssrc(),
                    peer.toJson().get("lines").get(0).get("remoteSsrc").asLong());
            assertEquals(7, peer.toJson().get("received").get("packets").asLong());
        }
    }

    @Test
    void sendTimesAreStampedOnEveryPacketAndReceivedPacketsReachTheListener() throws Exception {
        try (NativePeer peer = newPeer("stamp");
                LoopbackSfu.Session s = sfu.connect(peer, 1, 1, 1, 0, Map.of("2", BOB_MIC))) {
            long[] clock = {0x0102_0304_0506_0708L};
            peer.stampSendTimes(() -> clock[0]++);
            RtpPacket p = new RtpPacket();
            assertTrue(peer.sendAudioPacket());
            byte[] pkt = s.nextRtp(2000);
            assertEquals(RtpValidity.OK, wrap(p, pkt));
            assertTrue(PayloadStamp.present(pkt, p.payloadOffset(), p.payloadLength()));
            assertEquals(0x0102_0304_0506_0708L, PayloadStamp.read(pkt, p.payloadOffset(), p.payloadLength()));
            assertEquals(3 + PayloadStamp.LENGTH, p.payloadLength(), "Opus frame + trailer");

            // 3000 bytes + key frame header in packets of at most 1200 payload bytes, each with its own stamp
            assertTrue(peer.sendVideoFrame(new byte[3000], true));
            int frameBytes = 0;
            long expectStamp = 0x0102_0304_0506_0709L;
            boolean marker = false;
            while (!marker) {
                pkt = s.nextRtp(2000);
                assertEquals(RtpValidity.OK, wrap(p, pkt));
                assertTrue(p.payloadLength() <= SendStream.MAX_PAYLOAD, "payload " + p.payloadLength());
                assertTrue(PayloadStamp.present(pkt, p.payloadOffset(), p.payloadLength()));
                assertEquals(expectStamp++, PayloadStamp.read(pkt, p.payloadOffset(), p.payloadLength()));
                frameBytes += p.payloadLength() - Vp8Packetizer.DESCRIPTOR_LENGTH - PayloadStamp.LENGTH;
                marker = p.marker();
            }
            assertEquals(3000 + Vp8Packetizer.KEYFRAME_HEADER_LENGTH, frameBytes);

            peer.stampSendTimes(null);
            assertTrue(peer.sendAudioPacket());
            pkt = s.nextRtp(2000);
            wrap(p, pkt);
            assertFalse(PayloadStamp.present(pkt, p.payloadOffset(), p.payloadLength()), "stamping stopped");

            java.util.concurrent.LinkedBlockingQueue<long[]> heard = new java.util.concurrent.LinkedBlockingQueue<>();
            peer.onRtp((nanos, ssrc, seq, ts, pt, m, b, off, len) -> heard.add(
                    new long[] {ssrc, seq, PayloadStamp.present(b, off, len) ? PayloadStamp.read(b, off, len) : -1}));
            byte[] payload = new byte[3 + PayloadStamp.LENGTH];
            PayloadStamp.write(payload, 3, 77L);
            byte[] buf = new byte[1500];
            int n = serverPacket(buf, OfferWriter.OPUS_PT, 4242, 0, BOB_MIC.ssrc(), payload);
            assertTrue(s.transport.sendRtp(buf, 0, n));
            long[] got = heard.poll(3, TimeUnit.SECONDS);
            assertTrue(got != null, "listener called");
            assertEquals(BOB_MIC.ssrc(), got[0]);
            assertEquals(4242, got[1]);
            assertEquals(77L, got[2]);
            assertEquals(1, peer.received("2").packets(), "still counted per SSRC");
        }
    }

    @Test
    void aReceiveOnlyPeerReportsEverySsrcItReceivedInAnRrWithItsCname() throws Exception {
        try (NativePeer peer = newPeer("erin");
                LoopbackSfu.Session s = sfu.connect(peer, 0, 0, 1, 1, Map.of("0", BOB_MIC, "1", BOB_CAM))) {
            assertTrue(peer.sendReceiverReport(), "an RR with no block yet");
            byte[] buf = new byte[1500];
            int n = serverPacket(buf, OfferWriter.OPUS_PT, 700, 0, BOB_MIC.ssrc(), new byte[] {1});
            assertTrue(s.transport.sendRtp(buf, 0, n));
            n = serverPacket(buf, OfferWriter.VP8_PT, 9000, 0, BOB_CAM.ssrc(), new byte[] {1});
            assertTrue(s.transport.sendRtp(buf, 0, n));
            waitFor(() -> peer.packetsReceived() == 2, 3000);
            assertTrue(peer.sendReceiverReport());

            RtcpCompoundReader reader = new RtcpCompoundReader();
            ReceiverReportView rr = new ReceiverReportView();
            SdesView sdes = new SdesView();
            long[] blocksPerReport = new long[2];
            for (int r = 0; r < 2; r++) {
                byte[] pkt = s.rtcp.poll(3, TimeUnit.SECONDS);
                assertTrue(pkt != null, "report " + r + " reached the server");
                assertEquals(RtcpValidity.OK, reader.reset(pkt, 0, pkt.length));
                assertTrue(reader.next());
                assertEquals(RtcpPacketType.RR, reader.packetType());
                assertEquals(RtcpValidity.OK, rr.wrap(pkt, reader.packetOffset(), reader.packetLength()));
                blocksPerReport[r] = rr.reportCount();
                if (r == 1) {
                    Map<Long, Long> seqBySsrc = new java.util.HashMap<>();
                    for (int i = 0; i < rr.reportCount(); i++) {
                        seqBySsrc.put(rr.reportSsrc(i), rr.extendedHighestSeq(i));
                    }
                    assertEquals(Map.of(BOB_MIC.ssrc(), 700L, BOB_CAM.ssrc(), 9000L), seqBySsrc);
                }
                assertTrue(reader.next());
                assertEquals(RtcpPacketType.SDES, reader.packetType());
                assertEquals(RtcpValidity.OK, sdes.wrap(pkt, reader.packetOffset(), reader.packetLength()));
                assertTrue(sdes.nextChunk());
                assertEquals(rr.senderSsrc(), sdes.chunkSsrc());
                assertTrue(sdes.nextItem());
                assertEquals(SdesView.CNAME, sdes.itemType());
                assertEquals("erin", new String(pkt, sdes.itemOffset(), sdes.itemLength(), StandardCharsets.US_ASCII));
                assertFalse(reader.next());
            }
            assertEquals(0, blocksPerReport[0]);
            assertEquals(2, blocksPerReport[1]);
            assertEquals(2, s.transport.rtcpReceived());
        }
    }

    @Test
    void pliAndFirFromTheSfuMakeTheNextVideoFrameAKeyframe() throws Exception {
        try (NativePeer peer = newPeer("dave");
                LoopbackSfu.Session s = sfu.connect(peer, 1, 1, 0, 0, Map.of())) {
            long camSsrc = peer.sendStream("1").track().ssrc();
            assertTrue(peer.sendVideoFrame(new byte[100], false));
            assertTrue(isKeyframe(s.nextRtp(2000)), "the first frame of a stream is a key frame");
            assertTrue(peer.sendVideoFrame(new byte[100], false));
            assertFalse(isKeyframe(s.nextRtp(2000)));

            byte[] rtcp = new byte[64];
            int n = PliWriter.write(rtcp, 0, rtcp.length - PacketBuffer.TAIL_ROOM, 1, camSsrc);
            assertTrue(s.transport.sendRtcp(rtcp, 0, n));
            waitFor(() -> peer.keyframeRequests() == 1, 3000);
            assertTrue(peer.sendStream("1").keyframePending());
            assertTrue(peer.sendVideoFrame(new byte[100], false));
            assertTrue(isKeyframe(s.nextRtp(2000)), "PLI answered with a key frame");
            assertFalse(peer.sendStream("1").keyframePending());
            assertTrue(peer.sendVideoFrame(new byte[100], false));
            assertFalse(isKeyframe(s.nextRtp(2000)), "only one key frame per request");

            n = FirWriter.write(rtcp, 0, rtcp.length - PacketBuffer.TAIL_ROOM, 1, camSsrc, 1);
            assertTrue(s.transport.sendRtcp(rtcp, 0, n));
            waitFor(() -> peer.keyframeRequests() == 2, 3000);
            assertTrue(peer.sendVideoFrame(new byte[100], false));
            assertTrue(isKeyframe(s.nextRtp(2000)), "FIR answered with a key frame");
            assertEquals(2, peer.sendStream("1").keyframeRequests());
            assertEquals(0, peer.sendStream("0").keyframeRequests());
        }
    }

    @Test
    void reofferKeepsLinesSsrcsAndTransportAndAddsRecvLines() throws Exception {
        try (NativePeer peer = newPeer("erin");
                LoopbackSfu.Session s = sfu.connect(peer, 1, 1, 0, 0, Map.of())) {
            long mic = peer.sendStream("0").track().ssrc();
            String reoffer = peer.createOffer(1, 1, 1, 1);
            assertEquals(List.of("2"), peer.mids(MediaKind.AUDIO, Direction.RECVONLY));
            assertEquals(List.of("3"), peer.mids(MediaKind.VIDEO, Direction.RECVONLY));
            peer.applyAnswer(s.answer(reoffer, Map.of("2", BOB_MIC, "3", BOB_CAM)));
            assertEquals(mic, peer.sendStream("0").track().ssrc());
            assertEquals(mic, publication(s, "0").ssrc(), "the SFU sees the same publication");

            // Media still flows both ways on the same transport.
            assertTrue(peer.sendAudioPacket());
            RtpPacket p = new RtpPacket();
            wrap(p, s.nextRtp(2000));
            assertEquals(mic, p.ssrc());
            byte[] buf = new byte[200];
            int n = serverPacket(buf, OfferWriter.VP8_PT, 1, 1, BOB_CAM.ssrc(), new byte[] {0x10, 0, 0, 0});
            assertTrue(s.transport.sendRtp(buf, 0, n));
            waitFor(() -> peer.received("3").packets() == 1, 3000);
            assertEquals(
                    OptionalLong.of(BOB_CAM.rtxSsrc().getAsLong()),
                    peer.remoteLine("3").orElseThrow().rtxSsrc());

            assertThrows(IllegalArgumentException.class, () -> peer.createOffer(1, 1, 0, 1), "lines never go away");
            assertThrows(IllegalStateException.class, () -> peer.applyAnswer(s.answer.sdp()), "no offer pending");
        }
    }

    @Test
    void wrongFingerprintInTheAnswerFailsTheConnectedFuture() throws Exception {
        try (NativePeer peer = newPeer("frank");
                LoopbackSfu.Session s = sfu.newSession()) {
            String answer = s.answer(peer.createOffer(1, 0, 0, 0), Map.of());
            String fp = s.transport.localFingerprint().substring("sha-256 ".length());
            String other = LoopbackSfu.CLIENT_CERT.fingerprint().substring("sha-256 ".length());
            peer.applyAnswer(answer.replace(fp, other));
            ExecutionException e = assertThrows(
                    ExecutionException.class, () -> peer.connected().get(15, TimeUnit.SECONDS));
            assertTrue(
                    e.getCause().getMessage().startsWith("DTLS_FAILED: FINGERPRINT_MISMATCH"),
                    e.getCause().getMessage());
            assertTrue(peer.failureReason().startsWith("DTLS_FAILED: FINGERPRINT_MISMATCH"));
            assertEquals("DTLS_FAILED", peer.lastEvent());
        }
    }

    // ---------------------------------------------------------------- helpers

    static Publication.Stream publication(LoopbackSfu.Session s, String mid) {
        NegotiatedSection section = s.answer.section(mid).orElseThrow();
        return section.publication().orElseThrow().streams().get(0);
    }

    static RtpValidity wrap(RtpPacket p, byte[] pkt) {
        return p.wrap(pkt, 0, pkt.length);
    }

    /**
     * Audio packets carry the level set on their line (RFC 6464: voice flag + -dBov) when the answer took the
     * audio level extension, and a skipped (DTX) packet leaves a timestamp gap but no sequence gap.
     */
    @Test
    void audioPacketsCarryTheirLevelAndDtxSkipsTime() throws Exception {
        try (NativePeer peer = newPeer("alice");
                LoopbackSfu.Session s = sfu.connect(peer, 1, 0, 0, 0, Map.of())) {
            int levelId = s.answer
                    .section("0")
                    .orElseThrow()
                    .extensionId(RtpExtension.AUDIO_LEVEL.uri())
                    .getAsInt();
            RtpPacket p = new RtpPacket();
            assertTrue(peer.sendAudioPacket());
            assertEquals(RtpValidity.OK, wrap(p, s.nextRtp(2000)));
            assertEquals(1, p.extensionLength(levelId));
            assertEquals(127, p.buffer()[p.extensionOffset(levelId)] & 0xFF, "silence by default, no voice flag");
            int seq = p.sequenceNumber();
            long ts = p.timestamp();

            peer.sendStream("0").audioLevel(30);
            peer.sendStream("0").skipAudio();
            assertTrue(peer.sendAudioPacket());
            assertEquals(RtpValidity.OK, wrap(p, s.nextRtp(2000)));
            assertEquals(0x80 | 30, p.buffer()[p.extensionOffset(levelId)] & 0xFF, "voice flag + 30 (-30 dBov)");
            assertEquals((seq + 1) & 0xFFFF, p.sequenceNumber(), "a skipped packet is not a lost one");
            assertEquals((ts + 2 * 960L) & 0xFFFF_FFFFL, p.timestamp(), "but its 20 ms passed");
            assertEquals(
                    "0",
                    extension(
                            p,
                            s.answer
                                    .section("0")
                                    .orElseThrow()
                                    .extensionId(RtpExtension.MID.uri())
                                    .getAsInt()));
        }
    }

    static String extension(RtpPacket p, int id) {
        int at = p.extensionOffset(id);
        return at < 0 ? null : new String(p.buffer(), at, p.extensionLength(id), StandardCharsets.US_ASCII);
    }

    static boolean isKeyframe(byte[] pkt) {
        RtpPacket p = new RtpPacket();
        assertEquals(RtpValidity.OK, wrap(p, pkt));
        return Vp8Payload.isKeyframeStart(pkt, p.payloadOffset(), p.payloadLength());
    }

    /** An RTP packet as the SFU's forwarder would send it (no extensions). */
    static int serverPacket(byte[] buf, int pt, int seq, long ts, long ssrc, byte[] payload) {
        int h = RtpHeaderWriter.write(buf, false, pt, seq, ts, ssrc, 0, new byte[0]);
        System.arraycopy(payload, 0, buf, h, payload.length);
        return h + payload.length;
    }

    static void waitFor(BooleanSupplier condition, long millis) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("condition not met within " + millis + " ms");
            }
            Thread.sleep(10);
        }
    }
}
