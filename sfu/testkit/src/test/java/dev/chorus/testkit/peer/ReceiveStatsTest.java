package dev.chorus.testkit.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What ReceivedStreams makes of crafted VP8 packets, with a clock the test moves; no network. */
class ReceiveStatsTest {
    static final long SSRC = 0xCAFE;
    static final long FRAME_NANOS = TimeUnit.MILLISECONDS.toNanos(33);

    final long[] now = {1_000_000_000L};
    final ReceivedStreams streams = new ReceivedStreams(() -> now[0]);
    final byte[] buf = new byte[1500];

    ReceiveStatsTest() {
        streams.vp8PayloadTypes(Set.of(OfferWriter.VP8_PT));
    }

    /** A simulcast-style VP8 packet as the SFU would forward it (no header extensions). */
    void packet(int seq, long ts, boolean start, boolean marker, int pictureId, int tl0, int tid, int layer) {
        int h = RtpHeaderWriter.write(buf, marker, OfferWriter.VP8_PT, seq, ts, SSRC, 0, new byte[0]);
        int p = h + Vp8Packetizer.writeLayeredDescriptor(buf, h, start, pictureId, tl0, tid);
        p += Vp8Packetizer.writeFrameHeader(buf, p, false, 20);
        p += 20;
        p += PayloadStamp.writeLayer(buf, p, layer);
        streams.onRtp(buf, 0, p);
    }

    /** One frame in two packets; the clock moves one frame time first. */
    void frame(int seq, long ts, int pictureId, int tl0, int layer) {
        now[0] += FRAME_NANOS;
        packet(seq, ts, true, false, pictureId, tl0, 0, layer);
        packet(seq + 1, ts, false, true, pictureId, tl0, 0, layer);
    }

    @Test
    void aSeamlessStreamCountsNoBreaks() {
        for (int f = 0; f < 5; f++) {
            frame(100 + 2 * f, 9000 + 3000L * f, 0x7FFE + f & 0x7FFF, 250 + f & 0xFF, 2);
        }
        ReceiveStats s = streams.get(SSRC);
        assertEquals(10, s.packets());
        assertEquals(5, s.completeFrames());
        assertEquals(33, s.longestFreezeMillis());
        assertEquals(2, s.lastLayer());
        assertEquals(
                List.of(0L, 0L, 0L, 0L, 0L),
                List.of(
                        s.sequenceGaps(),
                        s.timestampBackwards(),
                        s.pictureIdGaps(),
                        s.tl0PicIdxBackwards(),
                        s.layerChanges()),
                "picture id and TL0PICIDX wrap over without a break");
    }

    @Test
    void aPictureIdGapATimestampStepBackAndALayerSwitchAreCounted() {
        frame(100, 90_000, 10, 5, 0);
        frame(102, 93_000, 11, 6, 0);
        // The SFU switched to layer 2 but forgot to rewrite the picture id and the timestamp.
        frame(104, 60_000, 500, 7, 2);
        frame(106, 63_000, 501, 8, 2);
        ReceiveStats s = streams.get(SSRC);
        assertEquals(1, s.pictureIdGaps());
        assertEquals(1, s.timestampBackwards());
        assertEquals(1, s.layerChanges());
        assertEquals(2, s.lastLayer());
        assertEquals(0, s.sequenceGaps(), "sequence numbers ran on");
        assertEquals(0, s.tl0PicIdxBackwards());
        assertEquals(4, s.completeFrames(), "every frame arrived whole");

        JsonNode json = streams.toJson().get(0);
        assertEquals(1, json.get("pictureIdGaps").asLong());
        assertEquals(1, json.get("timestampBackwards").asLong());
        assertEquals(1, json.get("layerChanges").asLong());
        assertEquals(2, json.get("lastLayer").asInt());
    }

    @Test
    void tl0PicIdxGoingBackIsCountedButItsWrapIsNot() {
        frame(1, 3000, 1, 254, 0);
        frame(3, 6000, 2, 255, 0);
        frame(5, 9000, 3, 0, 0);
        frame(7, 12_000, 4, 200, 0);
        assertEquals(1, streams.get(SSRC).tl0PicIdxBackwards());
    }

    @Test
    void aLostPacketBreaksItsFrameAndTheFreezeRunsToTheNextWholeFrame() {
        frame(10, 3000, 1, 1, 0);
        frame(12, 6000, 2, 2, 0);
        // Frame 3: its second packet is lost.
        now[0] += FRAME_NANOS;
        packet(14, 9000, true, false, 3, 3, 0, 0);
        frame(16, 12_000, 4, 4, 0);
        ReceiveStats s = streams.get(SSRC);
        assertEquals(1, s.sequenceGaps());
        assertEquals(3, s.completeFrames());
        assertEquals(66, s.longestFreezeMillis(), "frame 2 to frame 4");
        assertEquals(0, s.pictureIdGaps(), "frame 3's first packet carried its picture id");
        assertEquals(66, streams.toJson().get(0).get("longestFreezeMs").asLong());

        // A frame whose first packet is lost: its picture id is first seen on the last packet.
        now[0] += FRAME_NANOS;
        packet(19, 15_000, false, true, 5, 5, 0, 0);
        now[0] += TimeUnit.MILLISECONDS.toNanos(100);
        frame(20, 18_000, 6, 6, 0);
        assertEquals(4, s.completeFrames(), "a frame without its start is not whole");
        assertEquals(33 + 100 + 33, s.longestFreezeMillis(), "frame 4 to frame 6");
    }

    @Test
    void shortPictureIdsWrapAtSevenBits() {
        int[] pictureIds = {126, 127, 0, 2};
        for (int i = 0; i < pictureIds.length; i++) {
            int h = RtpHeaderWriter.write(buf, true, OfferWriter.VP8_PT, 50 + i, 3000L * i, SSRC, 0, new byte[0]);
            buf[h] = (byte) 0x90; // X, S
            buf[h + 1] = (byte) 0x80; // I
            buf[h + 2] = (byte) pictureIds[i]; // M=0: 7 bits
            int n = h + 3 + Vp8Packetizer.writeFrameHeader(buf, h + 3, false, 10) + 10;
            streams.onRtp(buf, 0, n);
        }
        assertEquals(1, streams.get(SSRC).pictureIdGaps(), "0 to 2 only");
        assertEquals(4, streams.get(SSRC).completeFrames());
        assertEquals(-1, streams.get(SSRC).lastLayer(), "no layer stamp");
    }

    @Test
    void ourOwnSimulcastLayerReadsAsOneSeamlessStream() {
        long[] sendClock = {0};
        CapturedPackets out = new CapturedPackets();
        SendStream cam = new SendStream(
                "1", SimulcastSendTest.CAM, OfferWriter.VP8_PT, out, new SenderClock(() -> sendClock[0], 0), "me");
        cam.configure(OfferWriter.VP8_PT, OfferWriter.RTX_PT, OfferWriter.EXT_MID, OfferWriter.EXT_RID, 0);
        for (int f = 0; f < 300; f++) {
            cam.sendVideoFrame(new byte[4000], f % 100 == 0);
            sendClock[0] += FRAME_NANOS;
        }
        for (byte[] pkt : out.rtp) {
            now[0] += 1000;
            streams.onRtp(pkt, 0, pkt.length);
        }
        for (SendLayer layer : cam.layers()) {
            ReceiveStats s = streams.get(layer.ssrc());
            assertEquals(layer.packetsSent(), s.packets());
            assertEquals(300, s.completeFrames());
            assertEquals(3, s.keyframes());
            assertEquals(layer.index(), s.lastLayer());
            assertEquals(
                    List.of(0L, 0L, 0L, 0L, 0L),
                    List.of(
                            s.sequenceGaps(),
                            s.timestampBackwards(),
                            s.pictureIdGaps(),
                            s.tl0PicIdxBackwards(),
                            s.layerChanges()),
                    "layer " + layer.index());
        }
        assertTrue(streams.get(cam.layer(2).ssrc()).packets()
                > streams.get(cam.layer(0).ssrc()).packets());
    }

    @Test
    void undecryptedPacketsAreCountedFromTheirClearHeaderOnly() {
        int[] heard = new int[2];
        streams.listener(new RtpListener() {
            @Override
            public void onRtp(long n, long ssrc, int seq, long ts, int pt, boolean m, byte[] b, int o, int l) {
                heard[0]++;
            }

            @Override
            public void onUndecryptedRtp(long n, long ssrc, int seq, long ts, int pt, boolean m) {
                assertEquals(SSRC, ssrc);
                assertEquals(0x1234 + heard[1], seq);
                assertEquals(0xFEDCBA98L, ts);
                assertEquals(OfferWriter.VP8_PT, pt);
                assertTrue(m);
                heard[1]++;
            }
        });
        // A header with one extension block (clear in SRTP) before a payload that stays encrypted.
        byte[] ext = {(byte) 0xBE, (byte) 0xDE, 0, 1, 0x10, 0x55, 0, 0};
        int h = RtpHeaderWriter.write(buf, true, OfferWriter.VP8_PT, 0x1234, 0xFEDCBA98L, SSRC, 0, new byte[0]);
        System.arraycopy(ext, 0, buf, h, ext.length);
        buf[0] |= 0x10;
        streams.onUndecryptedRtp(buf, 0, h + ext.length + 40);
        buf[3] = 0x35;
        buf[0] |= 0x20; // padding bit: the count is encrypted, the packet still counts
        streams.onUndecryptedRtp(buf, 0, h + ext.length + 40);
        streams.onUndecryptedRtp(buf, 0, h + 2); // the extension block does not fit: invalid

        ReceiveStats s = streams.get(SSRC);
        assertEquals(2, s.packets());
        assertEquals(0x1235, s.lastSequenceNumber());
        assertEquals(0, s.sequenceGaps());
        assertEquals(2, s.markers());
        assertEquals(0, s.keyframes(), "a key frame start is in the encrypted payload");
        assertEquals(2, streams.undecrypted());
        assertEquals(2, streams.packets());
        assertEquals(1, streams.invalid());
        assertEquals(0, heard[0]);
        assertEquals(2, heard[1]);
    }
}
