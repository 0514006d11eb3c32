package dev.chorus.sfu.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One accepted ICE-TCP connection of the {@link IceTcpListener}: an RFC 4571 framer for what it reads, a bounded
 * framed output buffer for what ice4j sends on it, the {@link TcpIceSocket} ice4j sees, and the transport it is bound
 * to once its first STUN frame named a live session. Reads and OP_WRITE flushes happen on the selector thread;
 * {@link #send} may come from any thread (ice4j's STUN stack, the DTLS thread, media workers).
 */
final class IceTcpConnection {
    private static final Logger LOG = LoggerFactory.getLogger(IceTcpConnection.class);

    /**
     * Framed bytes queued in user space towards one slow client, on top of the kernel's socket buffer, before sends
     * fail (counted as send overflow). Allocated at the first send, so connections that never bind cost only their
     * framer.
     */
    static final int SEND_BUFFER = 64 * 1024;

    final SocketChannel channel;
    final InetSocketAddress remote;
    final InetSocketAddress local;
    final long acceptedNanos = System.nanoTime();
    final Rfc4571Framer framer;
    final TcpIceSocket socket;
    private final IceTcpListener listener;
    /** Set on the selector thread when the first frame binds the connection. */
    volatile IceTcpAttachment attachment;

    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean stunDetached = new AtomicBoolean();
    SelectionKey key;
    /** Guarded by this. Write mode between calls; null until the first send. */
    private ByteBuffer out;

    private final byte[] header = new byte[2];
    private boolean writeInterest;

    IceTcpConnection(IceTcpListener listener, SocketChannel channel, InetSocketAddress remote) throws IOException {
        this.listener = listener;
        this.channel = channel;
        this.remote = remote;
        this.local = (InetSocketAddress) channel.getLocalAddress();
        this.framer = new Rfc4571Framer(IceTcpListener.MAX_FRAME, (b, o, l) -> listener.onFrame(this, b, o, l));
        this.socket = new TcpIceSocket(this);
    }

    boolean isClosed() {
        return closed.get();
    }

    /** Frames and queues {@code buf[off..off+len)}, writing at once what the socket takes. Thread-safe. */
    synchronized void send(byte[] buf, int off, int len) throws IOException {
        if (closed.get()) {
            throw new SocketException("ICE-TCP connection closed");
        }
        if (len > 65535) {
            throw new IOException("packet of " + len + " bytes cannot be framed (RFC 4571 limit 65535)");
        }
        if (out == null) {
            out = ByteBuffer.allocate(SEND_BUFFER);
        }
        if (out.remaining() < len + 2) {
            listener.countSendOverflow();
            throw new IOException("ICE-TCP send buffer full towards " + remote);
        }
        Rfc4571Framer.writeHeader(header, 0, len);
        out.put(header, 0, 2).put(buf, off, len);
        flushLocked();
        if (out.position() > 0 && !writeInterest) {
            writeInterest = true;
            listener.wantWrite(this);
        }
    }

    private void flushLocked() throws IOException {
        out.flip();
        try {
            channel.write(out);
        } finally {
            out.compact();
        }
    }

    /** Selector thread, on OP_WRITE. */
    synchronized void flushFromSelector() {
        if (out == null) {
            return;
        }
        try {
            flushLocked();
        } catch (IOException e) {
            close(); // takes no monitor but the listener's set: safe with ours held
            return;
        }
        if (out.position() == 0 && key.isValid()) {
            writeInterest = false;
            key.interestOps(SelectionKey.OP_READ);
        }
    }

    /** Selector thread. */
    void enableWriteInterest() {
        if (key.isValid()) {
            key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        }
    }

    /** Any thread; idempotent. Detaches from the transport's STUN stack first, then closes the channel. */
    void close() {
        IceTcpAttachment t = attachment;
        if (t != null && stunDetached.compareAndSet(false, true)) {
            // Stop ice4j's reader of this connection first, so it takes the close as an orderly stop rather than
            // logging it as a socket failure; it calls back here through TcpIceSocket.close().
            try {
                t.detach(socket);
            } catch (RuntimeException e) {
                LOG.debug("detaching ICE-TCP connection from {} failed", remote, e);
            }
        }
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        listener.connectionClosed(this);
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing
        }
        socket.closeStunQueue();
    }
}
