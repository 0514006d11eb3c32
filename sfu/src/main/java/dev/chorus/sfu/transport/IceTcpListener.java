package dev.chorus.sfu.transport;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.ice.CandidateTcpType;
import org.ice4j.ice.Component;
import org.ice4j.ice.LocalCandidate;
import org.ice4j.ice.TcpHostCandidate;
import org.ice4j.ice.harvest.CandidateHarvester;
import org.ice4j.ice.harvest.HarvestStatistics;
import org.ice4j.socket.IceSocketWrapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ICE over TCP (RFC 6544), passive side: one listening socket on {@link TransportConfig#bindAddress()} and
 * {@link TransportConfig#tcpPort()} shared by every server {@link WebRtcTransport}, the TCP counterpart of the
 * shared UDP socket. Each transport gets one passive TCP host candidate ("tcptype passive") on it.
 *
 * <p>Why not ice4j's {@code TcpHarvester}: it drops loopback addresses, reads each connection through a
 * thread-per-socket multiplexing stack that allocates per packet, and gives us no counter when framing goes
 * wrong. Here one selector thread accepts and reads every connection, splits the stream with
 * {@link Rfc4571Framer}, and demultiplexes each frame as the UDP path does: STUN goes to the transport's ICE
 * agent (through a small {@link IceSocketWrapper} that ice4j's STUN stack reads from and sends on), DTLS and
 * SRTP go straight to {@link WebRtcTransport} on this thread, like the UDP push path. Replies leave on the same
 * connection: ice4j's selected pair sends through the same wrapper, which frames them into a bounded
 * per-connection output buffer flushed by this thread when the socket is slow.
 *
 * <p>A connection is bound to a transport by the USERNAME (local ufrag) of its first frame, which must be a
 * STUN binding request. Connections from addresses outside {@link TransportConfig#allowedRemoteRanges()} are
 * closed at accept, before any byte is read; so are connections whose first frame names no live session, and
 * connections that send nothing bindable within {@link #BIND_TIMEOUT_MS}. Every such case is counted.
 */
final class IceTcpListener implements CandidateHarvester, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IceTcpListener.class);

    /** Largest frame accepted; WebRTC keeps packets near 1200 bytes, DTLS flights are fragmented to the MTU. */
    static final int MAX_FRAME = 4096;
    /**
     * Framed bytes queued in user space towards one slow client, on top of the kernel's socket buffer, before
     * sends fail (counted as send overflow). Allocated at the first send, so connections that never bind cost
     * only their framer.
     */
    static final int SEND_BUFFER = 64 * 1024;
    /** STUN frames waiting for ice4j's reader of one connection before more are dropped. */
    static final int STUN_QUEUE = 64;
    /** A connection not bound to a session by then is closed. */
    static final long BIND_TIMEOUT_MS = 10_000;

    private final TransportConfig config;
    private final ServerSocketChannel server;
    private final Selector selector;
    private final TransportAddress localAddress;
    private final Thread thread;
    private final byte[] readArray = new byte[16 * 1024];
    private final ByteBuffer readBuffer = ByteBuffer.wrap(readArray);
    private final Map<String, WebRtcTransport> sessions = new ConcurrentHashMap<>();
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final Queue<Connection> wantWrite = new ConcurrentLinkedQueue<>();
    private final HarvestStatistics stats = new HarvestStatistics();
    private volatile boolean closed;

    private final LongAdder accepted = new LongAdder();
    private final LongAdder rejectedRemote = new LongAdder();
    private final LongAdder unknownSession = new LongAdder();
    private final LongAdder notStunFirst = new LongAdder();
    private final LongAdder bindTimeouts = new LongAdder();
    private final LongAdder stunQueueFull = new LongAdder();
    private final LongAdder sendOverflow = new LongAdder();
    private final LongAdder framesClosed = new LongAdder();
    private final LongAdder tooLargeClosed = new LongAdder();
    private final LongAdder emptyClosed = new LongAdder();

    private IceTcpListener(TransportConfig config) throws IOException {
        this.config = config;
        this.selector = Selector.open();
        this.server = ServerSocketChannel.open();
        try {
            server.bind(new InetSocketAddress(config.bindAddress(), config.tcpPort()), 128);
            server.configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT);
        } catch (IOException | RuntimeException e) {
            server.close();
            selector.close();
            throw e;
        }
        InetSocketAddress bound = (InetSocketAddress) server.getLocalAddress();
        this.localAddress = new TransportAddress(bound.getAddress(), bound.getPort(), Transport.TCP);
        this.thread = new Thread(this::run, "chorus-ice-tcp-" + bound.getPort());
        thread.setDaemon(true);
        thread.start();
    }

    /** Binds and starts the selector thread. */
    static IceTcpListener open(TransportConfig config) throws IOException {
        return new IceTcpListener(config);
    }

    /** The bound TCP address (actual port when 0 was asked). */
    InetSocketAddress localAddress() {
        return new InetSocketAddress(localAddress.getAddress(), localAddress.getPort());
    }

    // ---------------------------------------------------------------- sessions

    void register(String localUfrag, WebRtcTransport t) {
        sessions.put(localUfrag, t);
    }

    void unregister(String localUfrag) {
        sessions.remove(localUfrag);
    }

    /** ice4j harvest: one passive TCP host candidate on the listening address, per component. */
    @Override
    public Collection<LocalCandidate> harvest(Component component) {
        TcpHostCandidate c = new TcpHostCandidate(localAddress, component);
        c.setTcpType(CandidateTcpType.PASSIVE);
        component.addLocalCandidate(c);
        return List.of(c);
    }

    @Override
    public HarvestStatistics getHarvestStatistics() {
        return stats;
    }

    @Override
    public boolean isHostHarvester() {
        return true;
    }

    // ---------------------------------------------------------------- selector thread

    private void run() {
        long lastSweep = System.nanoTime();
        while (!closed) {
            try {
                selector.select(1000);
                if (closed) {
                    break;
                }
                for (Connection c; (c = wantWrite.poll()) != null; ) {
                    c.enableWriteInterest();
                }
                Set<SelectionKey> keys = selector.selectedKeys();
                for (SelectionKey key : keys) {
                    if (!key.isValid()) {
                        continue;
                    }
                    if (key.isAcceptable()) {
                        accept();
                    } else {
                        Connection c = (Connection) key.attachment();
                        if (key.isWritable()) {
                            c.flushFromSelector();
                        }
                        if (key.isValid() && key.isReadable()) {
                            read(c);
                        }
                    }
                }
                keys.clear();
                long now = System.nanoTime();
                if (now - lastSweep > TimeUnit.SECONDS.toNanos(1)) {
                    lastSweep = now;
                    sweepUnbound(now);
                }
            } catch (IOException | RuntimeException e) {
                if (!closed) {
                    LOG.warn("ICE-TCP selector loop error on {}", localAddress, e);
                }
            }
        }
    }

    private void accept() throws IOException {
        SocketChannel ch;
        while ((ch = server.accept()) != null) {
            InetSocketAddress remote = (InetSocketAddress) ch.getRemoteAddress();
            if (!config.isAllowed(remote.getAddress())) {
                rejectedRemote.increment();
                LOG.debug("ICE-TCP connection from {} refused: not an allowed remote", remote);
                ch.close();
                continue;
            }
            try {
                ch.configureBlocking(false);
                ch.socket().setTcpNoDelay(true);
                Connection c = new Connection(ch, remote);
                c.key = ch.register(selector, SelectionKey.OP_READ, c);
                connections.add(c);
                accepted.increment();
            } catch (IOException e) {
                ch.close();
            }
        }
    }

    private void read(Connection c) {
        int n;
        try {
            readBuffer.clear();
            n = c.channel.read(readBuffer);
        } catch (IOException e) {
            n = -1;
        }
        if (n < 0) {
            c.close();
            return;
        }
        if (n > 0) {
            c.framer.feed(readArray, 0, n);
        }
    }

    private void sweepUnbound(long now) {
        for (Connection c : connections) {
            if (c.transport == null && now - c.acceptedNanos > TimeUnit.MILLISECONDS.toNanos(BIND_TIMEOUT_MS)) {
                bindTimeouts.increment();
                c.close();
            }
        }
    }

    /** One frame of {@code c}, on the selector thread. */
    private void onFrame(Connection c, byte[] buf, int off, int len) {
        boolean stun = len >= 20 && (buf[off] & 0xff) < 4;
        WebRtcTransport t = c.transport;
        if (t == null) {
            if (!stun || c.closed) {
                notStunFirst.increment();
                c.close();
                return;
            }
            String ufrag = localUfragOf(buf, off, len);
            t = ufrag == null ? null : sessions.get(ufrag);
            if (t == null || !t.attachTcp(c.socket)) {
                unknownSession.increment();
                LOG.debug("ICE-TCP connection from {} closed: no session for ufrag {}", c.remote, ufrag);
                c.close();
                return;
            }
            c.transport = t;
        }
        if (stun) {
            if (!c.socket.stunIn.offer(java.util.Arrays.copyOfRange(buf, off, off + len))) {
                stunQueueFull.increment();
            }
        } else {
            t.receiveTcp(buf, off, len);
        }
    }

    /**
     * The local ufrag from a STUN binding request's USERNAME ("local:remote"), or null if {@code buf} is not a
     * binding request with one. Bounds-checked: any malformed message gives null.
     */
    static String localUfragOf(byte[] buf, int off, int len) {
        if (len < 20 || buf[off] != 0 || buf[off + 1] != 1) {
            return null; // not a binding request
        }
        if ((buf[off + 4] & 0xff) != 0x21 || (buf[off + 5] & 0xff) != 0x12 || (buf[off + 6] & 0xff) != 0xA4
                || (buf[off + 7] & 0xff) != 0x42) {
            return null; // no magic cookie
        }
        int msgLen = ((buf[off + 2] & 0xff) << 8) | (buf[off + 3] & 0xff);
        int end = off + Math.min(len, 20 + msgLen);
        int i = off + 20;
        while (i + 4 <= end) {
            int type = ((buf[i] & 0xff) << 8) | (buf[i + 1] & 0xff);
            int alen = ((buf[i + 2] & 0xff) << 8) | (buf[i + 3] & 0xff);
            if (i + 4 + alen > end) {
                return null;
            }
            if (type == 0x0006) {
                String user = new String(buf, i + 4, alen, StandardCharsets.UTF_8);
                int colon = user.indexOf(':');
                return colon <= 0 ? null : user.substring(0, colon);
            }
            i += 4 + ((alen + 3) & ~3);
        }
        return null;
    }

    // ---------------------------------------------------------------- state

    int connectionCount() {
        return connections.size();
    }

    long rejectedConnections() {
        return rejectedRemote.sum();
    }

    long framesTooLarge() {
        long n = tooLargeClosed.sum();
        for (Connection c : connections) {
            n += c.framer.framesTooLarge();
        }
        return n;
    }

    long sendOverflows() {
        return sendOverflow.sum();
    }

    ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("address", localAddress.toString());
        o.put("connections", connections.size());
        o.put("sessions", sessions.size());
        o.put("accepted", accepted.sum());
        long frames = framesClosed.sum();
        long empty = emptyClosed.sum();
        for (Connection c : connections) {
            frames += c.framer.frames();
            empty += c.framer.emptyFrames();
        }
        o.put("frames", frames);
        ObjectNode d = o.putObject("drops");
        d.put("REMOTE_ADDRESS_NOT_ALLOWED", rejectedRemote.sum());
        d.put("UNKNOWN_SESSION", unknownSession.sum());
        d.put("FIRST_FRAME_NOT_STUN", notStunFirst.sum());
        d.put("BIND_TIMEOUT", bindTimeouts.sum());
        d.put("FRAME_TOO_LARGE", framesTooLarge());
        d.put("EMPTY_FRAME", empty);
        d.put("STUN_QUEUE_FULL", stunQueueFull.sum());
        d.put("SEND_OVERFLOW", sendOverflow.sum());
        return o;
    }

    boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        selector.wakeup();
        for (Connection c : List.copyOf(connections)) {
            c.close();
        }
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        try {
            thread.join(2000);
            selector.close();
        } catch (IOException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---------------------------------------------------------------- one connection

    /** One accepted TCP connection: framer in, bounded framed buffer out. */
    final class Connection {
        final SocketChannel channel;
        final InetSocketAddress remote;
        final InetSocketAddress local;
        final long acceptedNanos = System.nanoTime();
        final Rfc4571Framer framer;
        final TcpIceSocket socket;
        /** Set on the selector thread when the first frame binds the connection. */
        volatile WebRtcTransport transport;
        volatile boolean closed;
        SelectionKey key;
        /** Guarded by this. Write mode between calls; null until the first send. */
        private ByteBuffer out;
        private final byte[] header = new byte[2];
        private boolean writeInterest;
        private final java.util.concurrent.atomic.AtomicBoolean stunDetached =
                new java.util.concurrent.atomic.AtomicBoolean();

        Connection(SocketChannel channel, InetSocketAddress remote) throws IOException {
            this.channel = channel;
            this.remote = remote;
            this.local = (InetSocketAddress) channel.getLocalAddress();
            this.framer = new Rfc4571Framer(MAX_FRAME, (b, o, l) -> onFrame(this, b, o, l));
            this.socket = new TcpIceSocket(this);
        }

        /** Frames and queues {@code buf[off..off+len)}, writing at once what the socket takes. Thread-safe. */
        synchronized void send(byte[] buf, int off, int len) throws IOException {
            if (closed) {
                throw new SocketException("ICE-TCP connection closed");
            }
            if (len > 65535) {
                throw new IOException("packet of " + len + " bytes cannot be framed (RFC 4571 limit 65535)");
            }
            if (out == null) {
                out = ByteBuffer.allocate(SEND_BUFFER);
            }
            if (out.remaining() < len + 2) {
                sendOverflow.increment();
                throw new IOException("ICE-TCP send buffer full towards " + remote);
            }
            Rfc4571Framer.writeHeader(header, 0, len);
            out.put(header, 0, 2).put(buf, off, len);
            flushLocked();
            if (out.position() > 0 && !writeInterest) {
                writeInterest = true;
                wantWrite.add(this);
                selector.wakeup();
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
                closeLater();
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

        private void closeLater() {
            // called with the monitor held; close() takes no monitor, so this is safe
            close();
        }

        void close() {
            WebRtcTransport t = transport;
            if (t != null && stunDetached.compareAndSet(false, true)) {
                // Stop ice4j's reader of this connection first, so it takes the close as an orderly stop rather
                // than logging it as a socket failure; it calls back here through TcpIceSocket.close().
                try {
                    t.detachTcp(socket);
                } catch (RuntimeException e) {
                    LOG.debug("detaching ICE-TCP connection from {} failed", remote, e);
                }
            }
            if (closed) {
                return;
            }
            closed = true;
            if (connections.remove(this)) {
                framesClosed.add(framer.frames());
                tooLargeClosed.add(framer.framesTooLarge());
                emptyClosed.add(framer.emptyFrames());
            }
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing
            }
            socket.stunIn.clear();
            socket.stunIn.offer(TcpIceSocket.CLOSED);
        }
    }

    /**
     * What ice4j sees of one connection: its STUN stack reads STUN frames from {@link #receive} (one ice4j
     * reader thread per connection, as with ice4j's own TCP candidates), and everything ice4j sends (STUN, and
     * the selected pair's DTLS/SRTP through {@code Component.send}) goes through {@link #send} into the
     * connection's framed output.
     */
    static final class TcpIceSocket extends IceSocketWrapper {
        static final byte[] CLOSED = new byte[0];
        final Connection connection;
        final ArrayBlockingQueue<byte[]> stunIn = new ArrayBlockingQueue<>(STUN_QUEUE + 1);

        TcpIceSocket(Connection connection) {
            this.connection = connection;
        }

        TransportAddress remoteTransportAddress() {
            return new TransportAddress(connection.remote.getAddress(), connection.remote.getPort(), Transport.TCP);
        }

        @Override
        public void send(DatagramPacket p) throws IOException {
            connection.send(p.getData(), p.getOffset(), p.getLength());
        }

        @Override
        public void receive(DatagramPacket p) throws IOException {
            byte[] m;
            try {
                m = stunIn.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SocketException("interrupted");
            }
            if (m == CLOSED) {
                stunIn.offer(CLOSED); // every later receive fails too
                throw new SocketException("ICE-TCP connection closed");
            }
            int n = Math.min(m.length, p.getData().length - p.getOffset());
            System.arraycopy(m, 0, p.getData(), p.getOffset(), n);
            p.setLength(n);
            p.setSocketAddress(connection.remote);
        }

        @Override
        public void close() {
            connection.close();
        }

        @Override
        public InetAddress getLocalAddress() {
            return connection.local.getAddress();
        }

        @Override
        public int getLocalPort() {
            return connection.local.getPort();
        }

        @Override
        public SocketAddress getLocalSocketAddress() {
            return connection.local;
        }

        /** The connected socket: ice4j matches its remote address to the pair's remote candidate. */
        @Override
        public Socket getTCPSocket() {
            return connection.channel.socket();
        }

        @Override
        public DatagramSocket getUDPSocket() {
            return null;
        }
    }
}
