package dev.chorus.testkit.peer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.sfu.buffer.PacketBuffer;
import dev.chorus.sfu.codec.Vp8Payload;
import dev.chorus.sfu.rtcp.NackWriter;
import dev.chorus.sfu.rtcp.PliWriter;
import dev.chorus.sfu.rtcp.RtcpCompoundReader;
import dev.chorus.sfu.rtcp.RtcpPacketType;
import dev.chorus.sfu.rtcp.RtcpValidity;
import dev.chorus.sfu.rtcp.SenderReportView;
import dev.chorus.sfu.rtp.RtpPacket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A simulcast line's packets, taken from a {@link SendStream} without a network. */
class SimulcastSendTest {
    static final List<SimulcastLayer> LAYERS = List.of(
            new SimulcastLayer("l", 0x1001, 0x2001),
            new SimulcastLayer("m", 0x1002, 0x2002),
            new SimulcastLayer("h", 0x1003, 0x2003));
    static final LocalTrack CAM = LocalTrack.simulcastVideo(LAYERS, "alice", "cam");
    static final long FRAME_NANOS = TimeUnit.MILLISECONDS.toNanos(33);

    final long[] now = {5_000_000_000L};
    final SenderClock clock = new SenderClock(() -> now[0], 1_700_000_000_000L);
    final CapturedPackets out = new CapturedPackets();

    SendStream simulcastStream() {
        SendStream s = new SendStream("1", CAM, OfferWriter.VP8_PT, out, clock, "alice");
        s.configure(
                OfferWriter.VP8_PT,
                OfferWriter.RTX_PT,
                OfferWriter.EXT_MID,
                OfferWriter.EXT_RID,
                OfferWriter.EXT_REPAIRED_RID);
        return s;
    }

    /** What a packet's VP8 descriptor says. */
    record Descriptor(boolean start, int pictureId, int tl0PicIdx, int tid, boolean layerSync, int length) {
        static Descriptor of(RtpPacket p) {
            byte[] b = p.buffer();
            int at = p.payloadOffset();
            assertEquals(0x80, b[at] & 0x80, "X set");
            assertEquals(0xE0, b[at + 1] & 0xF0, "I, L and T set, K not");
            assertEquals(0x80, b[at + 2] & 0x80, "M: a 15-bit picture id");
            int pictureId = ((b[at + 2] & 0x7F) << 8) | (b[at + 3] & 0xFF);
            int tidByte = b[at + 5] & 0xFF;
            return new Descriptor(
                    (b[at] & 0x10) != 0, pictureId, b[at + 4] & 0xFF, tidByte >> 6, (tidByte & 0x20) != 0, 6);
        }
    }

    @Test
    void eachLayerIsItsOwnStreamWithMidRidAndADescriptorWhosePictureIdsIncrease() {
        SendStream s = simulcastStream();
        int frames = 6;
        for (int f = 0; f < frames; f++) {
            assertTrue(s.sendVideoFrame(new byte[5000], false));
            now[0] += FRAME_NANOS;
        }
        Map<Long, List<RtpPacket>> bySsrc = new HashMap<>();
        for (RtpPacket p : out.takeRtp()) {
            bySsrc.computeIfAbsent(p.ssrc(), k -> new ArrayList<>()).add(p);
        }
        assertEquals(Set.of(0x1001L, 0x1002L, 0x1003L), bySsrc.keySet());
        int[] frameBytes = {5000 >> 4, 5000 >> 2, 5000};
        long[] ticksOfFrame = new long[frames];
        for (int i = 0; i < 3; i++) {
            SendLayer layer = s.layer(i);
            assertEquals(LAYERS.get(i).ssrc(), layer.ssrc());
            List<RtpPacket> packets = bySsrc.get(layer.ssrc());
            int frame = -1;
            int bytes = 0;
            Descriptor previous = null;
            int previousSeq = -1;
            for (RtpPacket p : packets) {
                assertEquals("1", CapturedPackets.extension(p, OfferWriter.EXT_MID));
                assertEquals(LAYERS.get(i).rid(), CapturedPackets.extension(p, OfferWriter.EXT_RID));
                assertEquals(OfferWriter.VP8_PT, p.payloadType());
                if (previousSeq >= 0) {
                    assertEquals((previousSeq + 1) & 0xFFFF, p.sequenceNumber(), "one sequence per layer");
                }
                previousSeq = p.sequenceNumber();
                int payload = p.payloadLength();
                assertEquals(
                        i, PayloadStamp.layer(p.buffer(), p.payloadOffset(), payload), "the layer index is stamped");
                Descriptor d = Descriptor.of(p);
                if (d.start()) {
                    frame++;
                    if (frame > 0) {
                        assertEquals(frameBytes[i] + frameHeaderLength(frame - 1), bytes, "frame " + (frame - 1));
                        assertEquals((previous.pictureId() + 1) & 0x7FFF, d.pictureId(), "layer " + i);
                        int expectTl0 = d.tid() == 0 ? (previous.tl0PicIdx() + 1) & 0xFF : previous.tl0PicIdx();
                        assertEquals(expectTl0, d.tl0PicIdx(), "TL0PICIDX counts base layer frames");
                    } else {
                        assertTrue(Vp8Payload.isKeyframeStart(p.buffer(), p.payloadOffset(), payload));
                    }
                    assertEquals(new int[] {0, 2, 1, 2}[frame % 4], d.tid(), "temporal pattern, frame " + frame);
                    assertEquals(d.tid() == 0, d.layerSync());
                    long ticks = (p.timestamp() - layer.timestampBase()) & 0xFFFF_FFFFL;
                    if (i == 0) {
                        ticksOfFrame[frame] = ticks;
                    } else {
                        assertEquals(ticksOfFrame[frame], ticks, "every layer's timestamp maps to one instant");
                    }
                    bytes = 0;
                } else {
                    assertEquals(previous.pictureId(), d.pictureId(), "one picture id per frame");
                    assertEquals(ticksOfFrame[frame], (p.timestamp() - layer.timestampBase()) & 0xFFFF_FFFFL);
                }
                bytes += payload - d.length() - PayloadStamp.LAYER_LENGTH;
                previous = d;
            }
            assertEquals(frames - 1, frame);
            assertEquals(frameBytes[i] + frameHeaderLength(frame), bytes);
            assertTrue(packets.get(packets.size() - 1).marker());
            assertEquals(frames, layer.framesSent());
            assertEquals(1, layer.keyframesSent(), "only the first frame is a key frame");
            assertEquals(packets.size(), layer.packetsSent());
        }
        // Top layer: 5000 frame bytes + 3 header bytes in chunks of 1200 - 6 (descriptor) - 4 (layer stamp).
        assertEquals(frames * 5, bySsrc.get(0x1003L).size(), "five packets a frame");
        assertEquals(frames, bySsrc.get(0x1001L).size(), "312 bytes: one packet a frame");
        bySsrc.values().forEach(ps -> ps.forEach(p -> assertTrue(p.payloadLength() <= SendStream.MAX_PAYLOAD)));
        for (int f = 1; f < frames; f++) {
            assertEquals(33L * 90 * f, ticksOfFrame[f] - ticksOfFrame[0], "90 kHz time since the first frame");
        }
    }

    private static int frameHeaderLength(int frame) {
        return frame == 0 ? Vp8Packetizer.KEYFRAME_HEADER_LENGTH : Vp8Packetizer.INTERFRAME_HEADER_LENGTH;
    }

    @Test
    void aPliForTheMiddleLayersSsrcMakesOnlyThatLayerSendAKeyframe() {
        SendStream s = simulcastStream();
        s.sendVideoFrame(new byte[2000], false);
        s.sendVideoFrame(new byte[2000], false);
        assertEquals(List.of(false, false, false), keyframeStarts(out.takeRtp()), "delta frames");

        // A real PLI, read as the peer reads the SFU's RTCP.
        FeedbackReader feedback = new FeedbackReader(ssrc -> assertTrue(s.requestKeyframe(ssrc)), (ssrc, seq) -> {});
        byte[] rtcp = new byte[PliWriter.LENGTH + PacketBuffer.TAIL_ROOM];
        int n = PliWriter.write(rtcp, 0, PliWriter.LENGTH, 1, s.layer(1).ssrc());
        feedback.onRtcp(rtcp, 0, n);
        assertEquals(
                List.of(0L, 1L, 0L),
                s.layers().stream().map(SendLayer::keyframeRequests).toList());
        assertTrue(s.layer(1).keyframePending());
        assertFalse(s.layer(0).keyframePending());
        assertFalse(s.layer(2).keyframePending());

        s.sendVideoFrame(new byte[2000], false);
        assertEquals(List.of(false, true, false), keyframeStarts(out.takeRtp()), "only layer 1 sends a key frame");
        s.sendVideoFrame(new byte[2000], false);
        assertEquals(List.of(false, false, false), keyframeStarts(out.takeRtp()), "one key frame per request");
        assertEquals(2, s.layer(1).keyframesSent());
        assertEquals(1, s.layer(0).keyframesSent());

        s.sendVideoFrame(new byte[2000], true);
        assertEquals(List.of(true, true, true), keyframeStarts(out.takeRtp()), "asked by the caller: every layer");
    }

    /** Per layer (in SSRC order), whether the first packet of its frame starts a key frame. */
    private static List<Boolean> keyframeStarts(List<RtpPacket> packets) {
        Map<Long, Boolean> starts = new TreeMap<>();
        for (RtpPacket p : packets) {
            if (Descriptor.of(p).start()) {
                starts.put(p.ssrc(), Vp8Payload.isKeyframeStart(p.buffer(), p.payloadOffset(), p.payloadLength()));
            }
        }
        assertEquals(3, starts.size(), "a frame on each layer");
        return List.copyOf(starts.values());
    }

    @Test
    void nackedPacketsOfALayerAreResentOnItsRtxStreamWithMidAndRepairedRid() {
        SendStream s = simulcastStream();
        s.sendVideoFrame(new byte[3000], false);
        s.sendVideoFrame(new byte[3000], false);
        SendLayer top = s.layer(2);
        List<RtpPacket> originals =
                out.takeRtp().stream().filter(p -> p.ssrc() == top.ssrc()).toList();
        assertEquals(6, originals.size(), "3000 bytes: three packets a frame");
        List<RtpPacket> lost = List.of(originals.get(1), originals.get(2));
        int[] seqs = lost.stream().mapToInt(RtpPacket::sequenceNumber).toArray();

        byte[] rtcp = new byte[64];
        int n = NackWriter.write(rtcp, 0, rtcp.length - PacketBuffer.TAIL_ROOM, 1, top.ssrc(), seqs, 0, seqs.length);
        FeedbackReader feedback = new FeedbackReader(ssrc -> {}, (ssrc, seq) -> assertTrue(s.retransmit(ssrc, seq)));
        feedback.onRtcp(rtcp, 0, n);
        assertEquals(1, feedback.nacks());

        List<RtpPacket> rtx = out.takeRtp();
        assertEquals(2, rtx.size());
        for (int i = 0; i < 2; i++) {
            RtpPacket r = rtx.get(i);
            RtpPacket original = lost.get(i);
            assertEquals(LAYERS.get(2).rtxSsrc(), r.ssrc());
            assertEquals(OfferWriter.RTX_PT, r.payloadType());
            assertEquals("1", CapturedPackets.extension(r, OfferWriter.EXT_MID));
            assertEquals("h", CapturedPackets.extension(r, OfferWriter.EXT_REPAIRED_RID));
            assertNull(CapturedPackets.extension(r, OfferWriter.EXT_RID), "an RTX packet names the layer it repairs");
            assertEquals(original.timestamp(), r.timestamp());
            assertEquals(original.marker(), r.marker());
            byte[] b = r.buffer();
            int at = r.payloadOffset();
            assertEquals(original.sequenceNumber(), ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF), "OSN");
            assertArrayEquals(
                    Arrays.copyOfRange(
                            original.buffer(),
                            original.payloadOffset(),
                            original.payloadOffset() + original.payloadLength()),
                    Arrays.copyOfRange(b, at + 2, at + r.payloadLength()),
                    "the original payload follows");
            if (i > 0) {
                assertEquals(
                        (rtx.get(0).sequenceNumber() + 1) & 0xFFFF, r.sequenceNumber(), "RTX has its own sequence");
            }
        }
        assertEquals(2, top.rtxPacketsSent());
        assertEquals(2, top.nackedPackets());
        assertEquals(0, s.layer(1).rtxPacketsSent());

        // Only the last HISTORY packets are kept.
        SendLayer low = s.layer(0);
        int first = low.lastSequenceNumber();
        for (int f = 0; f < SendLayer.HISTORY; f++) {
            s.sendVideoFrame(new byte[100], false);
        }
        out.takeRtp();
        assertFalse(s.retransmit(low.ssrc(), first), "too old");
        assertTrue(s.retransmit(low.ssrc(), low.lastSequenceNumber()));
        assertFalse(s.retransmit(low.ssrc(), (low.lastSequenceNumber() + 1) & 0xFFFF), "not sent yet");
        assertEquals(1, out.takeRtp().size());
    }

    @Test
    void senderReportsMapEveryLayerToOneNtpClockAboutOnceASecond() {
        SendStream s = simulcastStream();
        s.sendVideoFrame(new byte[1500], false);
        assertEquals(3, out.rtcp.size(), "a report per layer after the first frame");
        Map<Long, SenderReportView> reports = senderReports();
        long ntp = clock.ntp(now[0]);
        long ticks = clock.rtpTicks(now[0], SendStream.VIDEO_CLOCK_RATE);
        for (SendLayer l : s.layers()) {
            SenderReportView sr = reports.get(l.ssrc());
            assertEquals(ntp, sr.ntpTimestamp(), "one NTP clock");
            assertEquals((l.timestampBase() + ticks) & 0xFFFF_FFFFL, sr.rtpTimestamp());
            assertEquals(l.packetsSent(), sr.packetCount());
            assertEquals(l.payloadBytesSent(), sr.octetCount());
        }
        // 1 700 000 005 s after 1970 (the fake wall clock started 5 s before): NTP counts from 1900.
        assertEquals(1_700_000_000L + 2_208_988_800L, ntp >>> 32);

        now[0] += TimeUnit.MILLISECONDS.toNanos(500);
        s.sendVideoFrame(new byte[1500], false);
        assertEquals(0, out.rtcp.size(), "not yet");
        now[0] += TimeUnit.MILLISECONDS.toNanos(500);
        s.sendVideoFrame(new byte[1500], false);
        reports = senderReports();
        assertEquals(3, reports.size(), "a second later");
        long later = clock.rtpTicks(now[0], SendStream.VIDEO_CLOCK_RATE);
        assertEquals(90_000, later - ticks);
        for (SendLayer l : s.layers()) {
            assertEquals(
                    (l.timestampBase() + later) & 0xFFFF_FFFFL,
                    reports.get(l.ssrc()).rtpTimestamp());
            assertEquals(l.lastTimestamp(), reports.get(l.ssrc()).rtpTimestamp(), "the frame just sent");
        }
        assertEquals(6, s.senderReportsSent());
    }

    private Map<Long, SenderReportView> senderReports() {
        Map<Long, SenderReportView> bySsrc = new HashMap<>();
        RtcpCompoundReader reader = new RtcpCompoundReader();
        for (byte[] pkt : out.rtcp) {
            assertEquals(RtcpValidity.OK, reader.reset(pkt, 0, pkt.length));
            assertTrue(reader.next());
            assertEquals(RtcpPacketType.SR, reader.packetType());
            SenderReportView sr = new SenderReportView();
            assertEquals(RtcpValidity.OK, sr.wrap(pkt, reader.packetOffset(), reader.packetLength()));
            assertTrue(reader.next());
            assertEquals(RtcpPacketType.SDES, reader.packetType(), "an SR compound carries the CNAME");
            bySsrc.put(sr.senderSsrc(), sr);
        }
        out.rtcp.clear();
        return bySsrc;
    }

    @Test
    void aLayerTurnedOffSendsNothingAndComesBackOnAKeyframeWhereItsNumberingStopped() {
        SendStream s = simulcastStream();
        SendLayer top = s.layer(2);
        s.sendVideoFrame(new byte[2000], false);
        now[0] += FRAME_NANOS;
        s.sendVideoFrame(new byte[2000], false);
        long lastFrameNanos = now[0];
        RtpPacket lastBefore = lastOf(out.takeRtp(), top.ssrc());
        out.rtcp.clear();
        long framesBefore = top.framesSent();

        top.setActive(false);
        assertFalse(top.active());
        for (int f = 0; f < 3; f++) {
            now[0] += TimeUnit.MILLISECONDS.toNanos(500);
            assertTrue(s.sendVideoFrame(new byte[2000], false));
        }
        List<RtpPacket> whileOff = out.takeRtp();
        assertEquals(
                Set.of(s.layer(0).ssrc(), s.layer(1).ssrc()),
                Set.copyOf(whileOff.stream().map(RtpPacket::ssrc).toList()),
                "the other layers go on");
        assertEquals(framesBefore, top.framesSent());
        Map<Long, SenderReportView> reports = senderReports();
        assertFalse(reports.isEmpty(), "a second went by: the layers still on reported");
        assertFalse(reports.containsKey(top.ssrc()), "no sender report for a layer that is off");

        top.setActive(true);
        now[0] += FRAME_NANOS;
        s.sendVideoFrame(new byte[2000], false);
        List<RtpPacket> back =
                out.takeRtp().stream().filter(p -> p.ssrc() == top.ssrc()).toList();
        RtpPacket first = back.get(0);
        assertTrue(
                Vp8Payload.isKeyframeStart(first.buffer(), first.payloadOffset(), first.payloadLength()),
                "the layer restarts on a key frame");
        assertEquals((lastBefore.sequenceNumber() + 1) & 0xFFFF, first.sequenceNumber(), "no sequence gap");
        assertEquals(
                (Descriptor.of(lastBefore).pictureId() + 1) & 0x7FFF,
                Descriptor.of(first).pictureId());
        long offTicks = (first.timestamp() - lastBefore.timestamp()) & 0xFFFF_FFFFL;
        assertEquals(
                TimeUnit.NANOSECONDS.toMillis(now[0] - lastFrameNanos) * 90,
                offTicks,
                "timestamps follow the clock across the time it was off");
        assertEquals(0, top.keyframeRequests(), "no PLI: the restart itself brings the key frame");
        assertEquals(2, top.keyframesSent());
        s.sendVideoFrame(new byte[2000], false);
        assertEquals(List.of(false, false, false), keyframeStarts(out.takeRtp()), "one key frame, then deltas");

        SendStream plain = new SendStream(
                "2", LocalTrack.video(0x3001, 0x3002, "alice", "cam"), OfferWriter.VP8_PT, out, clock, "alice");
        SendLayer only = plain.layer(0);
        assertThrows(IllegalStateException.class, () -> only.setActive(false));
        assertTrue(only.active());
    }

    /** The last packet of {@code ssrc} in {@code packets}. */
    private static RtpPacket lastOf(List<RtpPacket> packets, long ssrc) {
        RtpPacket last = null;
        for (RtpPacket p : packets) {
            if (p.ssrc() == ssrc) {
                last = p;
            }
        }
        assertTrue(last != null, "a packet of " + ssrc);
        return last;
    }

    @Test
    void aPlainVideoLineKeepsItsShortDescriptorAndSendsNoRidStampOrReport() {
        SendStream s = new SendStream(
                "1", LocalTrack.video(0x3001, 0x3002, "alice", "cam"), OfferWriter.VP8_PT, out, clock, "alice");
        s.configure(
                OfferWriter.VP8_PT,
                OfferWriter.RTX_PT,
                OfferWriter.EXT_MID,
                OfferWriter.EXT_RID,
                OfferWriter.EXT_REPAIRED_RID);
        s.sendVideoFrame(new byte[100], false);
        now[0] += TimeUnit.SECONDS.toNanos(2);
        s.sendVideoFrame(new byte[100], false);
        List<RtpPacket> packets = out.takeRtp();
        assertEquals(2, packets.size());
        RtpPacket p = packets.get(1);
        assertNull(CapturedPackets.extension(p, OfferWriter.EXT_RID));
        assertEquals("1", CapturedPackets.extension(p, OfferWriter.EXT_MID));
        assertEquals(-1, PayloadStamp.layer(p.buffer(), p.payloadOffset(), p.payloadLength()));
        assertEquals(Vp8Packetizer.DESCRIPTOR_LENGTH + Vp8Packetizer.INTERFRAME_HEADER_LENGTH + 100, p.payloadLength());
        assertEquals(
                (packets.get(0).timestamp() + SendStream.VIDEO_TICKS_PER_FRAME) & 0xFFFF_FFFFL,
                p.timestamp(),
                "plain lines keep their nominal 30 fps timestamps");
        assertTrue(out.rtcp.isEmpty());
        assertFalse(s.retransmit(0x3001, p.sequenceNumber()), "a plain line does not retransmit");
    }

    @Test
    void keyFramesAnnounceTheTopSizeSetAndHalfOfItPerLayerBelow() {
        SendStream s = simulcastStream();
        s.sendVideoFrame(new byte[3000], true);
        assertEquals(
                Map.of(0x1001L, List.of(80, 60), 0x1002L, List.of(160, 120), 0x1003L, List.of(320, 240)),
                keyframeSizes(out.takeRtp()),
                "320x240 at the top unless set");
        s.frameSize(1280, 720);
        s.sendVideoFrame(new byte[3000], false);
        assertEquals(Map.of(), keyframeSizes(out.takeRtp()), "delta frames carry no size");
        s.sendVideoFrame(new byte[3000], true);
        assertEquals(
                Map.of(0x1001L, List.of(320, 180), 0x1002L, List.of(640, 360), 0x1003L, List.of(1280, 720)),
                keyframeSizes(out.takeRtp()));
    }

    /** Per SSRC, the width and height of the key frame started in {@code packets}, as the SFU reads them. */
    private static Map<Long, List<Integer>> keyframeSizes(List<RtpPacket> packets) {
        Map<Long, List<Integer>> sizes = new TreeMap<>();
        for (RtpPacket p : packets) {
            int w = Vp8Payload.keyframeWidth(p.buffer(), p.payloadOffset(), p.payloadLength());
            if (w >= 0) {
                sizes.put(
                        p.ssrc(),
                        List.of(w, Vp8Payload.keyframeHeight(p.buffer(), p.payloadOffset(), p.payloadLength())));
            }
        }
        return sizes;
    }

    @Test
    void layerSizesAreAQuarterPerLayerAndNeverNothing() {
        assertEquals(5000, SendStream.layerBytes(5000, 0));
        assertEquals(1250, SendStream.layerBytes(5000, 1));
        assertEquals(312, SendStream.layerBytes(5000, 2));
        assertEquals(1, SendStream.layerBytes(10, 2));
        assertEquals(0, SendStream.layerBytes(0, 2));
    }
}
