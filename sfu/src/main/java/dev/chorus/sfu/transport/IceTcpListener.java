package dev.chorus.sfu.transport;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.ice.CandidateTcpType;
import org.ice4j.ice.Component;
import org.ice4j.ice.LocalCandidate;
import org.ice4j.ice.TcpHostCandidate;
import org.ice4j.ice.harvest.CandidateHarvester;
import org.ice4j.ice.harvest.HarvestStatistics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ICE over TCP (RFC 6544), passive side: one listening socket on {@link TransportConfig#bindAddress()} and
 * {@link TransportConfig#tcpPort()} shared by every server {@link WebRtcTransport} of a {@link MediaPorts}, the TCP
 * counterpart of the {@link SharedUdpPort}. Each transport gets one passive TCP host candidate ("tcptype passive")
 * on it. This class is the selector loop (accept, read, bind, sweep) and the candidate harvester; one connection is an
 * {@link IceTcpConnection}, what ice4j sees of it a {@link TcpIceSocket}.
 *
 * <p>Why not ice4j's {@code TcpHarvester}: it drops loopback addresses, reads each connection through a
 * thread-per-socket multiplexing stack that allocates per packet, and gives us no counter when framing goes
 * wrong. Here one selector thread accepts and reads every connection, splits the stream with
 * {@link Rfc4571Framer}, and demultiplexes each frame as the UDP path does: STUN goes to the transport's ICE
 * agent (through the {@link TcpIceSocket} that ice4j's STUN stack reads from and sends on), DTLS and SRTP go
 * straight to the transport's {@link IceTcpAttachment} on this thread, like the UDP push path. Replies leave on the same
 * connection: ice4j's selected pair sends through the same wrapper, which frames them into a bounded
 * per-connection output buffer flushed by this thread when the socket is slow.
 *
 * <p>A connection is bound to a transport by the USERNAME (local ufrag, {@link StunUfrag}) of its first frame, which
 * must be a STUN binding request. Connections from addresses outside {@link TransportConfig#allowedRemoteRanges()} are
 * closed at accept, before any byte is read; so are connections whose first frame names no live session, and
 * connections that send nothing bindable within {@link #BIND_TIMEOUT_MS}. Every such case is counted.
 */
final class IceTcpListener implements CandidateHarvester, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IceTcpListener.class);

    /** Largest frame accepted; WebRTC keeps packets near 1200 bytes, DTLS flights are fragmented to the MTU. */
    static final int MAX_FRAME = 4096;
    /** A connection not bound to a session by then is closed. */
    static final long BIND_TIMEOUT_MS = 10_000;

    private final TransportConfig config;
    private final ServerSocketChannel server;
    private final Selector selector;
    private final TransportAddress localAddress;
    private final Thread thread;
    private final byte[] readArray = new byte[16 * 1024];
    private final ByteBuffer readBuffer = ByteBuffer.wrap(readArray);
    private final Map<String, IceTcpAttachment> sessions = new ConcurrentHashMap<>();
    private final Set<IceTcpConnection> connections = ConcurrentHashMap.newKeySet();
    private final Queue<IceTcpConnection> wantWrite = new ConcurrentLinkedQueue<>();
    private final HarvestStatistics stats = new HarvestStatistics();
    private final ExpectedPeers peers;
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

    private IceTcpListener(TransportConfig config, ExpectedPeers peers) throws IOException {
        this.peers = peers;
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
    static IceTcpListener open(TransportConfig config, ExpectedPeers peers) throws IOException {
        return new IceTcpListener(config, peers);
    }

    /** The bound TCP address (actual port when 0 was asked). */
    InetSocketAddress localAddress() {
        return new InetSocketAddress(localAddress.getAddress(), localAddress.getPort());
    }

    // ---------------------------------------------------------------- sessions

    /** Connections whose first STUN frame names {@code localUfrag} go to {@code t}. */
    void register(String localUfrag, IceTcpAttachment t) {
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
                for (IceTcpConnection c; (c = wantWrite.poll()) != null; ) {
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
                        IceTcpConnection c = (IceTcpConnection) key.attachment();
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
                IceTcpConnection c = new IceTcpConnection(this, ch, remote);
                c.key = ch.register(selector, SelectionKey.OP_READ, c);
                connections.add(c);
                accepted.increment();
            } catch (IOException e) {
                ch.close();
            }
        }
    }

    private void read(IceTcpConnection c) {
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
        for (IceTcpConnection c : connections) {
            if (c.attachment == null && now - c.acceptedNanos > TimeUnit.MILLISECONDS.toNanos(BIND_TIMEOUT_MS)) {
                bindTimeouts.increment();
                c.close();
            }
        }
    }

    /** One frame of {@code c}, on the selector thread: binds the connection on its first, then demuxes. */
    void onFrame(IceTcpConnection c, byte[] buf, int off, int len) {
        boolean stun = len >= 20 && (buf[off] & 0xff) < 4;
        IceTcpAttachment t = c.attachment;
        if (t == null) {
            if (!stun || c.isClosed()) {
                notStunFirst.increment();
                c.close();
                return;
            }
            String ufrag = StunUfrag.localUfragOf(buf, off, len);
            t = ufrag == null ? null : sessions.get(ufrag);
            if (t != null && !peers.admits(ufrag, buf, off, len)) {
                LOG.debug("ICE-TCP connection from {} closed: its check names another peer of {}", c.remote, ufrag);
                c.close(); // an ICE restart's other generation (see ExpectedPeers)
                return;
            }
            if (t == null || !t.attach(c.socket)) {
                unknownSession.increment();
                LOG.debug("ICE-TCP connection from {} closed: no session for ufrag {}", c.remote, ufrag);
                c.close();
                return;
            }
            c.attachment = t;
        }
        if (stun) {
            if (!c.socket.offerStun(buf, off, len)) {
                stunQueueFull.increment();
            }
        } else {
            t.receive(buf, off, len);
        }
    }

    /** {@code c} has output waiting: the selector thread adds OP_WRITE. Any thread. */
    void wantWrite(IceTcpConnection c) {
        wantWrite.add(c);
        selector.wakeup();
    }

    void countSendOverflow() {
        sendOverflow.increment();
    }

    /** {@code c} closed: it leaves the set, its framer's counts stay in the totals. Once per connection. */
    void connectionClosed(IceTcpConnection c) {
        if (connections.remove(c)) {
            framesClosed.add(c.framer.frames());
            tooLargeClosed.add(c.framer.framesTooLarge());
            emptyClosed.add(c.framer.emptyFrames());
        }
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
        for (IceTcpConnection c : connections) {
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
        for (IceTcpConnection c : connections) {
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
        for (IceTcpConnection c : List.copyOf(connections)) {
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
}
