package dev.chorus.sfu.transport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread that reads the sockets of every CLIENT transport with {@link TransportConfig#sharedClientReads()}: a
 * selector over their non-blocking channels, each ready channel drained (up to {@link #BURST} datagrams, then the
 * next, so one busy client cannot starve the others) into one reused buffer and handed to its
 * {@link ClientUdpSocket}. Under load a wake-up then serves many datagrams of many clients, where a thread per client
 * costs a wake-up per datagram. No allocation per datagram (the channel reuses the sender's address while it stays
 * the same). A closed channel leaves the selector by itself.
 *
 * <p>With a pause ({@code -Dchorus.transport.clientReadPauseMicros}, 0 by default) the thread sleeps that long after
 * each round, so that under load one wake-up finds many datagrams waiting: fewer wake-ups for at most that much more
 * delay on each datagram (a load generator's choice; it adds to the latency its bots measure).
 */
final class ClientReadLoop {
    private static final Logger LOG = LoggerFactory.getLogger(ClientReadLoop.class);
    /** Datagrams read from one channel before the loop moves on to the next ready one. */
    static final int BURST = 32;

    private final Selector selector;
    private final Queue<ClientUdpSocket> joining = new ConcurrentLinkedQueue<>();
    private final ByteBuffer buffer = ByteBuffer.allocate(Ice4jSetup.BUFFER_CAPACITY);
    private final AtomicLong wakeups = new AtomicLong();
    private final AtomicLong datagrams = new AtomicLong();
    private final long pauseNanos;

    ClientReadLoop(String name, long pauseNanos) {
        this.pauseNanos = pauseNanos;
        try {
            selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector for the client reads", e);
        }
        Thread t = new Thread(this::run, name);
        t.setDaemon(true);
        t.start();
    }

    /** Starts reading {@code socket} (attached first). Any thread. */
    void add(ClientUdpSocket socket) {
        joining.add(socket);
        selector.wakeup(); // registering from here could wait for a select in progress
    }

    /** Times the selector woke up with channels ready, and the datagrams read: datagrams per wake-up. */
    long wakeups() {
        return wakeups.get();
    }

    long datagrams() {
        return datagrams.get();
    }

    private void run() {
        while (true) {
            try {
                selector.select(this::ready);
                join();
                if (pauseNanos > 0) {
                    LockSupport.parkNanos(pauseNanos);
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("client read loop: select failed", e);
            }
        }
    }

    private void join() {
        ClientUdpSocket s;
        while ((s = joining.poll()) != null) {
            try {
                s.channel.register(selector, SelectionKey.OP_READ, s);
            } catch (ClosedChannelException e) {
                // closed before it was read: nothing to do
            }
        }
    }

    private void ready(SelectionKey key) {
        ClientUdpSocket s = (ClientUdpSocket) key.attachment();
        wakeups.incrementAndGet();
        byte[] array = buffer.array();
        for (int i = 0; i < BURST; i++) {
            buffer.clear();
            SocketAddress from;
            try {
                from = s.channel.receive(buffer);
            } catch (IOException e) {
                key.cancel(); // closed under us
                return;
            }
            if (from == null) {
                return; // drained
            }
            datagrams.incrementAndGet();
            try {
                s.deliver(array, buffer.position(), from);
            } catch (RuntimeException e) {
                LOG.debug("client read loop: delivery failed", e);
            }
        }
    }
}
