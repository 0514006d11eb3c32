package dev.chorus.sfu.capture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PacketCaptureTest {

    /** Keeps the drain task instead of running it: the test drains by hand, with its own clock. */
    static final class HeldDrain extends ScheduledThreadPoolExecutor {
        Runnable drain;

        HeldDrain() {
            super(1);
        }

        @Override
        public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit u) {
            drain = command;
            return super.schedule(() -> {}, 1, TimeUnit.DAYS);
        }
    }

    /** One record of a pcap file: time, and the IP packet. */
    record Record(long micros, byte[] ip) {
        byte[] udpPayload() {
            int ipHeader = (ip[0] >> 4) == 6 ? 40 : (ip[0] & 0x0f) * 4;
            byte[] p = new byte[ip.length - ipHeader - 8];
            System.arraycopy(ip, ipHeader + 8, p, 0, p.length);
            return p;
        }
    }

    @TempDir
    Path dir;

    private final HeldDrain executor = new HeldDrain();
    private long nowMicros = 1_700_000_000_000_000L;
    private final AtomicInteger ends = new AtomicInteger();

    @AfterEach
    void stopExecutor() {
        executor.shutdownNow();
    }

    private PacketCapture start(Path file, Duration maxTime, long maxPackets, String from, String to)
            throws IOException {
        return PacketCapture.start(
                file,
                new InetSocketAddress(InetAddress.getByName(from), 50000),
                new InetSocketAddress(InetAddress.getByName(to), 10000),
                new PacketCapture.Limits(maxTime, maxPackets),
                executor,
                () -> nowMicros,
                c -> ends.incrementAndGet());
    }

    private PacketCapture start(Path file) throws IOException {
        return start(file, Duration.ofSeconds(10), 1000, "192.0.2.7", "127.0.0.1");
    }

    static List<Record> read(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file));
        assertEquals(PcapWriter.MAGIC_MICROS, b.getInt());
        assertEquals(2, b.getShort());
        assertEquals(4, b.getShort());
        assertEquals(0, b.getInt());
        assertEquals(0, b.getInt());
        assertEquals(PcapWriter.SNAPLEN, b.getInt());
        assertEquals(PcapWriter.LINKTYPE_RAW, b.getInt());
        List<Record> records = new ArrayList<>();
        while (b.hasRemaining()) {
            long micros = (b.getInt() & 0xffffffffL) * 1_000_000 + b.getInt();
            int incl = b.getInt();
            assertEquals(incl, b.getInt(), "captured whole");
            byte[] ip = new byte[incl];
            b.get(ip);
            records.add(new Record(micros, ip));
        }
        return records;
    }

    private static byte[] packet(int n, int size) {
        byte[] p = new byte[size];
        p[0] = (byte) 0x80;
        p[1] = (byte) 111;
        p[3] = (byte) n;
        return p;
    }

    @Test
    void packetsAreWrittenAsUdpRecordsOfTheParticipantsFlowWithTheirTimes() throws IOException {
        Path file = dir.resolve("a.pcap");
        PacketCapture c = start(file);
        byte[] rtp = packet(1, 172);
        byte[] padded = new byte[200];
        System.arraycopy(rtp, 0, padded, 14, rtp.length);
        c.offer(padded, 14, rtp.length); // an offset into a larger buffer, as the transport hands it over
        nowMicros += 20_500;
        byte[] rtcp = {(byte) 0x81, (byte) 201, 0, 7, 1, 2, 3, 4, 5, 6, 7, 8};
        c.offer(rtcp, 0, rtcp.length);
        executor.drain.run();
        c.stop(PacketCapture.End.STOPPED);
        executor.drain.run();
        assertTrue(c.isEnded());
        assertEquals(PacketCapture.End.STOPPED, c.ended());
        assertEquals(1, ends.get());

        List<Record> records = read(file);
        assertEquals(2, records.size());
        assertEquals(1_700_000_000_000_000L, records.get(0).micros());
        assertEquals(1_700_000_000_020_500L, records.get(1).micros());
        assertArrayEquals(rtp, records.get(0).udpPayload());
        assertArrayEquals(rtcp, records.get(1).udpPayload());

        ByteBuffer ip = ByteBuffer.wrap(records.get(0).ip());
        assertEquals(0x45, ip.get(0));
        assertEquals(20 + 8 + 172, ip.getShort(2));
        assertEquals(17, ip.get(9), "UDP");
        assertEquals(0, PcapWriter.ipv4Checksum(records.get(0).ip(), 0), "a header with its checksum sums to 0");
        assertArrayEquals(
                new byte[] {(byte) 192, 0, 2, 7},
                java.util.Arrays.copyOfRange(records.get(0).ip(), 12, 16));
        assertArrayEquals(
                new byte[] {127, 0, 0, 1},
                java.util.Arrays.copyOfRange(records.get(0).ip(), 16, 20));
        assertEquals(50000, ip.getShort(20) & 0xffff, "from the participant's port");
        assertEquals(10000, ip.getShort(22) & 0xffff, "to the server's");
        assertEquals(8 + 172, ip.getShort(24));
    }

    @Test
    void ipv6FlowsGetIpv6Headers() throws IOException {
        Path file = dir.resolve("v6.pcap");
        PacketCapture c = start(file, Duration.ofSeconds(5), 10, "::1", "::1");
        c.offer(packet(1, 100), 0, 100);
        c.stop(PacketCapture.End.STOPPED);
        executor.drain.run();
        Record r = read(file).get(0);
        assertEquals(6, r.ip()[0] >> 4);
        assertEquals(17, r.ip()[6], "next header: UDP");
        assertEquals(108, ByteBuffer.wrap(r.ip()).getShort(4), "payload length: UDP header and data");
        assertEquals(100, r.udpPayload().length);
    }

    @Test
    void itEndsAtItsPacketLimitWithWhatItTook() throws IOException {
        Path file = dir.resolve("limit.pcap");
        PacketCapture c = start(file, Duration.ofSeconds(10), 3, "127.0.0.1", "127.0.0.1");
        for (int i = 0; i < 5; i++) {
            c.offer(packet(i, 60), 0, 60);
        }
        assertEquals(3, c.packets());
        executor.drain.run();
        assertEquals(PacketCapture.End.PACKET_LIMIT, c.ended());
        assertEquals(3, read(file).size());
        c.offer(packet(9, 60), 0, 60); // ignored once ended
        executor.drain.run();
        assertEquals(3, read(file).size());
        assertEquals(1, ends.get());
    }

    @Test
    void itEndsAtItsTimeLimit() throws IOException {
        PacketCapture c = start(dir.resolve("time.pcap"), Duration.ofSeconds(2), 1000, "127.0.0.1", "127.0.0.1");
        c.offer(packet(1, 60), 0, 60);
        nowMicros += 1_999_999;
        executor.drain.run();
        assertNull(c.ended());
        assertEquals("running", c.toJson().get("state").asText());
        nowMicros += 1;
        executor.drain.run();
        assertEquals(PacketCapture.End.TIME_LIMIT, c.ended());
        assertEquals("TIME_LIMIT", c.toJson().get("end").asText());
        assertEquals(1, c.toJson().get("packets").asLong());
    }

    @Test
    void whenTheWriterFallsBehindPacketsAreCountedNotQueuedWithoutBound() throws IOException {
        Path file = dir.resolve("busy.pcap");
        PacketCapture c = start(file, Duration.ofSeconds(10), 100_000, "127.0.0.1", "127.0.0.1");
        for (int i = 0; i < PacketCapture.SLOTS + 5; i++) {
            c.offer(packet(i, 60), 0, 60);
        }
        assertEquals(5, c.droppedBusy());
        executor.drain.run();
        c.offer(packet(1, 60), 0, 60); // the slots are free again
        assertEquals(5, c.droppedBusy());
        c.stop(PacketCapture.End.STOPPED);
        executor.drain.run();
        assertEquals(PacketCapture.SLOTS + 1, read(file).size());
    }

    @Test
    void anOversizedPacketIsCutAndCounted() throws IOException {
        Path file = dir.resolve("big.pcap");
        PacketCapture c = start(file);
        c.offer(new byte[3000], 0, 3000);
        c.stop(PacketCapture.End.STOPPED);
        executor.drain.run();
        assertEquals(PacketCapture.MAX_PACKET, read(file).get(0).udpPayload().length);
        assertEquals(1, c.toJson().get("truncated").asLong());
    }

    @Test
    void anExistingFileIsNeverOverwritten() throws IOException {
        Path file = dir.resolve("taken.pcap");
        Files.writeString(file, "somebody's");
        assertThrows(FileAlreadyExistsException.class, () -> start(file));
        assertEquals("somebody's", Files.readString(file));
        assertFalse(executor.drain != null, "nothing scheduled");
    }
}
