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
 * <p>A new address is routed only by a request that also names the session's peer ({@link ExpectedPeers}).
 *
 * <p>An ICE restart from an address the old session already has (Chrome restarts on the same host socket) would never
 * reach the new session: ice4j keeps routing that address to the old one, which refuses the new credentials. When the
 * old session sees such a check, its transport calls {@link #release}: the old session's sockets close, and the next
 * check from the address is routed by its ufrag, to the new session.
 *
 * <p>It also remembers ice4j's per-remote-address socket of each session ({@link #sessionSocket}), so a transport can
 * send media on it directly: ice4j's own {@code Component.send} looks the socket up in a synchronized map and
 * allocates two objects per packet, which was 14 % of the server's samples under the capacity load.
 */
final class SharedUdpPort implements AutoCloseable {
    private static final int PURGE_EVERY = 64;
    private final TransportConfig config;
    private final FilteringHarvester harvester;
    private final Ice4jUdpRouting routing;
    private final LongAdder rejectedSessions = new LongAdder();
    /**
     * ice4j's socket per remote address and the local ufrag of its session, as it made them (reader thread); closed
     * ones are purged now and then.
     */
    private final ConcurrentHashMap<InetSocketAddress, Route> routes = new ConcurrentHashMap<>();

    private final LongAdder released = new LongAdder();
    private final ExpectedPeers peers;

    private record Route(DatagramSocket socket, String localUfrag) {}
    /** Sessions added since the last purge of closed sockets; only touched on the reader thread. */
    private int addedSincePurge;

    private SharedUdpPort(TransportConfig config, ExpectedPeers peers) throws IOException {
        this.config = config;
        this.peers = peers;
        Ice4jSetup.install();
        this.harvester =
                new FilteringHarvester(new TransportAddress(config.bindAddress(), config.port(), Transport.UDP));
        this.routing = new Ice4jUdpRouting(harvester);
    }

    /** Binds the socket now (ephemeral port when {@code config.port()} is 0) and starts its reader. */
    static SharedUdpPort open(TransportConfig config, ExpectedPeers peers) throws IOException {
        return new SharedUdpPort(config, peers);
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
        Route r = routes.get(remote);
        return r == null || r.socket().isClosed() ? null : r.socket();
    }

    /**
     * Closes the sockets of the session with local ufrag {@code localUfrag}: the addresses it held are routed anew, by
     * the ufrag of their next STUN request. Returns how many were closed. Any thread.
     */
    int release(String localUfrag) {
        int n = 0;
        for (var e : routes.entrySet()) {
            Route r = e.getValue();
            // Only while the address is still the old session's: the reader thread may route it anew meanwhile.
            if (localUfrag.equals(r.localUfrag())
                    && routes.remove(e.getKey(), r)
                    && !r.socket().isClosed()) {
                routing.forget(e.getKey(), r.socket());
                n++;
            }
        }
        released.add(n);
        return n;
    }

    /** Remote addresses taken from an old ICE session for its restart ({@link #release}). */
    long releasedAddresses() {
        return released.sum();
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
            if (!peers.admits(ufrag, buf.getBuffer(), buf.getOffset(), buf.getLength())) {
                return null; // no answer: the peer's check on that pair fails, as it must
            }
            return super.maybeAcceptNewSession(buf, remote, ufrag);
        }

        @Override
        protected AbstractUdpListener.MySocket addSocket(InetSocketAddress remote, String ufrag, BufferHandler handler)
                throws SocketException {
            AbstractUdpListener.MySocket s = super.addSocket(remote, ufrag, handler);
            routes.put(remote, new Route(s, ufrag));
            if (++addedSincePurge >= PURGE_EVERY) {
                addedSincePurge = 0;
                // ice4j closes a session's socket when its agent is freed; forget those (amortised O(1) per session).
                routes.values().removeIf(r -> r.socket().isClosed());
            }
            return s;
        }
    }
}
