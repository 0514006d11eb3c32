package dev.chorus.sfu.transport;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.tls.DatagramTransport;

/**
 * Bouncy Castle's view of the demuxed socket: DTLS records pushed in by the packet thread
 * ({@link #offer}, never blocks, bounded), taken out by the handshake thread ({@link #receive}, with
 * BC's timeout). Sends go straight to the ICE selected pair.
 */
final class DtlsPacketQueue implements DatagramTransport {
    /**
     * Generous for a handshake flight (a few records) and a burst of retransmissions, and for a data-channel burst
     * (an SCTP congestion window of records) while the drain thread catches up.
     */
    static final int CAPACITY = 256;
    /** Conservative MTU for what we send: fits IPv6 + TURN/TCP encapsulation paths. */
    static final int SEND_LIMIT = 1200;

    static final int RECEIVE_LIMIT = 1500;
    private static final byte[] POISON = new byte[0];

    interface Sender {
        void sendDtls(byte[] buf, int off, int len) throws IOException;
    }

    private final ArrayBlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(CAPACITY);
    private final Sender sender;
    private volatile boolean closed;

    DtlsPacketQueue(Sender sender) {
        this.sender = sender;
    }

    /** Copies the record in; false when full or closed (the caller counts the drop). */
    boolean offer(byte[] buf, int off, int len) {
        if (closed) {
            return false;
        }
        byte[] copy = new byte[len];
        System.arraycopy(buf, off, copy, 0, len);
        return queue.offer(copy);
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }

    @Override
    public int getReceiveLimit() {
        return RECEIVE_LIMIT;
    }

    @Override
    public int getSendLimit() {
        return SEND_LIMIT;
    }

    /** Returns the record length, or -1 if nothing arrived within {@code waitMillis}. */
    @Override
    public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
        if (closed) {
            throw new IOException("transport closed");
        }
        byte[] p;
        try {
            p = queue.poll(Math.max(0, waitMillis), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        }
        if (p == null) {
            return -1;
        }
        if (p == POISON || closed) {
            queue.offer(POISON); // wake any other waiter too
            throw new IOException("transport closed");
        }
        int n = Math.min(len, p.length);
        System.arraycopy(p, 0, buf, off, n);
        return n;
    }

    @Override
    public void send(byte[] buf, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("transport closed");
        }
        sender.sendDtls(buf, off, len);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            queue.clear();
            queue.offer(POISON);
        }
    }
}
