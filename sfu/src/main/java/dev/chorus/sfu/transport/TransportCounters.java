package dev.chorus.sfu.transport;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.drop.DropReason;
import dev.chorus.sfu.drop.DropStage;
import dev.chorus.sfu.drop.SharedDropCounters;
import java.util.concurrent.atomic.LongAdder;

/**
 * The one set of counters of one {@link WebRtcTransport}, shared by all its parts: datagrams and bytes as on the
 * wire (SRTP and DTLS; STUN is ice4j's), decrypted RTP/RTCP in, protected RTP/RTCP out, DTLS records in, and every
 * drop by {@link DropReason} (stage TRANSPORT). Written from any thread (LongAdder), read for /debug and totals.
 */
final class TransportCounters {
    final LongAdder packetsIn = new LongAdder();
    final LongAdder bytesIn = new LongAdder();
    final LongAdder packetsOut = new LongAdder();
    final LongAdder bytesOut = new LongAdder();
    final LongAdder rtpIn = new LongAdder();
    final LongAdder rtcpIn = new LongAdder();
    /** RTP delivered with its payload still encrypted and unauthenticated (a CLIENT's sampling mode); not in rtpIn. */
    final LongAdder rtpInUndecrypted = new LongAdder();

    final LongAdder rtpOut = new LongAdder();
    final LongAdder rtcpOut = new LongAdder();
    final LongAdder dtlsIn = new LongAdder();
    private final SharedDropCounters drops = new SharedDropCounters(DropStage.TRANSPORT);

    void drop(DropReason reason) {
        drops.increment(reason);
    }

    long drops(DropReason reason) {
        return drops.get(reason);
    }

    ObjectNode dropsJson() {
        return drops.toJson();
    }

    ObjectNode toJson() {
        ObjectNode c = JsonNodeFactory.instance.objectNode();
        c.put("packetsIn", packetsIn.sum());
        c.put("bytesIn", bytesIn.sum());
        c.put("packetsOut", packetsOut.sum());
        c.put("bytesOut", bytesOut.sum());
        c.put("rtpIn", rtpIn.sum());
        c.put("rtcpIn", rtcpIn.sum());
        c.put("rtpInUndecrypted", rtpInUndecrypted.sum());
        c.put("rtpOut", rtpOut.sum());
        c.put("rtcpOut", rtcpOut.sum());
        c.put("dtlsIn", dtlsIn.sum());
        return c;
    }
}
