package dev.chorus.sfu.transport;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.ice.harvest.AbstractUdpListener;
import org.ice4j.ice.harvest.SinglePortUdpHarvester;
import org.ice4j.util.Buffer;
import org.ice4j.util.BufferHandler;

/**
 * The one UDP socket shared by the SERVER transports of a {@link MediaPorts}: one ice4j {@link SinglePortUdpHarvester}
 * bound explicitly to {@link TransportConfig#bindAddress()} (ice4j's own host harvester skips loopback and would
 * enumerate every interface), with its one reader thread. Sessions are told apart by the STUN USERNAME ufrag of the
 * first binding request from each remote address; after that by remote address.
 *
 * <p>Clients do not use it: a SinglePortUdpHarvester candidate can only answer checks, never send the first one (see
 * {@link ClientHostHarvester}).
 *
 * <p>Remote addresses outside {@link TransportConfig#allowedRemoteRanges()} never get a session: their STUN requests
 * are dropped here, before ice4j sees them, and counted.
 *
 * <p>It also remembers ice4j's per-remote-address socket of each session ({@link #sessionSocket}), so a transport can
 * send media on it directly: ice4j's own {@code Component.send} looks the socket up in a synchronized map and
 * allocates two objects per packet, which was 14 % of the server's samples under the capacity load.
 */
final class SharedUdpPort implements AutoCloseable {
    private static final int PURGE_EVERY = 64;
    private final TransportConfig config;
    private final FilteringHarvester harvester;
    private final LongAdder rejectedSessions = new LongAdder();
    /** ice4j's socket per remote address, as it made them (reader thread); closed ones are purged now and then. */
    private final ConcurrentHashMap<InetSocketAddress, DatagramSocket> sessionSockets = new ConcurrentHashMap<>();
    /** Sessions added since the last purge of closed sockets; only touched on the reader thread. */
    private int addedSincePurge;

    private SharedUdpPort(TransportConfig config) throws IOException {
        this.config = config;
        Ice4jSetup.install();
        this.harvester =
                new FilteringHarvester(new TransportAddress(config.bindAddress(), config.port(), Transport.UDP));
    }

    /** Binds the socket now (ephemeral port when {@code config.port()} is 0) and starts its reader. */
    static SharedUdpPort open(TransportConfig config) throws IOException {
        return new SharedUdpPort(config);
    }

    /** The bound address and the actual port. */
    InetSocketAddress localAddress() {
        TransportAddress a = harvester.getLocalAddress();
        return new InetSocketAddress(a.getAddress(), a.getPort());
    }

    SinglePortUdpHarvester harvester() {
        return harvester;
    }

    /**
     * The socket ice4j made for the session of {@code remote} (plain address, not a {@code TransportAddress}), whose
     * {@code send} writes to that address on this port; null if there is none or it is closed.
     */
    DatagramSocket sessionSocket(InetSocketAddress remote) {
        DatagramSocket s = sessionSockets.get(remote);
        return s == null || s.isClosed() ? null : s;
    }

    /** First STUN requests dropped because their source is not an allowed remote address. */
    long rejectedSessions() {
        return rejectedSessions.sum();
    }

    /** Closes the socket and ends its reader thread. */
    @Override
    public void close() {
        harvester.close();
    }

    private final class FilteringHarvester extends SinglePortUdpHarvester {
        FilteringHarvester(TransportAddress address) throws IOException {
            super(address);
        }

        @Override
        protected AbstractUdpListener.MySocket maybeAcceptNewSession(
                Buffer buf, InetSocketAddress remote, String ufrag) {
            if (!config.isAllowed(remote.getAddress())) {
                rejectedSessions.increment();
                return null; // ice4j returns the buffer to the pool
            }
            return super.maybeAcceptNewSession(buf, remote, ufrag);
        }

        @Override
        protected AbstractUdpListener.MySocket addSocket(InetSocketAddress remote, String ufrag, BufferHandler handler)
                throws SocketException {
            AbstractUdpListener.MySocket s = super.addSocket(remote, ufrag, handler);
            sessionSockets.put(remote, s);
            if (++addedSincePurge >= PURGE_EVERY) {
                addedSincePurge = 0;
                // ice4j closes a session's socket when its agent is freed; forget those (amortised O(1) per session).
                sessionSockets.values().removeIf(DatagramSocket::isClosed);
            }
            return s;
        }
    }
}
