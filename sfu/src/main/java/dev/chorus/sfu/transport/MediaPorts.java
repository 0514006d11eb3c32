package dev.chorus.sfu.transport;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.ice4j.ice.harvest.CandidateHarvester;

/**
 * What the SFU's transports share, opened once per server and closed with it: the {@link SharedUdpPort}, the
 * {@link IceTcpListener} when {@link TransportConfig#tcpEnabled()}, the {@link TransportRuntime} (bounded DTLS
 * handshakes, DTLS drains, consent timer) and the {@link TransportRegistry} of open transports with their totals.
 * "The media port" means all of it. Every SERVER {@link WebRtcTransport} is created on one.
 *
 * <p>With {@link TransportConfig#udpEnabled()} false the UDP socket is still bound (the ports' identity), but no
 * transport gathers or announces a candidate on it.
 */
public final class MediaPorts implements AutoCloseable {
    private final TransportConfig config;
    private final SharedUdpPort udp;
    private final IceTcpListener tcp;
    private final TransportRuntime runtime;
    private final ExpectedPeers peers;
    private final TransportRegistry registry = new TransportRegistry();
    private volatile boolean closed;

    private MediaPorts(TransportConfig config, SharedUdpPort udp, IceTcpListener tcp, ExpectedPeers peers) {
        this.config = config;
        this.peers = peers;
        this.udp = udp;
        this.tcp = tcp;
        this.runtime = TransportRuntime.open(Integer.toString(udp.localAddress().getPort()), config);
    }

    /** Binds the UDP socket and, if enabled, the ICE-TCP listener (ephemeral ports when 0 is configured). */
    public static MediaPorts open(TransportConfig config) throws IOException {
        SrtpWarmUp.run();
        ExpectedPeers peers = new ExpectedPeers();
        SharedUdpPort udp = SharedUdpPort.open(config, peers);
        IceTcpListener tcp = null;
        if (config.tcpEnabled()) {
            try {
                tcp = IceTcpListener.open(config, peers);
            } catch (IOException | RuntimeException e) {
                udp.close();
                throw new IOException(
                        "cannot listen for ICE-TCP on " + config.bindAddress().getHostAddress() + ":" + config.tcpPort()
                                + ": " + e.getMessage(),
                        e);
            }
        }
        return new MediaPorts(config, udp, tcp, peers);
    }

    public TransportConfig config() {
        return config;
    }

    /** The bound UDP address and the actual port. */
    public InetSocketAddress localAddress() {
        return udp.localAddress();
    }

    /** The bound ICE-TCP address (actual port), or null when ICE-TCP is off. */
    public InetSocketAddress localTcpAddress() {
        return tcp == null ? null : tcp.localAddress();
    }

    /** The ICE-TCP listener, or null when ICE-TCP is off. */
    IceTcpListener tcp() {
        return tcp;
    }

    TransportRuntime runtime() {
        return runtime;
    }

    /** Where a SERVER transport's ICE agent gathers: the UDP port unless UDP is off, the TCP listener if on. */
    List<CandidateHarvester> harvesters() {
        List<CandidateHarvester> h = new ArrayList<>(2);
        if (config.udpEnabled()) {
            h.add(udp.harvester());
        }
        if (tcp != null) {
            h.add(tcp);
        }
        return h;
    }

    /** The UDP port's socket for the session of {@code remote}, to send media on directly; null if none. */
    DatagramSocket sessionSocket(InetSocketAddress remote) {
        return udp.sessionSocket(remote);
    }

    /** A new SERVER transport, counted here until {@link #unregister}. */
    synchronized void register(WebRtcTransport t) {
        if (closed) {
            throw new IllegalStateException("media ports closed");
        }
        registry.add(t);
    }

    /** An ICE session of a SERVER transport: reachable over ICE-TCP under its local ufrag. */
    void attachUfrag(String localUfrag, IceTcpAttachment tcpAttachment) {
        if (tcp != null) {
            tcp.register(localUfrag, tcpAttachment);
        }
    }

    /** An ICE session closed (its transport may go on with another after an ICE restart). */
    void detachUfrag(String localUfrag) {
        if (tcp != null) {
            tcp.unregister(localUfrag);
        }
    }

    void unregister(WebRtcTransport t) {
        registry.remove(t);
    }

    /** See {@link ExpectedPeers}. */
    void expectRemoteUfrag(String localUfrag, String remoteUfrag) {
        peers.expect(localUfrag, remoteUfrag);
    }

    void forgetRemoteUfrag(String localUfrag) {
        peers.forget(localUfrag);
    }

    /** First STUN requests (UDP or ICE-TCP) refused because they named another peer than their session's. */
    public long wrongRemoteUfrag() {
        return peers.refused();
    }

    /** See {@link SharedUdpPort#release}. */
    int releaseUdpAddresses(String localUfrag) {
        return udp.release(localUfrag);
    }

    /** Remote addresses handed from an old ICE session to its restart's (see {@link SharedUdpPort#release}). */
    public long addressesReleasedForIceRestarts() {
        return udp.releasedAddresses();
    }

    /** First STUN requests on the UDP port dropped because their source is not an allowed remote address. */
    public long rejectedSessions() {
        return udp.rejectedSessions();
    }

    /** ICE-TCP connections refused because their source is not an allowed remote address. */
    public long rejectedTcpConnections() {
        return tcp == null ? 0 : tcp.rejectedConnections();
    }

    /** ICE-TCP state and drop counters for /debug, or null when ICE-TCP is off. */
    public ObjectNode tcpJson() {
        return tcp == null ? null : tcp.toJson();
    }

    /** The DTLS handshake executor for /debug: threads, running, waiting, refused by reason. */
    public ObjectNode dtlsJson() {
        return runtime.dtlsJson();
    }

    /** The data-channel (SCTP) counts of every transport these ports carried, closed ones' included. */
    public dev.chorus.sfu.sctp.SctpCounters sctpTotals() {
        return runtime.sctpTotals;
    }

    /**
     * Totals over every transport these ports have carried: the closed ones' final counts plus the open ones' counts
     * now, so they never go down as transports close.
     */
    public TransportTotals totals() {
        return registry.totals();
    }

    /** Transports created on these ports and not yet closed. */
    public List<WebRtcTransport> transports() {
        return registry.open();
    }

    public int transportCount() {
        return registry.count();
    }

    public boolean isClosed() {
        return closed;
    }

    /** A snapshot for /debug. */
    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("udp", localAddress().toString());
        o.put("transports", transportCount());
        o.put("rejectedIceSessions", rejectedSessions());
        o.put("addressesReleasedForIceRestarts", addressesReleasedForIceRestarts());
        o.put("checksWithWrongRemoteUfrag", wrongRemoteUfrag());
        o.set("iceTcp", tcpJson());
        o.set("dtlsHandshakes", dtlsJson());
        return o;
    }

    /** Closes every transport still open, then the sockets and every thread of the runtime. Idempotent. */
    @Override
    public void close() {
        synchronized (this) { // no transport registers once the copy below is taken
            if (closed) {
                return;
            }
            closed = true;
        }
        for (WebRtcTransport t : registry.open()) {
            t.close();
        }
        udp.close();
        if (tcp != null) {
            tcp.close();
        }
        runtime.close();
    }
}
