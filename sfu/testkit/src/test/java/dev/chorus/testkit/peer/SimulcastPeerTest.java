package dev.chorus.testkit.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.sfu.buffer.PacketBuffer;
import dev.chorus.sfu.codec.Vp8Payload;
import dev.chorus.sfu.rtcp.NackWriter;
import dev.chorus.sfu.rtcp.PliWriter;
import dev.chorus.sfu.rtcp.RtcpCompoundReader;
import dev.chorus.sfu.rtcp.RtcpPacketType;
import dev.chorus.sfu.rtcp.SenderReportView;
import dev.chorus.sfu.rtp.RtpExtension;
import dev.chorus.sfu.rtp.RtpPacket;
import dev.chorus.sfu.rtp.RtpValidity;
import dev.chorus.sfu.sdp.NegotiatedSection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A NativePeer publishing simulcast to a real server transport answered by AnswerBuilder, on 127.0.0.1. */
class SimulcastPeerTest {
    static LoopbackSfu sfu;

    @BeforeAll
    static void open() throws Exception {
        sfu = new LoopbackSfu();
    }

    @AfterAll
    static void close() {
        sfu.close();
    }

    @Test
    void layersArriveNamedByTheAnswersRidIdAndAPliForOneLayerGetsOneKeyframe() throws Exception {
        try (NativePeer peer = NativePeer.create(LoopbackSfu.loopback().build(), LoopbackSfu.CLIENT_CERT, "simon");
                LoopbackSfu.Session s = sfu.newSession()) {
            String offer = peer.createOffer(1, 1, 0, 0, SimulcastOptions.DEFAULT);
            peer.applyAnswer(s.answer(offer, Map.of()));
            peer.connected().get(10, TimeUnit.SECONDS);
            s.await("DTLS_CONNECTED", 10_000);
            NegotiatedSection video = s.answer.section("1").orElseThrow();
            int midId = video.extensionId(RtpExtension.MID.uri()).getAsInt();
            int ridId = video.extensionId(RtpExtension.RTP_STREAM_ID.uri()).getAsInt();
            SendStream cam = peer.sendStream("1");
            assertEquals(3, cam.layers().size());
            assertTrue(cam.track().simulcast());
            assertEquals(0, peer.sendStream("0").layers().get(0).index(), "audio stays one plain stream");

            assertTrue(peer.sendVideoFrame(new byte[300], false));
            Map<String, Boolean> keyByRid = frameOnEachLayer(s, midId, ridId, cam);
            assertEquals(Map.of("l", true, "m", true, "h", true), keyByRid, "every layer starts with a key frame");
            assertTrue(peer.sendVideoFrame(new byte[300], false));
            assertEquals(Map.of("l", false, "m", false, "h", false), frameOnEachLayer(s, midId, ridId, cam));

            byte[] rtcp = new byte[64];
            int n = PliWriter.write(
                    rtcp,
                    0,
                    rtcp.length - PacketBuffer.TAIL_ROOM,
                    1,
                    cam.layer(1).ssrc());
            assertTrue(s.transport.sendRtcp(rtcp, 0, n));
            NativePeerTest.waitFor(() -> peer.keyframeRequests() == 1, 3000);
            assertTrue(peer.sendVideoFrame(new byte[300], false));
            assertEquals(Map.of("l", false, "m", true, "h", false), frameOnEachLayer(s, midId, ridId, cam));
            assertEquals(1, cam.layer(1).keyframeRequests());

            // The first frame came with a sender report per layer.
            Set<Long> reported = new HashSet<>();
            RtcpCompoundReader reader = new RtcpCompoundReader();
            SenderReportView sr = new SenderReportView();
            byte[] pkt;
            while (reported.size() < 3 && (pkt = s.rtcp.poll(3, TimeUnit.SECONDS)) != null) {
                reader.reset(pkt, 0, pkt.length);
                if (reader.next() && reader.packetType() == RtcpPacketType.SR) {
                    sr.wrap(pkt, reader.packetOffset(), reader.packetLength());
                    reported.add(sr.senderSsrc());
                }
            }
            assertEquals(
                    Set.of(
                            cam.layer(0).ssrc(),
                            cam.layer(1).ssrc(),
                            cam.layer(2).ssrc()),
                    reported);

            // A NACK for the top layer's last packet comes back on its RTX SSRC, named by repaired-rid.
            SendLayer top = cam.layer(2);
            int lost = top.lastSequenceNumber();
            int[] lostSeqs = {lost};
            n = NackWriter.write(rtcp, 0, rtcp.length - PacketBuffer.TAIL_ROOM, 1, top.ssrc(), lostSeqs, 0, 1);
            assertTrue(s.transport.sendRtcp(rtcp, 0, n));
            byte[] rtx = s.nextRtp(3000);
            RtpPacket p = new RtpPacket();
            assertEquals(RtpValidity.OK, NativePeerTest.wrap(p, rtx));
            assertEquals(top.rtxSsrc().getAsLong(), p.ssrc());
            assertEquals(video.rtxPayloadType().getAsInt(), p.payloadType());
            int repairedId =
                    video.extensionId(RtpExtension.REPAIRED_RTP_STREAM_ID.uri()).getAsInt();
            assertEquals("h", NativePeerTest.extension(p, repairedId));
            assertEquals("1", NativePeerTest.extension(p, midId));
            assertEquals(lost, ((rtx[p.payloadOffset()] & 0xFF) << 8) | (rtx[p.payloadOffset() + 1] & 0xFF));
            // Counted by the peer's thread after the send: the packet can arrive here first.
            NativePeerTest.waitFor(() -> top.rtxPacketsSent() == 1, 3000);
            assertEquals(1, top.rtxPacketsSent());

            assertEquals(
                    3,
                    peer.toJson().get("lines").get(1).get("send").get("layers").size(),
                    "the layers in the peer's JSON");
            assertEquals(1, peer.toJson().get("feedback").get("nacks").asLong());
        }
    }

    @Test
    void keyFramesAnnounceTheSizeSetForThePeersVideoHalvedPerLayer() throws Exception {
        try (NativePeer peer = NativePeer.create(LoopbackSfu.loopback().build(), LoopbackSfu.CLIENT_CERT, "sizes");
                LoopbackSfu.Session s = sfu.newSession()) {
            assertThrows(IllegalArgumentException.class, () -> peer.videoFrameSize(0, 720));
            assertThrows(IllegalArgumentException.class, () -> peer.videoFrameSize(1280, 16384));
            peer.videoFrameSize(1280, 720); // before the line exists: it takes the size when created
            String offer = peer.createOffer(1, 1, 0, 0, SimulcastOptions.DEFAULT);
            peer.applyAnswer(s.answer(offer, Map.of()));
            peer.connected().get(10, TimeUnit.SECONDS);
            s.await("DTLS_CONNECTED", 10_000);
            NegotiatedSection video = s.answer.section("1").orElseThrow();
            int ridId = video.extensionId(RtpExtension.RTP_STREAM_ID.uri()).getAsInt();
            assertTrue(peer.sendVideoFrame(new byte[300], true));
            Map<String, String> sizeByRid = new TreeMap<>();
            RtpPacket p = new RtpPacket();
            while (sizeByRid.size() < 3) {
                byte[] pkt = s.nextRtp(2000);
                assertEquals(RtpValidity.OK, NativePeerTest.wrap(p, pkt));
                if (p.payloadType() != video.payloadType().getAsInt()) {
                    continue;
                }
                sizeByRid.put(
                        NativePeerTest.extension(p, ridId),
                        Vp8Payload.keyframeWidth(pkt, p.payloadOffset(), p.payloadLength()) + "x"
                                + Vp8Payload.keyframeHeight(pkt, p.payloadOffset(), p.payloadLength()));
            }
            assertEquals(Map.of("l", "320x180", "m", "640x360", "h", "1280x720"), sizeByRid);
        }
    }

    /** Reads one frame per layer (small frames: one packet each); whether each started a key frame, by rid. */
    private static Map<String, Boolean> frameOnEachLayer(LoopbackSfu.Session s, int midId, int ridId, SendStream cam)
            throws InterruptedException {
        Map<String, Boolean> byRid = new TreeMap<>();
        RtpPacket p = new RtpPacket();
        for (int i = 0; i < 3; i++) {
            byte[] pkt = s.nextRtp(2000);
            assertEquals(RtpValidity.OK, NativePeerTest.wrap(p, pkt));
            assertTrue(p.marker(), "one packet a frame");
            assertEquals("1", NativePeerTest.extension(p, midId));
            String rid = NativePeerTest.extension(p, ridId);
            SendLayer layer = cam.layers().stream()
                    .filter(l -> l.rid().orElseThrow().equals(rid))
                    .findFirst()
                    .orElseThrow();
            assertEquals(layer.ssrc(), p.ssrc(), "rid " + rid + " on its layer's SSRC");
            assertEquals(layer.index(), PayloadStamp.layer(pkt, p.payloadOffset(), p.payloadLength()));
            byRid.put(rid, Vp8Payload.isKeyframeStart(pkt, p.payloadOffset(), p.payloadLength()));
        }
        return byRid;
    }
}
