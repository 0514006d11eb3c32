package dev.chorus.sfu.capture;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.collect.MpmcArrayQueue;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running capture of the decrypted packets a participant sends. The transport's packet thread calls
 * {@link #offer}, which copies the packet into a free slot (all allocated when the capture starts) and queues it; a
 * task on the writer executor drains the queue into a {@link PcapWriter} every {@link #DRAIN_INTERVAL_MS} ms, ends
 * the capture at its limits, and closes the file. No packet-thread allocation, lock or I/O: with no slot free the
 * packet is counted ({@code droppedBusy}) and not captured. The participant's own media never waits for the capture.
 */
public final class PacketCapture {
    private static final Logger LOG = LoggerFactory.getLogger(PacketCapture.class);

    /** Why a capture ended. */
    public enum End {
        PACKET_LIMIT,
        TIME_LIMIT,
        STOPPED,
        SESSION_ENDED,
        WRITE_FAILED
    }

    /** How long a capture runs at most, and how many packets it takes at most. */
    public record Limits(Duration maxTime, long maxPackets) {
        public Limits {
            if (maxTime.isNegative() || maxTime.isZero() || maxPackets < 1) {
                throw new IllegalArgumentException("a capture needs a positive time and packet limit");
            }
        }
    }

    static final int SLOTS = 1024;
    /** The largest packet captured whole; a pooled packet buffer is this size, so nothing forwarded is larger. */
    static final int MAX_PACKET = 1600;

    static final long DRAIN_INTERVAL_MS = 20;

    private static final class Slot {
        final byte[] data = new byte[MAX_PACKET];
        int len;
        long micros;
    }

    private final Path file;
    private final Limits limits;
    private final PcapWriter writer;
    private final LongSupplier epochMicros;
    private final Consumer<PacketCapture> onEnd;
    private final long startedMicros;
    private final MpmcArrayQueue<Slot> free = new MpmcArrayQueue<>(SLOTS);
    private final MpmcArrayQueue<Slot> filled = new MpmcArrayQueue<>(SLOTS);
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong droppedBusy = new AtomicLong();
    private final AtomicLong truncated = new AtomicLong();
    private volatile End endRequested;
    /** Set by the writer once the file is closed. */
    private volatile End ended;

    /** Records in the file (writer thread; read by others once ended). */
    private volatile long written;

    private long bytesWritten;
    private volatile ScheduledFuture<?> drain;

    private PacketCapture(
            Path file, Limits limits, PcapWriter writer, LongSupplier epochMicros, Consumer<PacketCapture> onEnd) {
        this.file = file;
        this.limits = limits;
        this.writer = writer;
        this.epochMicros = epochMicros;
        this.onEnd = onEnd;
        this.startedMicros = epochMicros.getAsLong();
        for (int i = 0; i < SLOTS; i++) {
            free.offer(new Slot());
        }
    }

    /**
     * Creates {@code file} (it must not exist) and starts draining into it on {@code executor}.
     *
     * @param from        the participant's address as the records show it
     * @param to          the server's address as the records show it
     * @param epochMicros the wall clock in microseconds (record times and the time limit)
     * @param onEnd       told once, on the writer executor, after the file is closed
     */
    public static PacketCapture start(
            Path file,
            InetSocketAddress from,
            InetSocketAddress to,
            Limits limits,
            ScheduledExecutorService executor,
            LongSupplier epochMicros,
            Consumer<PacketCapture> onEnd)
            throws IOException {
        OutputStream out = new BufferedOutputStream(
                Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), 64 * 1024);
        PcapWriter w;
        try {
            w = new PcapWriter(out, from, to);
        } catch (IOException | RuntimeException e) {
            out.close();
            throw e;
        }
        PacketCapture c = new PacketCapture(file, limits, w, epochMicros, onEnd);
        c.drain = executor.scheduleWithFixedDelay(
                c::drainOnce, DRAIN_INTERVAL_MS, DRAIN_INTERVAL_MS, TimeUnit.MILLISECONDS);
        return c;
    }

    /** A decrypted packet the participant sent; packet thread. Longer ones are cut to {@link #MAX_PACKET}. */
    public void offer(byte[] buf, int off, int len) {
        if (endRequested != null) {
            return;
        }
        if (accepted.get() >= limits.maxPackets()) {
            stop(End.PACKET_LIMIT);
            return;
        }
        Slot s = free.poll();
        if (s == null) {
            droppedBusy.incrementAndGet();
            return;
        }
        int n = Math.min(len, MAX_PACKET);
        if (n < len) {
            truncated.incrementAndGet();
        }
        System.arraycopy(buf, off, s.data, 0, n);
        s.len = n;
        s.micros = epochMicros.getAsLong();
        accepted.incrementAndGet();
        filled.offer(s); // never full: there are as many slots as places
    }

    /** Asks the capture to end: what is queued is still written, then the file is closed. Any thread; idempotent. */
    public void stop(End why) {
        if (endRequested == null) {
            endRequested = why;
        }
    }

    /** The writer executor's task: write what is queued, then end the capture if it is due. */
    void drainOnce() {
        if (ended != null) {
            return;
        }
        try {
            Slot s;
            while ((s = filled.poll()) != null) {
                writer.write(s.micros, s.data, 0, s.len);
                written++;
                bytesWritten += s.len;
                free.offer(s);
            }
            writer.flush();
        } catch (IOException e) {
            LOG.warn("capture {} cannot be written; ended", file, e);
            stop(End.WRITE_FAILED);
        }
        if (endRequested == null
                && epochMicros.getAsLong() - startedMicros >= limits.maxTime().toNanos() / 1000) {
            stop(End.TIME_LIMIT);
        }
        if (endRequested != null) {
            finish();
        }
    }

    private void finish() {
        try {
            writer.close();
        } catch (IOException e) {
            LOG.warn("capture {} cannot be closed", file, e);
        }
        ended = endRequested;
        drain.cancel(false);
        LOG.info("capture {} ended ({}): {} packets, {} bytes", file, ended, written, bytesWritten);
        onEnd.accept(this);
    }

    public Path file() {
        return file;
    }

    /** True once the file is closed. */
    public boolean isEnded() {
        return ended != null;
    }

    /** The reason it ended, or null while it runs. */
    public End ended() {
        return ended;
    }

    /**
     * Packets taken so far (written or queued); once ended, the records in the file: a packet the packet thread was
     * copying as the capture ended is not in it.
     */
    public long packets() {
        return ended != null ? written : accepted.get();
    }

    /** Packets not taken because every slot was queued: the writer fell behind. */
    public long droppedBusy() {
        return droppedBusy.get();
    }

    /** State for the API and /debug. */
    public ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("file", file.toString());
        n.put("state", ended == null ? "running" : "ended");
        if (ended != null) {
            n.put("end", ended.name());
        }
        n.put("startedAtMicros", startedMicros);
        n.put("maxSeconds", limits.maxTime().toSeconds());
        n.put("maxPackets", limits.maxPackets());
        n.put("packets", packets());
        n.put("droppedBusy", droppedBusy.get());
        n.put("truncated", truncated.get());
        return n;
    }
}
