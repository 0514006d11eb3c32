package dev.chorus.testkit.netsim;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One direction of a {@link ProxyFlow}: its {@link ImpairedLink} (offered to by the receiving thread only) and its
 * counters (written by the receiving and the sending thread, read by anyone).
 */
final class FlowDirection {
    final ImpairedLink link;
    final AtomicLong received = new AtomicLong();
    final AtomicLong delivered = new AtomicLong();
    final AtomicLong droppedLoss = new AtomicLong();
    final AtomicLong droppedQueue = new AtomicLong();
    final AtomicLong droppedOverflow = new AtomicLong();
    final AtomicLong bytesReceived = new AtomicLong();
    final AtomicLong bytesDelivered = new AtomicLong();
    final AtomicLong sendErrors = new AtomicLong();
    final AtomicLong readErrors = new AtomicLong();
    final AtomicLong droppedForeign = new AtomicLong();
    final AtomicInteger queued = new AtomicInteger();

    FlowDirection(ImpairedLink link) {
        this.link = link;
    }

    FlowStats.Direction snapshot() {
        return new FlowStats.Direction(
                received.get(),
                delivered.get(),
                droppedLoss.get(),
                droppedQueue.get(),
                droppedOverflow.get(),
                bytesReceived.get(),
                bytesDelivered.get(),
                queued.get());
    }

    ObjectNode toJson(JsonNodeFactory jf) {
        ObjectNode n = jf.objectNode();
        n.put("impairment", link.impairment().toSpec());
        n.put("received", received.get());
        n.put("delivered", delivered.get());
        n.put("droppedLoss", droppedLoss.get());
        n.put("droppedQueue", droppedQueue.get());
        n.put("droppedOverflow", droppedOverflow.get());
        n.put("bytesReceived", bytesReceived.get());
        n.put("bytesDelivered", bytesDelivered.get());
        n.put("queued", queued.get());
        n.put("sendErrors", sendErrors.get());
        n.put("readErrors", readErrors.get());
        n.put("droppedForeign", droppedForeign.get());
        return n;
    }
}
