package dev.chorus.sfu.record;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Vp8DepacketizerTest {
    private static final long WAIT = 300_000_000L;

    /** One RTP packet of a frame: its sequence number, timestamp, marker and payload (descriptor first). */
    record Packet(long seq, long ts, boolean marker, byte[] payload) {}

    private final List<byte[]> frames = new ArrayList<>();
    private final List<Boolean> keyframes = new ArrayList<>();
    private final List<Long> timestamps = new ArrayList<>();
    private int losses;

    private final VideoDepacketizer depacketizer = new VideoDepacketizer(
            new Vp8Frames(),
            new FrameSink() {
                @Override
                public void onFrame(long ts, boolean keyframe, byte[] b, int off, int len) {
                    frames.add(Arrays.copyOfRange(b, off, off + len));
                    keyframes.add(keyframe);
                    timestamps.add(ts);
                }

                @Override
                public void onLoss() {
                    losses++;
                }
            },
            WAIT);

    /**
     * Frames as Chrome sends them: a descriptor with a 15-bit picture id (X, S on the first packet), payloads of at
     * most {@code mtu} bytes, the marker on the last packet of each frame.
     */
    static List<Packet> packetize(List<byte[]> frames, int mtu, long firstSeq) {
        List<Packet> out = new ArrayList<>();
        long seq = firstSeq;
        for (int f = 0; f < frames.size(); f++) {
            byte[] frame = frames.get(f);
            for (int at = 0; at < frame.length; at += mtu) {
                int n = Math.min(mtu, frame.length - at);
                byte[] p = new byte[4 + n];
                p[0] = (byte) (0x80 | (at == 0 ? 0x10 : 0));
                p[1] = (byte) 0x80;
                p[2] = (byte) (0x80 | (f >> 8));
                p[3] = (byte) f;
                System.arraycopy(frame, at, p, 4, n);
                out.add(new Packet(seq++, 3000L * f, at + n == frame.length, p));
            }
        }
        return out;
    }

    private static List<byte[]> syntheticFrames(int count) {
        List<byte[]> list = new ArrayList<>();
        Random r = new Random(7);
        for (int i = 0; i < count; i++) {
            byte[] f = new byte[200 + r.nextInt(3000)];
            r.nextBytes(f);
            f[0] = (byte) (i % 10 == 0 ? 0x10 : 0x11); // P bit: 0 on a keyframe
            list.add(f);
        }
        return list;
    }

    private void push(Packet p, long now) {
        depacketizer.push(p.seq(), p.ts(), p.marker(), p.payload(), 0, p.payload().length, now);
    }

    @Test
    void framesInOrderComeOutWholeAndUnchanged() {
        List<byte[]> source = syntheticFrames(30);
        for (Packet p : packetize(source, 1000, 100)) {
            push(p, 0);
        }
        assertEquals(30, frames.size());
        for (int i = 0; i < 30; i++) {
            assertArrayEquals(source.get(i), frames.get(i));
            assertEquals(i % 10 == 0, keyframes.get(i));
            assertEquals(3000L * i, timestamps.get(i));
        }
        assertEquals(0, losses);
    }

    @Test
    void reorderedAndDuplicatedPacketsStillMakeEveryFrame() {
        List<byte[]> source = syntheticFrames(40);
        List<Packet> packets = new ArrayList<>(packetize(source, 500, 65_000));
        Random r = new Random(3);
        for (int i = 0; i + 4 < packets.size(); i += 5) {
            Collections.shuffle(packets.subList(i, i + 5), r); // short reorders, as on a real path
        }
        packets.add(20, packets.get(3));
        for (Packet p : packets) {
            push(p, 0);
        }
        assertEquals(40, frames.size());
        for (int i = 0; i < 40; i++) {
            assertArrayEquals(source.get(i), frames.get(i));
        }
        assertEquals(1, depacketizer.packetsLate());
    }

    @Test
    void aLateRetransmissionCompletesItsFrameWithinTheWait() {
        List<Packet> packets = packetize(syntheticFrames(5), 500, 0);
        Packet missing = packets.get(2);
        long now = 0;
        for (Packet p : packets) {
            if (p != missing) {
                push(p, now += 1_000_000L);
            }
        }
        int before = frames.size();
        depacketizer.poll(now + WAIT / 2);
        push(missing, now + WAIT / 2);
        assertEquals(5, frames.size());
        assertTrue(before < 5);
        assertEquals(0, losses);
    }

    @Test
    void aPacketLostForGoodDropsItsFrameOnlyAndTellsTheSink() {
        List<byte[]> source = syntheticFrames(6);
        List<Packet> packets = packetize(source, 1000, 0);
        long lostFrameTs = 3000L * 2;
        Packet lost =
                packets.stream().filter(p -> p.ts() == lostFrameTs).toList().get(1);
        for (Packet p : packets) {
            if (p != lost) {
                push(p, 0);
            }
        }
        assertEquals(2, frames.size()); // frames after the hole wait for it
        depacketizer.poll(WAIT);
        assertEquals(5, frames.size());
        assertEquals(1, losses);
        assertEquals(1, depacketizer.framesLost());
        assertTrue(timestamps.stream().noneMatch(t -> t == lostFrameTs));
        assertArrayEquals(source.get(3), frames.get(2));
    }

    @Test
    void packetsBeforeTheFirstFrameStartAndMalformedOnesAreSkipped() {
        List<Packet> packets = packetize(syntheticFrames(3), 1000, 10);
        List<Packet> tail = packets.stream().filter(p -> p.ts() > 0).toList();
        // The first frame's last packet only: no start seen, so nothing to assemble from it.
        Packet firstEnd = packets.stream()
                .filter(p -> p.ts() == 0 && p.marker())
                .findFirst()
                .orElseThrow();
        push(firstEnd, 0);
        depacketizer.push(1, 0, false, new byte[] {(byte) 0x80}, 0, 1, 0);
        for (Packet p : tail) {
            push(p, 0);
        }
        assertEquals(2, frames.size());
        assertEquals(1, depacketizer.packetsMalformed());
    }

    @Test
    void paddingOnlyPacketsBetweenFramesArePassedOver() {
        List<byte[]> source = syntheticFrames(10);
        List<Packet> packets = new ArrayList<>();
        long seq = 0;
        for (Packet p : packetize(source, 1000, 0)) {
            packets.add(new Packet(seq++, p.ts(), p.marker(), p.payload()));
            if (p.marker() && p.ts() % 2 == 0) { // a bandwidth probe after every other frame
                packets.add(new Packet(seq++, p.ts(), false, new byte[0]));
            }
        }
        for (Packet p : packets) {
            push(p, 0);
        }
        assertEquals(10, frames.size());
        assertEquals(0, losses);
        assertEquals(0, depacketizer.packetsMalformed());
    }

    @Test
    void aLongOutageDoesNotWedgeTheRing() {
        List<Packet> packets = packetize(syntheticFrames(400), 300, 0);
        for (Packet p : packets) {
            if (p.seq() != 5) { // one hole, then far more than the ring holds
                push(p, 0);
            }
        }
        assertEquals(1, losses);
        assertTrue(frames.size() >= 398, "frames: " + frames.size());
    }
}
