package dev.chorus.sfu.record;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chorus.sfu.codec.Codec;
import dev.chorus.sfu.worker.ManualClock;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * VP9 and H.264 recording: the depacketizers' cases on hand-made packets, then real encoder output (Debian's ffmpeg:
 * libvpx-vp9, libx264) packetized as a browser does, recorded, and checked with ffprobe and ffmpeg.
 */
class Vp9AndH264RecordingTest {
    private static final long WAIT = 300_000_000L;

    record Packet(long seq, long ts, boolean marker, byte[] payload) {}

    @TempDir
    Path dir;

    private final List<byte[]> frames = new ArrayList<>();
    private final List<Boolean> keyframes = new ArrayList<>();
    private int losses;
    private final FrameSink sink = new FrameSink() {
        @Override
        public void onFrame(long ts, boolean keyframe, byte[] b, int off, int len) {
            frames.add(Arrays.copyOfRange(b, off, off + len));
            keyframes.add(keyframe);
        }

        @Override
        public void onLoss() {
            losses++;
        }
    };
    private final RoomRecordingTest.HeldDrain executor = new RoomRecordingTest.HeldDrain();

    @AfterEach
    void shutdown() {
        executor.shutdownNow();
    }

    // ---- H.264 (RFC 6184) ----

    /**
     * An access unit as RTP packets, as libwebrtc sends one: SPS, PPS (and any small NAL units before the first
     * slice) in one STAP-A, a NAL unit that fits {@code mtu} alone, a larger one in FU-A fragments; the marker on
     * the last packet.
     */
    static List<Packet> packetizeH264(List<List<byte[]>> units, int mtu, long firstSeq, long ticksPerFrame) {
        List<Packet> out = new ArrayList<>();
        long seq = firstSeq;
        for (int u = 0; u < units.size(); u++) {
            List<byte[]> unit = units.get(u);
            List<byte[]> payloads = new ArrayList<>();
            int i = 0;
            ByteArrayOutputStream stap = new ByteArrayOutputStream();
            stap.write(0x78); // STAP-A, NRI 3
            int aggregated = 0;
            while (i < unit.size() && (unit.get(i)[0] & 0x1F) >= 6 && (unit.get(i)[0] & 0x1F) <= 9) {
                byte[] nal = unit.get(i++);
                stap.write(nal.length >>> 8);
                stap.write(nal.length);
                stap.write(nal, 0, nal.length);
                aggregated++;
            }
            if (aggregated > 0) {
                payloads.add(stap.toByteArray());
            }
            for (; i < unit.size(); i++) {
                byte[] nal = unit.get(i);
                if (nal.length <= mtu) {
                    payloads.add(nal);
                    continue;
                }
                for (int at = 1; at < nal.length; at += mtu - 2) {
                    int n = Math.min(mtu - 2, nal.length - at);
                    byte[] p = new byte[2 + n];
                    p[0] = (byte) ((nal[0] & 0xE0) | 28);
                    p[1] = (byte) ((at == 1 ? 0x80 : 0) | (at + n == nal.length ? 0x40 : 0) | (nal[0] & 0x1F));
                    System.arraycopy(nal, at, p, 2, n);
                    payloads.add(p);
                }
            }
            for (int k = 0; k < payloads.size(); k++) {
                out.add(new Packet(seq++, ticksPerFrame * u, k == payloads.size() - 1, payloads.get(k)));
            }
        }
        return out;
    }

    /** An access unit as Matroska stores it: every NAL unit behind its 4-byte big-endian length. */
    private static byte[] lengthPrefixed(List<byte[]> unit) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] nal : unit) {
            out.write(nal.length >>> 24);
            out.write(nal.length >>> 16);
            out.write(nal.length >>> 8);
            out.write(nal.length);
            out.write(nal, 0, nal.length);
        }
        return out.toByteArray();
    }

    private static byte[] nal(int header, int firstPayloadByte, int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i * 7 + header);
        }
        b[0] = (byte) header;
        b[1] = (byte) firstPayloadByte;
        return b;
    }

    /** SPS (Constrained Baseline 42e01f, 320x240), PPS, IDR in two slices; then a P picture in one slice. */
    private static List<List<byte[]>> handMadeH264() {
        byte[] sps = {
            0x67,
            0x42,
            (byte) 0xE0,
            0x1F,
            (byte) 0xDA,
            0x05,
            0x07,
            (byte) 0xE8,
            0x40,
            0x00,
            0x00,
            0x03,
            0x00,
            0x40,
            0x00,
            0x00,
            0x0F,
            0x03,
            (byte) 0xC5,
            0x0B,
            (byte) 0xA8
        };
        byte[] pps = {0x68, (byte) 0xCE, 0x3C, (byte) 0x80};
        List<byte[]> idr = List.of(sps, pps, nal(0x65, 0x88, 2500), nal(0x65, 0x10, 900));
        List<byte[]> p = List.of(nal(0x41, 0x9A, 1400));
        return List.of(idr, p);
    }

    @Test
    void h264UnitsFromStapAFuAAndSingleNalUnitsComeOutLengthPrefixedWithTheirParameterSets() {
        H264Frames h264 = new H264Frames();
        VideoDepacketizer d = new VideoDepacketizer(h264, sink, WAIT);
        List<List<byte[]>> units = handMadeH264();
        List<Packet> packets = packetizeH264(units, 1000, 65_530, 3000);
        // The second slice of the IDR is a single NAL unit with first_mb_in_slice != 0: it continues the unit.
        assertEquals(VideoPayload.CONTINUES, h264.classify(units.get(0).get(3), 0, 900));
        assertEquals(
                VideoPayload.STARTS,
                h264.classify(packets.get(0).payload(), 0, packets.get(0).payload().length));
        for (Packet p : packets) {
            d.push(p.seq(), p.ts(), p.marker(), p.payload(), 0, p.payload().length, 0);
        }
        assertEquals(2, frames.size());
        assertArrayEquals(lengthPrefixed(units.get(0)), frames.get(0));
        assertArrayEquals(lengthPrefixed(units.get(1)), frames.get(1));
        assertEquals(List.of(true, false), keyframes);
        assertEquals(320, h264.width());
        assertEquals(240, h264.height());
        byte[] avcc = h264.avcDecoderConfiguration();
        byte[] sps = units.get(0).get(0);
        assertArrayEquals(
                new byte[] {1, 0x42, (byte) 0xE0, 0x1F, (byte) 0xFF, (byte) 0xE1, 0, (byte) sps.length},
                Arrays.copyOf(avcc, 8));
        assertEquals(8 + sps.length + 3 + 4, avcc.length);
        assertEquals(0, losses);
    }

    @Test
    void anH264UnitWhoseFragmentHasNoEndIsDroppedAndTheNextUnitStartsOnItsOwnFirstPacket() {
        VideoDepacketizer d = new VideoDepacketizer(new H264Frames(), sink, WAIT);
        List<Packet> packets = new ArrayList<>(packetizeH264(handMadeH264(), 1000, 0, 3000));
        // The IDR's first slice is fragmented in three; its last fragment goes missing and the marker moves to the
        // one before (a broken sender): the unit's packets are all there but do not make whole NAL units.
        int end = 3;
        Packet broken = packets.get(end - 1);
        packets.set(end - 1, new Packet(broken.seq(), broken.ts(), true, broken.payload()));
        packets.remove(end);
        long seq = 0;
        for (Packet p : packets) {
            d.push(seq++, p.ts(), p.marker(), p.payload(), 0, p.payload().length, 0);
        }
        d.poll(WAIT);
        assertEquals(1, d.framesMalformed());
        assertTrue(losses >= 1);
        assertEquals(List.of(false), keyframes); // the P unit, found by its own first packet
        // An interleaved-mode packet (FU-B) and a STAP-A whose size overruns are refused, counted.
        d.push(seq++, 9000, true, new byte[] {29, (byte) 0x85, 1}, 0, 3, 0);
        d.push(seq, 9000, true, new byte[] {24, 0, 9, 0x67}, 0, 4, 0);
        assertEquals(2, d.packetsMalformed());
    }

    @Test
    void anH264TrackIsRecordedIntoMatroskaThatDecodes() throws Exception {
        List<List<byte[]>> units = MediaTools.h264(dir, 3, 30);
        JsonNode track = record(Codec.H264, packetizeH264(units, 1000, 40_000, 3000), "h264");
        assertEquals("h264", track.get("codec").asText());
        assertTrue(track.get("file").asText().endsWith(".mkv"), track.toString());
        JsonNode probe =
                MediaTools.probe(dir.resolve("rec").resolve(track.get("file").asText()));
        JsonNode stream = probe.get("streams").get(0);
        assertEquals("h264", stream.get("codec_name").asText());
        assertEquals("true", stream.get("is_avc").asText(), stream.toString()); // length-prefixed, with an avcC
        assertEquals("4", stream.get("nal_length_size").asText());
        assertEquals(320, stream.get("width").asInt());
        assertEquals(units.size(), stream.get("nb_read_frames").asInt());
        assertEquals(3.0, probe.get("format").get("duration").asDouble(), 0.05);
        assertEquals(
                "",
                MediaTools.decodeErrors(
                        dir.resolve("rec").resolve(track.get("file").asText())));
    }

    // ---- VP9 (RFC 9628) ----

    /** A superframe's frames (Annex B), or the frame itself when it has no index. */
    static List<byte[]> splitSuperframe(byte[] f) {
        int marker = f[f.length - 1] & 0xFF;
        if ((marker & 0xE0) != 0xC0) {
            return List.of(f);
        }
        int count = (marker & 0x07) + 1;
        int sizeBytes = ((marker >> 3) & 0x03) + 1;
        int indexLength = 2 + sizeBytes * count;
        if (f.length < indexLength || (f[f.length - indexLength] & 0xFF) != marker) {
            return List.of(f);
        }
        List<byte[]> out = new ArrayList<>();
        int at = 0;
        for (int i = 0; i < count; i++) {
            int size = 0;
            for (int k = 0; k < sizeBytes; k++) {
                size |= (f[f.length - indexLength + 1 + i * sizeBytes + k] & 0xFF) << (8 * k);
            }
            out.add(Arrays.copyOfRange(f, at, at + size));
            at += size;
        }
        return out;
    }

    /**
     * Pictures as RTP packets the way libwebrtc sends SVC: each frame of the picture a layer of its own (SID 0, 1,
     * ...), B on a frame's first packet and E on its last, the picture id and TL0PICIDX in non-flexible mode, the
     * scalability structure (with sizes) in a keyframe's first packet, the marker on the picture's last packet.
     */
    static List<Packet> packetizeVp9(List<MediaTools.Frame> pictures, int mtu, long firstSeq) {
        List<Packet> out = new ArrayList<>();
        long seq = firstSeq;
        for (int pic = 0; pic < pictures.size(); pic++) {
            MediaTools.Frame picture = pictures.get(pic);
            List<byte[]> layers = splitSuperframe(picture.data());
            for (int sid = 0; sid < layers.size(); sid++) {
                byte[] frame = layers.get(sid);
                for (int at = 0; at < frame.length; at += mtu) {
                    int n = Math.min(mtu, frame.length - at);
                    boolean ss = picture.keyframe() && sid == 0 && at == 0;
                    ByteArrayOutputStream p = new ByteArrayOutputStream();
                    int flags = 0x80
                            | 0x20
                            | (picture.keyframe() ? 0 : 0x40)
                            | (at == 0 ? 0x08 : 0)
                            | (at + n == frame.length ? 0x04 : 0)
                            | (ss ? 0x02 : 0);
                    p.write(flags);
                    p.write(0x80 | (pic >> 8) & 0x7F);
                    p.write(pic);
                    p.write(sid << 1);
                    p.write(pic);
                    if (ss) {
                        p.write(0x10); // one spatial layer described, with its size
                        p.write(new byte[] {0x01, 0x40, 0x00, (byte) 0xF0}, 0, 4);
                    }
                    p.write(frame, at, n);
                    boolean last = sid == layers.size() - 1 && at + n == frame.length;
                    out.add(new Packet(seq++, 3000L * pic, last, p.toByteArray()));
                }
            }
        }
        return out;
    }

    @Test
    void vp9PicturesOfSeveralLayerFramesBecomeTheSuperframesTheyWere() throws Exception {
        List<MediaTools.Frame> pictures = MediaTools.vp9(dir, 2, 30);
        long superframes = pictures.stream()
                .filter(f -> splitSuperframe(f.data()).size() > 1)
                .count();
        assertTrue(superframes > 0, "the encoder made no superframe to test with");
        Vp9Frames vp9 = new Vp9Frames();
        VideoDepacketizer d = new VideoDepacketizer(vp9, sink, WAIT);
        for (Packet p : packetizeVp9(pictures, 700, 65_000)) {
            d.push(p.seq(), p.ts(), p.marker(), p.payload(), 0, p.payload().length, 0);
        }
        assertEquals(pictures.size(), frames.size());
        for (int i = 0; i < pictures.size(); i++) {
            assertArrayEquals(pictures.get(i).data(), frames.get(i), "picture " + i);
            assertEquals(pictures.get(i).keyframe(), keyframes.get(i), "picture " + i);
        }
        assertEquals(320, vp9.width());
        assertEquals(240, vp9.height());
    }

    @Test
    void aVp9LayerFrameWithoutItsEndOrAMiddlePacketWithoutAStartIsNotAPicture() {
        Vp9Frames vp9 = new Vp9Frames();
        VideoDepacketizer d = new VideoDepacketizer(vp9, sink, WAIT);
        // Layer 0 begins (B) and never ends (no E) before layer 1 begins: the picture is dropped, counted.
        d.push(0, 0, false, new byte[] {(byte) 0x28, 0, 0, 1, 2}, 0, 5, 0);
        d.push(1, 0, true, new byte[] {(byte) 0x2C, 2 << 1, 0, 3}, 0, 4, 0);
        assertEquals(1, d.framesMalformed());
        // A picture of one frame in two packets comes out as it is, no index.
        d.push(2, 3000, false, new byte[] {(byte) 0x28, 0, 0, 7, 8}, 0, 5, 0);
        d.push(3, 3000, true, new byte[] {(byte) 0x64, 0, 0, 9}, 0, 4, 0);
        assertEquals(1, frames.size());
        assertArrayEquals(new byte[] {7, 8, 9}, frames.get(0));
        assertEquals(List.of(true), keyframes);
        // A descriptor cut short is a malformed packet.
        d.push(4, 6000, true, new byte[] {(byte) 0xA8}, 0, 1, 0);
        assertEquals(1, d.packetsMalformed());
    }

    @Test
    void aVp9TrackIsRecordedIntoWebmThatDecodes() throws Exception {
        List<MediaTools.Frame> pictures = MediaTools.vp9(dir, 3, 30);
        JsonNode track = record(Codec.VP9, packetizeVp9(pictures, 1000, 0), "vp9");
        assertEquals("vp9", track.get("codec").asText());
        Path file = dir.resolve("rec").resolve(track.get("file").asText());
        assertTrue(file.toString().endsWith(".webm"));
        JsonNode probe = MediaTools.probe(file);
        JsonNode stream = probe.get("streams").get(0);
        assertEquals("vp9", stream.get("codec_name").asText());
        assertEquals(320, stream.get("width").asInt());
        assertEquals(pictures.size(), stream.get("nb_read_frames").asInt());
        assertEquals(3.0, probe.get("format").get("duration").asDouble(), 0.05);
        assertEquals("", MediaTools.decodeErrors(file));
    }

    /** Records {@code packets} (30 fps, one sender report first) as one track; its manifest entry. */
    private JsonNode record(Codec codec, List<Packet> packets, String trackId) throws Exception {
        ManualClock clock = new ManualClock(1_000_000_000L);
        RoomRecording rec =
                RoomRecording.start("r", "rec", dir.resolve("rec"), executor, clock, Instant.EPOCH, r -> {});
        TrackTap tap = rec.addTrack(new TrackInfo("r", "ann", trackId, codec, "camera"));
        executor.drain.run();
        long base = 3_000_000_000L;
        tap.offerSenderReport(0x1_0000_0000L, base, clock.nowNanos());
        long lastTs = -1;
        for (Packet p : packets) {
            if (p.ts() != lastTs && lastTs >= 0) {
                clock.advanceMillis(33);
                executor.drain.run();
            }
            lastTs = p.ts();
            tap.offerRtp(
                    p.seq(),
                    (base + p.ts()) & 0xFFFF_FFFFL,
                    p.marker(),
                    p.payload(),
                    0,
                    p.payload().length,
                    clock.nowNanos());
        }
        executor.drain.run();
        rec.stop();
        executor.drain.run();
        JsonNode track = rec.manifest().get("participants").get(0).get("tracks").get(0);
        assertEquals(0, track.get("dropped").get("framesLost").asLong(), track.toString());
        assertEquals(0, track.get("dropped").get("beforeKeyframe").asLong(), track.toString());
        return track;
    }
}
