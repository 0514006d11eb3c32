package dev.chorus.sfu.transport;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.drop.DropReason;
import dev.chorus.sfu.sdp.IceCandidate;
import dev.chorus.sfu.sdp.IceCandidateParser;
import dev.chorus.sfu.sdp.SdpException;
import dev.chorus.sfu.transport.WebRtcTransport.IceState;
import java.beans.PropertyChangeEvent;
import java.beans.PropertyChangeListener;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.ice.Agent;
import org.ice4j.ice.CandidatePair;
import org.ice4j.ice.CandidateType;
import org.ice4j.ice.Component;
import org.ice4j.ice.IceMediaStream;
import org.ice4j.ice.IceProcessingState;
import org.ice4j.ice.KeepAliveStrategy;
import org.ice4j.ice.LocalCandidate;
import org.ice4j.ice.RemoteCandidate;
import org.ice4j.ice.harvest.CandidateHarvester;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ICE side of one transport: one ice4j {@link Agent} with one stream and one component (BUNDLE, rtcp-mux), its
 * local candidates as announced (with the advertised-address mapping), the remote credentials and candidates, the
 * start, the ICE state with its {@link ConsentFreshness} watch, and sending on the selected pair. ice4j answers and
 * sends the STUN checks itself.
 *
 * <p>Controlled (SERVER) agents start at once and learn the peer from its checks (peer-reflexive); they receive
 * through ice4j's push API. A controlling (CLIENT) agent waits for its first remote candidate, and its transport
 * reads the component's own socket ({@link ClientSocketReader}).
 */
final class IceSession {
    private static final Logger LOG = LoggerFactory.getLogger(IceSession.class);

    /**
     * Priority announced for our passive TCP host candidate (ice4j gives TCP the same priority as UDP). RFC 8445
     * formula with host type preference 126 and the RFC 6544 section 4.2 local preference for a passive
     * candidate, (2^13 * 4) + 8191: below the UDP host candidate (2130706431), so a client that can do UDP
     * prefers it and TCP is the fallback.
     */
    static final long TCP_PASSIVE_HOST_PRIORITY = (126L << 24) + ((4L * 8192 + 8191) << 8) + (256 - 1);

    /** ICE state changes (CHECKING, CONNECTED, FAILED with a reason), on ice4j's or the timer's thread. */
    interface StateListener {
        void onIceState(IceSession source, IceState state, String reason);
    }

    private final boolean controlling;
    private final TransportConfig config;
    private final TransportCounters counters;
    private final ConsentFreshness consent;
    private final StateListener listener;
    private final Agent agent;
    private final IceMediaStream stream;
    private final Component component;
    private final SelectedPairSender mediaSender;
    private final PropertyChangeListener agentStateListener = this::onAgentState;
    private final PropertyChangeListener pairListener = this::onPairChange;
    private final Object startLock = new Object();
    private boolean startRequested;
    private boolean started;
    private volatile IceState state = IceState.NEW;
    private volatile boolean closed;
    /** What else closes with this session (its receive wiring); guarded by itself. */
    private final List<Runnable> onClose = new ArrayList<>(2);
    /** A CLIENT session's socket when it shares the process's read loop; null otherwise. */
    ClientUdpSocket sharedSocket;

    /**
     * Creates the agent and gathers at once from {@code harvesters} (each our own, never interface enumeration).
     * {@code directSockets}: the shared UDP port's socket per remote address, for media sends (null for a CLIENT).
     */
    IceSession(
            boolean controlling,
            List<CandidateHarvester> harvesters,
            Function<InetSocketAddress, DatagramSocket> directSockets,
            TransportConfig config,
            TransportRuntime runtime,
            TransportCounters counters,
            StateListener listener)
            throws IOException {
        this.controlling = controlling;
        this.config = config;
        this.counters = counters;
        this.listener = listener;
        this.consent =
                new ConsentFreshness(config.consentTimeout(), runtime.timer, runtime.nanoClock, this::consentExpired);
        Ice4jSetup.install();
        agent = new Agent();
        boolean ok = false;
        try {
            agent.setControlling(controlling);
            agent.setUseDynamicPorts(false); // never ice4j's HostCandidateHarvester: no interface enumeration
            harvesters.forEach(agent::addCandidateHarvester);
            agent.setPerformConsentFreshness(true);
            agent.addStateChangeListener(agentStateListener);
            stream = agent.createMediaStream("media");
            stream.addPairChangeListener(pairListener);
            // A controlled agent's candidates live on the shared port, which pushes (see Ice4jSetup); a controlling
            // one reads the component socket of its own candidate.
            component = agent.createComponent(stream, KeepAliveStrategy.SELECTED_ONLY, controlling);
            mediaSender = new SelectedPairSender(component, agent.getLocalUfrag(), directSockets);
            ok = true;
        } finally {
            if (!ok) {
                agent.free();
            }
        }
    }

    /** Told by the DTLS and SRTP parts whenever something authenticated arrives. */
    ConsentFreshness consent() {
        return consent;
    }

    Agent agent() {
        return agent;
    }

    Component component() {
        return component;
    }

    String localUfrag() {
        return agent.getLocalUfrag();
    }

    String localPassword() {
        return agent.getLocalPassword();
    }

    /**
     * During an ICE restart, on the session being replaced: runs {@code onMisrouted} (on ice4j's thread) whenever a
     * check for the restart's session, {@code restartUfrag}, arrives here instead (see {@link MisroutedRestartChecks}).
     */
    void watchForRestartChecks(String restartUfrag, Runnable onMisrouted) {
        agent.getStunStack()
                .getCredentialsManager()
                .registerAuthority(new MisroutedRestartChecks(restartUfrag, onMisrouted));
    }

    /**
     * Local candidates, known at creation. With a configured {@link TransportConfig#advertisedAddress()} (1:1 NAT, or
     * a test proxy in front of the SFU) every candidate announces that address, and the advertised ports where set,
     * <em>instead of</em> the bound ones: a client then reaches us only through the mapping. The agent still works on
     * the bound addresses; it never needs the mapping, because the SFU only answers checks (it is controlled).
     */
    List<IceCandidate> localCandidates() {
        List<IceCandidate> out = new ArrayList<>();
        InetAddress pub = config.advertisedAddress();
        for (LocalCandidate c : component.getLocalCandidates()) {
            TransportAddress a = c.getTransportAddress();
            boolean tcp = a.getTransport() == Transport.TCP;
            String host = pub != null ? pub.getHostAddress() : a.getHostAddress();
            int mapped = tcp ? config.advertisedTcpPort() : config.advertisedPort();
            int p = pub != null && mapped != 0 ? mapped : a.getPort();
            if (tcp) {
                out.add(new IceCandidate(
                        c.getFoundation(),
                        1,
                        "tcp",
                        TCP_PASSIVE_HOST_PRIORITY,
                        host,
                        p,
                        c.getType().toString(),
                        Optional.empty(),
                        OptionalInt.empty(),
                        Optional.of("passive"),
                        Map.of()));
            } else {
                out.add(IceCandidate.udp(
                        c.getFoundation(), c.getPriority(), host, p, c.getType().toString()));
            }
        }
        return out;
    }

    void setRemoteCredentials(String ufrag, String password) {
        stream.setRemoteUfrag(ufrag);
        stream.setRemotePassword(password);
        maybeStart();
    }

    /** An SDP candidate line, or IllegalArgumentException. */
    static IceCandidate parseCandidate(String sdpCandidateLine) {
        try {
            return IceCandidateParser.parse(sdpCandidateLine);
        } catch (SdpException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** See {@link WebRtcTransport#addRemoteCandidate(IceCandidate)}. */
    boolean addRemoteCandidate(IceCandidate c) {
        if (!c.isUdp() || c.component() != 1 || closed) {
            return false;
        }
        InetAddress address = literal(c.address());
        if (address == null) {
            return false;
        }
        if (!config.isAllowed(address)) {
            counters.drop(DropReason.REMOTE_ADDRESS_NOT_ALLOWED);
            return false;
        }
        CandidateType type;
        try {
            type = CandidateType.parse(c.type());
        } catch (IllegalArgumentException e) {
            return false;
        }
        RemoteCandidate rc = new RemoteCandidate(
                new TransportAddress(address, c.port(), Transport.UDP),
                component,
                type,
                c.foundation(),
                c.priority(),
                null);
        synchronized (startLock) {
            if (started) {
                component.addUpdateRemoteCandidates(rc);
                component.updateRemoteCandidates();
            } else {
                component.addRemoteCandidate(rc);
            }
        }
        maybeStart();
        return true;
    }

    /** Parses a literal IPv4/IPv6 address without ever doing a DNS lookup; null if it is a name. */
    static InetAddress literal(String s) {
        if (s.indexOf(':') < 0 && !s.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            return null;
        }
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** Checks start once the remote credentials (and, when controlling, a remote candidate) are known. */
    void start() {
        synchronized (startLock) {
            startRequested = true;
        }
        maybeStart();
    }

    private void maybeStart() {
        synchronized (startLock) {
            if (started
                    || !startRequested
                    || closed
                    || stream.getRemoteUfrag() == null
                    || stream.getRemotePassword() == null) {
                return;
            }
            if (controlling && component.getRemoteCandidateCount() == 0) {
                return;
            }
            started = true;
        }
        agent.startConnectivityEstablishment();
    }

    private void onAgentState(PropertyChangeEvent ev) {
        if (!Agent.PROPERTY_ICE_PROCESSING_STATE.equals(ev.getPropertyName()) || closed) {
            return;
        }
        IceProcessingState s = (IceProcessingState) ev.getNewValue();
        if (s == IceProcessingState.RUNNING && state == IceState.NEW) {
            state = IceState.CHECKING;
            listener.onIceState(this, IceState.CHECKING, null);
        } else if (s == IceProcessingState.COMPLETED && state != IceState.CONNECTED && state != IceState.FAILED) {
            state = IceState.CONNECTED;
            consent.start();
            listener.onIceState(this, IceState.CONNECTED, null);
        } else if (s == IceProcessingState.FAILED && state != IceState.FAILED) {
            fail("ICE_CHECKS_FAILED");
        }
    }

    private void onPairChange(PropertyChangeEvent ev) {
        if (IceMediaStream.PROPERTY_PAIR_CONSENT_FRESHNESS_CHANGED.equals(ev.getPropertyName())) {
            consent.heard(); // a consent (STUN binding) response from the peer
        }
    }

    /** Consent expired (timer thread): a connected session fails. */
    private void consentExpired(String reason) {
        if (state == IceState.CONNECTED) {
            fail(reason);
        }
    }

    private void fail(String reason) {
        if (closed) {
            return;
        }
        state = IceState.FAILED;
        consent.stop();
        listener.onIceState(this, IceState.FAILED, reason);
    }

    /**
     * Sends SRTP/SRTCP on the selected pair, straight to the shared port's socket where there is one. False, counted,
     * without a pair or when the socket refuses. Callers hold the SRTP path's send lock (one sender at a time).
     */
    boolean sendMedia(byte[] buf, int off, int len) {
        return send(true, buf, off, len);
    }

    /**
     * Sends DTLS records on the selected pair through ice4j. False, counted, without a pair or when the socket
     * refuses. Called on the DTLS thread; the few handshake records need no faster path than ice4j's.
     */
    boolean send(byte[] buf, int off, int len) {
        return send(false, buf, off, len);
    }

    private boolean send(boolean media, byte[] buf, int off, int len) {
        try {
            boolean sent = media ? mediaSender.send(buf, off, len) : sendThroughIce4j(buf, off, len);
            if (!sent) {
                counters.drop(DropReason.NO_SELECTED_PAIR);
                return false;
            }
        } catch (IOException e) {
            counters.drop(DropReason.SOCKET_SEND_FAILED);
            return false;
        }
        counters.packetsOut.increment();
        counters.bytesOut.add(len);
        return true;
    }

    private boolean sendThroughIce4j(byte[] buf, int off, int len) throws IOException {
        if (component.getSelectedPair() == null) {
            return false;
        }
        component.send(buf, off, len);
        return true;
    }

    /** Authenticated media arrived from {@code from}; see {@link SelectedPairSender#peerSentFrom}. Packet thread. */
    void peerSentFrom(java.net.SocketAddress from) {
        mediaSender.peerSentFrom(from);
    }

    /** The selected pair's local and remote addresses, or null before ICE selects one. */
    java.net.InetSocketAddress[] selectedAddresses() {
        CandidatePair pair = component.getSelectedPair();
        if (pair == null) {
            return null;
        }
        TransportAddress local = pair.getLocalCandidate().getTransportAddress();
        TransportAddress remote = pair.getRemoteCandidate().getTransportAddress();
        return new java.net.InetSocketAddress[] {local, remote};
    }

    boolean hasSelectedPair() {
        return component.getSelectedPair() != null;
    }

    IceState state() {
        return state;
    }

    boolean isClosed() {
        return closed;
    }

    void addJson(ObjectNode o) {
        o.put("iceState", state.name());
        o.put("iceAgentState", agent.getState().toString());
        CandidatePair pair = component.getSelectedPair();
        if (pair != null) {
            ObjectNode p = o.putObject("selectedPair");
            p.put("local", pair.getLocalCandidate().getTransportAddress().toString());
            p.put("remote", pair.getRemoteCandidate().getTransportAddress().toString());
            p.put("remoteType", pair.getRemoteCandidate().getType().toString());
            p.put("mediaSentDirect", mediaSender.isDirect());
            mediaSender.addJson(p);
        }
        o.put("msSinceHeard", consent.msSinceHeard());
    }

    /** Runs {@code r} when this session closes (at once if it has). */
    void closeWith(Runnable r) {
        synchronized (onClose) {
            if (!closed) {
                onClose.add(r);
                return;
            }
        }
        r.run();
    }

    /** Frees the agent (its candidates, its sessions on the shared port, a client's own socket), then the rest. */
    void close() {
        List<Runnable> also;
        synchronized (onClose) {
            if (closed && onClose.isEmpty()) {
                return;
            }
            closed = true;
            also = List.copyOf(onClose);
            onClose.clear();
        }
        consent.stop();
        try {
            agent.removeStateChangeListener(agentStateListener);
            stream.removePairStateChangeListener(pairListener);
            agent.free();
        } catch (RuntimeException e) {
            LOG.warn("[ufrag={}] agent.free failed", localUfrag(), e);
        }
        state = IceState.CLOSED;
        for (Runnable r : also) {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.warn("[ufrag={}] closing failed", localUfrag(), e);
            }
        }
    }
}
