package dev.chorus.testkit.netsim;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy's sending thread ({@code chorus-netsim-tx-<port>}): packets that passed their link wait here for their
 * delivery time and then go out in delivery-time order (ties in arrival order): to the target through the flow's
 * upstream socket, or to the client from the listening socket. {@link #schedule} is called by the receiving thread.
 */
final class DeliveryScheduler implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryScheduler.class);

    private final DatagramChannel listen;
    private final InetSocketAddress localAddress;
    private final InetSocketAddress target;

    private final ReentrantLock queueLock = new ReentrantLock();
    private final Condition queueChanged = queueLock.newCondition();
    private final PriorityQueue<Scheduled> queue =
            new PriorityQueue<>(Comparator.<Scheduled>comparingLong(s -> s.due).thenComparingLong(s -> s.seq));
    private long nextSeq;
    private volatile boolean stopped;

    private static final class Scheduled {
        final long due;
        long seq;
        final ProxyFlow flow;
        final boolean toServer;
        final byte[] data;

        Scheduled(long due, ProxyFlow flow, boolean toServer, byte[] data) {
            this.due = due;
            this.flow = flow;
            this.toServer = toServer;
            this.data = data;
        }
    }

    DeliveryScheduler(DatagramChannel listen, InetSocketAddress localAddress, InetSocketAddress target) {
        this.listen = listen;
        this.localAddress = localAddress;
        this.target = target;
    }

    /** Queues a copy of a packet for delivery at {@code due} (System.nanoTime()); the direction counts it queued. */
    void schedule(long due, ProxyFlow flow, boolean toServer, byte[] data) {
        (toServer ? flow.toServer : flow.toClient).queued.incrementAndGet();
        Scheduled s = new Scheduled(due, flow, toServer, data);
        queueLock.lock();
        try {
            s.seq = nextSeq++;
            queue.add(s);
            if (queue.peek() == s) {
                queueChanged.signal();
            }
        } finally {
            queueLock.unlock();
        }
    }

    /** Ends {@link #run} soon; packets still queued are never sent. */
    void stop() {
        stopped = true;
        queueLock.lock();
        try {
            queueChanged.signalAll();
        } finally {
            queueLock.unlock();
        }
    }

    /** Forgets every queued packet (after the thread ended). */
    void clear() {
        queueLock.lock();
        try {
            queue.clear();
        } finally {
            queueLock.unlock();
        }
    }

    @Override
    public void run() {
        while (!stopped) {
            Scheduled s = nextDue();
            if (s != null) {
                deliver(s);
            }
        }
    }

    /** Waits at most until the head of the queue is due (or 500 ms when it is empty); null when nothing is due. */
    private Scheduled nextDue() {
        queueLock.lock();
        try {
            Scheduled s = queue.peek();
            if (s == null) {
                queueChanged.await(500, TimeUnit.MILLISECONDS);
                return null;
            }
            long wait = s.due - System.nanoTime();
            if (wait > 0) {
                queueChanged.awaitNanos(wait);
                return null;
            }
            return queue.poll();
        } catch (InterruptedException e) {
            return null; // close() interrupts only when the thread does not end by itself; the loop checks why
        } finally {
            queueLock.unlock();
        }
    }

    private void deliver(Scheduled s) {
        FlowDirection d = s.toServer ? s.flow.toServer : s.flow.toClient;
        d.queued.decrementAndGet();
        if (s.flow.closed) {
            d.droppedOverflow.incrementAndGet();
            return;
        }
        ByteBuffer out = ByteBuffer.wrap(s.data);
        // Counted before the send: whoever receives the packet may read the counters at once.
        d.delivered.incrementAndGet();
        d.bytesDelivered.addAndGet(s.data.length);
        try {
            if (s.toServer) {
                s.flow.upstream.send(out, target);
            } else {
                listen.send(out, s.flow.client);
            }
        } catch (ClosedChannelException e) {
            d.delivered.decrementAndGet();
            d.bytesDelivered.addAndGet(-s.data.length);
            d.droppedOverflow.incrementAndGet();
        } catch (IOException | RuntimeException e) {
            d.delivered.decrementAndGet();
            d.bytesDelivered.addAndGet(-s.data.length);
            d.droppedOverflow.incrementAndGet();
            d.sendErrors.incrementAndGet();
            LOG.debug(
                    "proxy {}: send {} for client {} failed: {}",
                    localAddress,
                    s.toServer ? "to server" : "to client",
                    s.flow.client,
                    e.toString());
        }
    }
}
