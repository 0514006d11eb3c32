package dev.chorus.testkit.peer;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.chorus.sfu.codec.Vp8Payload;
import dev.chorus.sfu.rtp.BigEndian;
import dev.chorus.sfu.rtp.RtpPacket;
import dev.chorus.sfu.rtp.RtpValidity;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.LongSupplier;

/**
 * Counts the RTP the peer receives, per SSRC. {@link #onRtp} runs on the transport's reader thread; the
 * rest is safe from any thread. SSRCs are counted whether or not an answer announced them, up to
 * {@link #MAX_SSRCS}, so a test can see traffic that arrives on an SSRC it did not expect. Arrival times
 * (for {@link ReceiveStats#longestFreezeMillis()} and the {@link RtpListener}) come from a clock a test can
 * replace.
 */
final class ReceivedStreams {
    static final int MAX_SSRCS = 256;

    private final ConcurrentMap<Long, ReceiveStats> bySsrc = new ConcurrentHashMap<>();
    private final RtpPacket packet = new RtpPacket();
    private final Vp8Descriptor descriptor = new Vp8Descriptor();
    private final LongSupplier nanoClock;
    /** Payload types negotiated for VP8, whose packets are checked for key frame starts. */
    private volatile Set<Integer> vp8PayloadTypes = Set.of();

    private volatile long packets;
    private volatile long bytes;
    private volatile long invalid;
    /** Of {@link #packets}: those counted from their clear header alone. */
    private volatile long undecrypted;

    private volatile long overflow;
    private volatile RtpListener listener;

    ReceivedStreams() {
        this(System::nanoTime);
    }

    /** {@code nanoClock}: arrival time in nanoseconds, {@link System#nanoTime()} outside tests. */
    ReceivedStreams(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    void listener(RtpListener l) {
        this.listener = l;
    }

    void vp8PayloadTypes(Set<Integer> payloadTypes) {
        this.vp8PayloadTypes = Set.copyOf(payloadTypes);
    }

    /** Reader thread only. */
    void onRtp(byte[] buf, int off, int len) {
        if (packet.wrap(buf, off, len) != RtpValidity.OK) {
            invalid++;
            return;
        }
        packets++;
        bytes += len;
        long ssrc = packet.ssrc();
        long nanos = nanoClock.getAsLong();
        // Count first, so a listener that wakes a test thread finds the counters already up to date.
        ReceiveStats stats = statsFor(ssrc);
        if (stats != null) {
            int pt = packet.payloadType();
            int at = packet.payloadOffset();
            int n = packet.payloadLength();
            boolean vp8 = vp8PayloadTypes.contains(pt);
            boolean key = vp8 && Vp8Payload.isKeyframeStart(buf, at, n);
            Vp8Descriptor d = vp8 && descriptor.read(buf, at, n) ? descriptor : null;
            stats.record(
                    len,
                    packet.sequenceNumber(),
                    packet.timestamp(),
                    pt,
                    packet.marker(),
                    key,
                    nanos,
                    d,
                    PayloadStamp.layer(buf, at, n));
        }
        RtpListener l = listener;
        if (l != null) {
            l.onRtp(
                    nanos,
                    ssrc,
                    packet.sequenceNumber(),
                    packet.timestamp(),
                    packet.payloadType(),
                    packet.marker(),
                    buf,
                    packet.payloadOffset(),
                    packet.payloadLength());
            l.onRtpPacket(nanos, packet);
        }
    }

    /**
     * Reader thread only: an RTP packet whose payload is still encrypted. It counts like any other (packets, bytes,
     * sequence numbers, timestamps, markers) from its clear header; what only the payload tells (key frames, VP8
     * frames, the stamped layer) is not known for it. A header too short or malformed counts as invalid.
     */
    void onUndecryptedRtp(byte[] buf, int off, int len) {
        // Fixed header, CSRCs and (RFC 3550 5.3.1) an extension block must fit; the padding count is encrypted.
        if (len < 12 || (buf[off] & 0xC0) != 0x80) {
            invalid++;
            return;
        }
        int at = 12 + 4 * (buf[off] & 0x0F);
        if ((buf[off] & 0x10) != 0) {
            if (len < at + 4) {
                invalid++;
                return;
            }
            at += 4 + 4 * (((buf[off + at + 2] & 0xFF) << 8) | (buf[off + at + 3] & 0xFF));
        }
        if (at > len) {
            invalid++;
            return;
        }
        packets++;
        undecrypted++;
        bytes += len;
        long ssrc = BigEndian.u32(buf, off + 8);
        int seq = BigEndian.u16(buf, off + 2);
        long ts = BigEndian.u32(buf, off + 4);
        int pt = buf[off + 1] & 0x7F;
        boolean marker = (buf[off + 1] & 0x80) != 0;
        long nanos = nanoClock.getAsLong();
        ReceiveStats stats = statsFor(ssrc);
        if (stats != null) {
            stats.record(len, seq, ts, pt, marker, false, nanos, null, -1);
        }
        RtpListener l = listener;
        if (l != null) {
            l.onUndecryptedRtp(nanos, ssrc, seq, ts, pt, marker);
        }
    }

    /** Starts counting {@code ssrc} before its first packet, so callers get a live, zeroed entry. */
    void register(long ssrc) {
        bySsrc.computeIfAbsent(ssrc, ReceiveStats::new);
    }

    /** The counters of {@code ssrc}, or null if it was neither registered nor seen. */
    ReceiveStats get(long ssrc) {
        return bySsrc.get(ssrc);
    }

    /** Every SSRC counted so far. */
    List<ReceiveStats> all() {
        return List.copyOf(bySsrc.values());
    }

    long packets() {
        return packets;
    }

    long bytes() {
        return bytes;
    }

    long undecrypted() {
        return undecrypted;
    }

    long invalid() {
        return invalid;
    }

    ArrayNode toJson() {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        bySsrc.values().forEach(s -> a.add(s.toJson()));
        return a;
    }

    /** The stats of {@code ssrc}, made on its first packet; null (counted as overflow) past {@link #MAX_SSRCS}. */
    private ReceiveStats statsFor(long ssrc) {
        ReceiveStats stats = bySsrc.get(ssrc);
        if (stats == null && bySsrc.size() < MAX_SSRCS) {
            stats = bySsrc.computeIfAbsent(ssrc, ReceiveStats::new);
        }
        if (stats == null) {
            overflow++;
        }
        return stats;
    }
}
