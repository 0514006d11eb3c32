package dev.chorus.sfu.transport;

import dev.chorus.sfu.drop.DropReason;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.ice.harvest.AbstractUdpListener;
import org.ice4j.ice.harvest.SinglePortUdpHarvester;
import org.ice4j.util.Buffer;

/**
 * The one UDP socket shared by many {@link WebRtcTransport}s (one ice4j {@link SinglePortUdpHarvester}
 * bound explicitly to {@link TransportConfig#bindAddress()}: ice4j's own host harvester skips loopback and
 * would enumerate every interface). Sessions are told apart by the STUN USERNAME ufrag of the first binding
 * request from each remote address; after that by remote address.
 *
 * <p>The server opens one at start. Clients do not use it: a SinglePortUdpHarvester candidate can only
 * answer checks, never send the first one (see {@link ClientHostHarvester}).
 *
 * <p>Remote addresses outside {@link TransportConfig#allowedRemoteRanges()} never get a session: their STUN
 * requests are dropped here, before ice4j sees them.
 *
 * <p>When {@link TransportConfig#tcpEnabled()}, the port also owns the shared ICE-TCP listener
 * ({@link IceTcpListener}) on the same address, so "the media port" means both. With
 * {@link TransportConfig#udpEnabled()} false the UDP socket is still bound (the port's identity), but no
 * transport gathers or announces a candidate on it.
 */
public final class SharedUdpPort implements AutoCloseable {
    private final TransportConfig config;
    private final FilteringHarvester harvester;
    private final IceTcpListener tcp;
    private final Set<WebRtcTransport> transports = ConcurrentHashMap.newKeySet();
    private final LongAdder rejectedSessions = new LongAdder();
    /** Counts of transports already closed; guarded by {@code this}, like their removal from the set. */
    private long retiredPacketsIn;
    private long retiredBytesIn;
    private long retiredPacketsOut;
    private long retiredBytesOut;
    private final long[] retiredDrops = new long[DropReason.values().length];
    private volatile boolean closed;

    private SharedUdpPort(TransportConfig config) throws IOException {
        this.config = config;
        Ice4jSetup.install();
        TransportRuntime.warmUp();
        this.harvester = new FilteringHarvester(
                new TransportAddress(config.bindAddress(), config.port(), Transport.UDP));
        IceTcpListener t = null;
        if (config.tcpEnabled()) {
            try {
                t = IceTcpListener.open(config);
            } catch (IOException | RuntimeException e) {
                harvester.close();
                throw new IOException("cannot listen for ICE-TCP on " + config.bindAddress().getHostAddress() + ":"
                        + config.tcpPort() + ": " + e.getMessage(), e);
            }
        }
        this.tcp = t;
    }

    /** Binds the socket now (ephemeral port when {@code config.port()} is 0). */
    public static SharedUdpPort open(TransportConfig config) throws IOException {
        return new SharedUdpPort(config);
    }

    public TransportConfig config() {
        return config;
    }

    /** The bound address and the actual port. */
    public InetSocketAddress localAddress() {
        TransportAddress a = harvester.getLocalAddress();
        return new InetSocketAddress(a.getAddress(), a.getPort());
    }

    /** The bound ICE-TCP address (actual port), or null when ICE-TCP is off. */
    public InetSocketAddress localTcpAddress() {
        return tcp == null ? null : tcp.localAddress();
    }

    /** The ICE-TCP listener, or null when ICE-TCP is off. */
    IceTcpListener tcp() {
        return tcp;
    }

    /** ICE-TCP connections refused because their source is not an allowed remote address. */
    public long rejectedTcpConnections() {
        return tcp == null ? 0 : tcp.rejectedConnections();
    }

    /** ICE-TCP state and drop counters for /debug, or null when ICE-TCP is off. */
    public com.fasterxml.jackson.databind.node.ObjectNode tcpJson() {
        return tcp == null ? null : tcp.toJson();
    }

    SinglePortUdpHarvester harvester() {
        return harvester;
    }

    void register(WebRtcTransport t) {
        if (closed) {
            throw new IllegalStateException("port closed");
        }
        transports.add(t);
    }

    void unregister(WebRtcTransport t) {
        synchronized (this) {
            if (!transports.remove(t)) {
                return;
            }
            retiredPacketsIn += t.packetsIn();
            retiredBytesIn += t.bytesIn();
            retiredPacketsOut += t.packetsOut();
            retiredBytesOut += t.bytesOut();
            for (DropReason r : DropReason.values()) {
                retiredDrops[r.ordinal()] += t.drops(r);
            }
        }
    }

    /**
     * Totals over every transport this port has carried: the closed ones' final counts plus the open
     * ones' counts now. Control path (a short lock shared with {@link #unregister} only, never taken by
     * the packet path), so totals never go down as transports close.
     */
    public synchronized TransportTotals totals() {
        long packetsIn = retiredPacketsIn;
        long bytesIn = retiredBytesIn;
        long packetsOut = retiredPacketsOut;
        long bytesOut = retiredBytesOut;
        long[] drops = retiredDrops.clone();
        for (WebRtcTransport t : transports) {
            packetsIn += t.packetsIn();
            bytesIn += t.bytesIn();
            packetsOut += t.packetsOut();
            bytesOut += t.bytesOut();
            for (DropReason r : DropReason.values()) {
                drops[r.ordinal()] += t.drops(r);
            }
        }
        return new TransportTotals(packetsIn, bytesIn, packetsOut, bytesOut, drops);
    }

    /** Transports created on this port and not yet closed. */
    public List<WebRtcTransport> transports() {
        return List.copyOf(transports);
    }

    public int transportCount() {
        return transports.size();
    }

    /** First STUN requests dropped because their source is not an allowed remote address. */
    public long rejectedSessions() {
        return rejectedSessions.sum();
    }

    public boolean isClosed() {
        return closed;
    }

    /** Closes every transport still on this port, then the socket and its reader thread. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (WebRtcTransport t : List.copyOf(transports)) {
            t.close();
        }
        harvester.close();
        if (tcp != null) {
            tcp.close();
        }
    }

    private final class FilteringHarvester extends SinglePortUdpHarvester {
        FilteringHarvester(TransportAddress address) throws IOException {
            super(address);
        }

        @Override
        protected AbstractUdpListener.MySocket maybeAcceptNewSession(Buffer buf, InetSocketAddress remote, String ufrag) {
            if (!config.isAllowed(remote.getAddress())) {
                rejectedSessions.increment();
                return null; // ice4j returns the buffer to the pool
            }
            return super.maybeAcceptNewSession(buf, remote, ufrag);
        }
    }
}
