package dev.chorus.sfu.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Rfc4571FramerTest {
    private final List<byte[]> frames = new ArrayList<>();
    private final List<byte[]> sources = new ArrayList<>();
    private final Rfc4571Framer framer = new Rfc4571Framer(100, (b, o, l) -> {
        frames.add(Arrays.copyOfRange(b, o, o + l));
        sources.add(b);
    });

    private static byte[] frame(int len, int fill) {
        byte[] f = new byte[2 + len];
        Rfc4571Framer.writeHeader(f, 0, len);
        Arrays.fill(f, 2, f.length, (byte) fill);
        return f;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    @Test
    void twoFramesInOneReadAreBothDeliveredInPlace() {
        byte[] read = concat(frame(3, 0xAA), frame(5, 0xBB));
        framer.feed(read, 0, read.length);
        assertEquals(2, frames.size());
        assertArrayEquals(new byte[] {(byte) 0xAA, (byte) 0xAA, (byte) 0xAA}, frames.get(0));
        assertArrayEquals(new byte[] {(byte) 0xBB, (byte) 0xBB, (byte) 0xBB, (byte) 0xBB, (byte) 0xBB}, frames.get(1));
        // Whole frames inside one read are handed on without a copy.
        assertSame(read, sources.get(0));
        assertSame(read, sources.get(1));
        assertEquals(2, framer.frames());
        assertFalse(framer.midFrame());
    }

    @Test
    void frameSplitAcrossReadsIncludingItsHeaderIsAssembled() {
        byte[] f = frame(40, 0x11);
        // header split 1|1, body split 10|29|1
        framer.feed(f, 0, 1);
        assertTrue(framer.midFrame());
        framer.feed(f, 1, 1);
        framer.feed(f, 2, 10);
        framer.feed(f, 12, 29);
        assertEquals(0, frames.size(), "not complete yet");
        framer.feed(f, 41, 1);
        assertEquals(1, frames.size());
        assertArrayEquals(Arrays.copyOfRange(f, 2, 42), frames.get(0));
        assertFalse(framer.midFrame());
    }

    @Test
    void byteByByteStreamOfRandomFramesComesOutIntact() {
        Random rnd = new Random(7);
        List<byte[]> sent = new ArrayList<>();
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        for (int i = 0; i < 50; i++) {
            byte[] body = new byte[1 + rnd.nextInt(100)];
            rnd.nextBytes(body);
            sent.add(body);
            byte[] h = new byte[2];
            Rfc4571Framer.writeHeader(h, 0, body.length);
            stream.writeBytes(h);
            stream.writeBytes(body);
        }
        byte[] all = stream.toByteArray();
        // reads of random sizes 1..7 bytes
        for (int i = 0; i < all.length; ) {
            int n = Math.min(all.length - i, 1 + rnd.nextInt(7));
            framer.feed(all, i, n);
            i += n;
        }
        assertEquals(sent.size(), frames.size());
        for (int i = 0; i < sent.size(); i++) {
            assertArrayEquals(sent.get(i), frames.get(i), "frame " + i);
        }
    }

    @Test
    void oversizeFrameIsSkippedCountedAndTheStreamStaysInStep() {
        byte[] big = frame(101, 0x77); // one over the limit of 100
        byte[] next = frame(4, 0x42);
        byte[] read = concat(frame(2, 0x01), big, next);
        // deliver in two reads cutting through the oversize body
        framer.feed(read, 0, 50);
        framer.feed(read, 50, read.length - 50);
        assertEquals(1, framer.framesTooLarge());
        assertEquals(2, frames.size(), "the frames before and after are delivered");
        assertArrayEquals(new byte[] {1, 1}, frames.get(0));
        assertArrayEquals(new byte[] {0x42, 0x42, 0x42, 0x42}, frames.get(1));
        assertFalse(framer.midFrame());
    }

    @Test
    void maximumSizeFrameIsAcceptedAndEmptyFrameCounted() {
        byte[] read = concat(frame(100, 0x05), new byte[] {0, 0}, frame(1, 0x06));
        framer.feed(read, 0, read.length);
        assertEquals(2, frames.size());
        assertEquals(100, frames.get(0).length);
        assertEquals(1, framer.emptyFrames());
        assertEquals(0, framer.framesTooLarge());
    }

    @Test
    void headerLimitsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> Rfc4571Framer.writeHeader(new byte[2], 0, 65536));
        assertThrows(IllegalArgumentException.class, () -> new Rfc4571Framer(0, (b, o, l) -> {}));
        byte[] h = new byte[2];
        Rfc4571Framer.writeHeader(h, 0, 0x1234);
        assertArrayEquals(new byte[] {0x12, 0x34}, h);
    }
}
