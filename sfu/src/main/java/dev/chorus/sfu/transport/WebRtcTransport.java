package dev.chorus.sfu.transport;

import dev.chorus.sfu.drop.DropReason;
import dev.chorus.sfu.drop.DropStage;
import dev.chorus.sfu.drop.SharedDropCounters;
import dev.chorus.sfu.sdp.IceCandidate;
import dev.chorus.sfu.sdp.IceCandidateParser;
import dev.chorus.sfu.sdp.SdpException;
import java.beans.PropertyChangeEvent;
import java.beans.PropertyChangeListener;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.bouncycastle.tls.DTLSTransport;
import org.bouncycastle.tls.TlsCloseable;
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
import org.ice4j.util.Buffer;
import org.ice4j.util.BufferPool;
import org.jitsi.srtp.SrtpErrorStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebRTC transport (ICE + DTLS + SRTP, BUNDLE and rtcp-mux: one ICE stream with one component) for one
 * participant. The same class serves the SFU ({@link Role#SERVER}: ICE-controlled, a=setup:passive, DTLS
 * server) and Java test clients / load-test bots ({@link Role#CLIENT}: ICE-controlling, DTLS client).
 *
 * <p>Lifecycle: create; put {@link #localUfrag()}, {@link #localPassword()}, {@link #localCandidates()} and
 * the certificate fingerprint in the SDP; {@link #setRemoteIceCredentials}, {@link #setRemoteFingerprint},
 * {@link #addRemoteCandidate} (any time, trickle); {@link #start()}; wait for
 * {@link Event#DTLS_CONNECTED}; then {@link #sendRtp}/{@link #sendRtcp} and receive through
 * {@link Listener#onRtp}/{@link Listener#onRtcp}; {@link #close()}.
 *
 * <p>Threads: packets are delivered on the reader thread of the {@link SharedUdpPort} (see
 * {@link Ice4jSetup} for why we use ice4j's push API); listeners must not block there. The DTLS handshake
 * runs on {@link TransportRuntime#DTLS}, never on the packet thread. State events come from ice4j, DTLS
 * or timer threads. Do not call {@link #close()} from inside a listener callback; hand it to another thread.
 */
public final class WebRtcTransport implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebRtcTransport.class);

    /**
     * Priority announced for our passive TCP host candidate (ice4j gives TCP the same priority as UDP). RFC 8445
     * formula with host type preference 126 and the RFC 6544 section 4.2 local preference for a passive
     * candidate, (2^13 * 4) + 8191: below the UDP host candidate (2130706431), so a client that can do UDP
     * prefers it and TCP is the fallback.
     */
    static final long TCP_PASSIVE_HOST_PRIORITY = (126L << 24) + ((4L * 8192 + 8191) << 8) + (256 - 1);

    /** Which end of the WebRTC session this is. */
    public enum Role {
        /** SFU side: ICE controlled, DTLS server, answers a=setup:passive. */
        SERVER,
        /** Test client / bot side: ICE controlling, DTLS client, a=setup:active. */
        CLIENT
    }

    /** Transitions reported to {@link Listener#onStateChanged}. */
    public enum Event { ICE_CHECKING, ICE_CONNECTED, ICE_FAILED, DTLS_CONNECTED, DTLS_FAILED, CLOSED }

    public enum IceState { NEW, CHECKING, CONNECTED, FAILED, CLOSED }

    public enum DtlsState { NEW, CONNECTING, CONNECTED, FAILED, CLOSED }

    /** Callbacks. All have empty defaults. */
    public interface Listener {
        /** {@code reason} is null for successes; for failures it starts with a named reason. */
        default void onStateChanged(WebRtcTransport transport, Event event, String reason) {
        }

        /**
         * A decrypted RTP packet at {@code buf[off..off+len)}. The array is reused as soon as this returns:
         * copy what you keep. Called on the port's packet thread.
         */
        default void onRtp(WebRtcTransport transport, byte[] buf, int off, int len) {
        }

        /** A decrypted (compound) RTCP packet; same rules as {@link #onRtp}. */
        default void onRtcp(WebRtcTransport transport, byte[] buf, int off, int len) {
        }
    }

    private final Role role;
    /** The shared port (SERVER) or null (CLIENT, which has a socket of its own). */
    private final SharedUdpPort port;
    private final Thread clientReader;
    private final TransportConfig config;
    private final DtlsCertificate certificate;
    private final Listener listener;

    private final Agent agent;
    private final IceMediaStream stream;
    private final Component component;
    private final PropertyChangeListener iceStateListener = this::onIceStateChange;
    private final PropertyChangeListener pairListener = this::onPairChange;

    private final DtlsPacketQueue dtlsQueue = new DtlsPacketQueue(this::sendDtls);
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Object sendLock = new Object();
    private final Object iceLock = new Object();
    /** Receive-side view, only used on the port's packet thread. */
    private final SrtpBuffer rxView = new SrtpBuffer();
    /** Send-side view, guarded by {@link #sendLock}. */
    private final SrtpBuffer txView = new SrtpBuffer();

    private volatile String remoteFingerprint;
    private volatile IceState iceState = IceState.NEW;
    private volatile DtlsState dtlsState = DtlsState.NEW;
    private volatile DtlsFailure dtlsFailure;
    private volatile String failureReason;
    private volatile DTLSTransport dtlsTransport;
    private volatile TlsCloseable dtlsPeer;
    private volatile SrtpSession srtp;
    private volatile long lastHeardNanos;
    private volatile ScheduledFuture<?> consentTask;
    private boolean startRequested;
    private boolean iceStarted;

    private final LongAdder packetsIn = new LongAdder();
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder packetsOut = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private final LongAdder rtpIn = new LongAdder();
    private final LongAdder rtcpIn = new LongAdder();
    private final LongAdder rtpOut = new LongAdder();
    private final LongAdder rtcpOut = new LongAdder();
    private final LongAdder dtlsIn = new LongAdder();
    private final SharedDropCounters drops = new SharedDropCounters(DropStage.TRANSPORT);

    private WebRtcTransport(Role role, SharedUdpPort port, TransportConfig config, DtlsCertificate certificate,
                            Listener listener) throws IOException {
        this.role = Objects.requireNonNull(role, "role");
        this.port = port;
        this.config = config;
        this.certificate = Objects.requireNonNull(certificate, "certificate");
        this.listener = listener == null ? new Listener() { } : listener;
        Ice4jSetup.install();
        TransportRuntime.warmUp();
        agent = new Agent();
        boolean ok = false;
        try {
            agent.setControlling(role == Role.CLIENT);
            agent.setUseDynamicPorts(false); // never ice4j's HostCandidateHarvester: no interface enumeration
            if (port == null) {
                agent.addCandidateHarvester(new ClientHostHarvester(config.bindAddress()));
            } else {
                if (config.udpEnabled()) {
                    agent.addCandidateHarvester(port.harvester());
                }
                if (port.tcp() != null) {
                    agent.addCandidateHarvester(port.tcp());
                }
            }
            agent.setPerformConsentFreshness(true);
            agent.addStateChangeListener(iceStateListener);
            stream = agent.createMediaStream("media");
            stream.addPairChangeListener(pairListener);
            if (port != null) {
                // SERVER: push API, packets arrive on the shared port's reader thread (see Ice4jSetup).
                component = agent.createComponent(stream, KeepAliveStrategy.SELECTED_ONLY, false);
                component.setBufferCallback(this::onPacket);
                clientReader = null;
                port.register(this);
                if (port.tcp() != null) {
                    port.tcp().register(agent.getLocalUfrag(), this);
                }
            } else {
                // CLIENT: its own socket, so no push API (ice4j only pushes for SinglePortUdpHarvester); one
                // reader thread on the component socket, which only passes packets from validated remotes.
                component = agent.createComponent(stream, KeepAliveStrategy.SELECTED_ONLY, true);
                clientReader = new Thread(this::readClientSocket, "chorus-client-reader-" + agent.getLocalUfrag());
                clientReader.setDaemon(true);
                clientReader.start();
            }
            ok = true;
        } finally {
            if (!ok) {
                agent.free();
            }
        }
    }

    /** A SERVER transport (ICE controlled, DTLS server) on the SFU's shared port. */
    public static WebRtcTransport createServer(SharedUdpPort port, DtlsCertificate certificate, Listener listener)
            throws IOException {
        return new WebRtcTransport(Role.SERVER, Objects.requireNonNull(port, "port"), port.config(), certificate,
                listener);
    }

    /**
     * A CLIENT transport (ICE controlling, DTLS client: tests, native bots) with a socket of its own on
     * {@code config.bindAddress()} and an ephemeral port ({@code config.port()} is ignored). Threads: one
     * reader, ended by {@link #close()}.
     */
    public static WebRtcTransport createClient(TransportConfig config, DtlsCertificate certificate,
                                               Listener listener) throws IOException {
        return new WebRtcTransport(Role.CLIENT, null, config, certificate, listener);
    }

    /** CLIENT receive loop: one reused buffer, delivers to the same demux as the push path. */
    private void readClientSocket() {
        byte[] buf = new byte[Ice4jSetup.BUFFER_CAPACITY];
        java.net.DatagramPacket pkt = new java.net.DatagramPacket(buf, buf.length);
        java.net.DatagramSocket socket = component.getSocket();
        while (!closed.get()) {
            try {
                pkt.setData(buf, 0, buf.length);
                socket.receive(pkt);
            } catch (IOException e) {
                break; // closed
            }
            handleDatagram(pkt.getData(), pkt.getOffset(), pkt.getLength());
        }
    }

    // ---------------------------------------------------------------- local description

    public Role role() {
        return role;
    }

    public String localUfrag() {
        return agent.getLocalUfrag();
    }

    public String localPassword() {
        return agent.getLocalPassword();
    }

    /** Our DTLS fingerprint for a=fingerprint ("sha-256 AB:CD:..."). */
    public String localFingerprint() {
        return certificate.fingerprint();
    }

    /** The a=setup value for our SDP: SERVER answers passive, CLIENT is active. */
    public String localSetupRole() {
        return role == Role.SERVER ? "passive" : "active";
    }

    /**
     * Local candidates, known at creation: the UDP host candidate on the shared port (unless UDP is disabled)
     * and, with ICE-TCP on, a passive TCP host candidate on the shared TCP listener. With a configured
     * {@link TransportConfig#advertisedAddress()} (1:1 NAT, or a test proxy in front of the SFU) every candidate
     * announces that address, and the advertised ports where set, <em>instead of</em> the bound ones: a client
     * then reaches us only through the mapping. The ICE agent still works on the bound addresses; it never
     * needs to know the mapping, because the SFU only answers checks (it is ICE-controlled).
     */
    public List<IceCandidate> localCandidates() {
        List<IceCandidate> out = new ArrayList<>();
        InetAddress pub = config.advertisedAddress();
        for (LocalCandidate c : component.getLocalCandidates()) {
            TransportAddress a = c.getTransportAddress();
            boolean tcp = a.getTransport() == Transport.TCP;
            String host = pub != null ? pub.getHostAddress() : a.getHostAddress();
            int mapped = tcp ? config.advertisedTcpPort() : config.advertisedPort();
            int p = pub != null && mapped != 0 ? mapped : a.getPort();
            if (tcp) {
                out.add(new IceCandidate(c.getFoundation(), 1, "tcp", TCP_PASSIVE_HOST_PRIORITY, host, p,
                        c.getType().toString(), java.util.Optional.empty(), java.util.OptionalInt.empty(),
                        java.util.Optional.of("passive"), java.util.Map.of()));
            } else {
                out.add(IceCandidate.udp(c.getFoundation(), c.getPriority(), host, p, c.getType().toString()));
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- remote description

    public void setRemoteIceCredentials(String ufrag, String password) {
        stream.setRemoteUfrag(Objects.requireNonNull(ufrag, "ufrag"));
        stream.setRemotePassword(Objects.requireNonNull(password, "password"));
        maybeStartIce();
    }

    /**
     * The peer's a=fingerprint. Its DTLS certificate must hash to this, or DTLS fails with
     * {@link DtlsFailure#FINGERPRINT_MISMATCH}.
     *
     * @param hashFunction e.g. "sha-256"
     * @param value        colon-separated hex, any case
     */
    public void setRemoteFingerprint(String hashFunction, String value) {
        this.remoteFingerprint = hashFunction.trim() + " " + value.trim();
    }

    /**
     * Parses an SDP candidate line ("candidate:..." or "a=candidate:...") and adds it; see
     * {@link #addRemoteCandidate(IceCandidate)}.
     *
     * @throws IllegalArgumentException if the line is not a valid candidate
     */
    public boolean addRemoteCandidate(String sdpCandidateLine) {
        try {
            return addRemoteCandidate(IceCandidateParser.parse(sdpCandidateLine));
        } catch (SdpException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /**
     * Adds a remote candidate, before or after {@link #start()} (trickle). Returns false, and ignores it, for
     * non-UDP, a component other than 1 (rtcp-mux), an unresolved name (e.g. mDNS ".local"), or an address
     * outside the allowed remote ranges (counted as {@link DropReason#REMOTE_ADDRESS_NOT_ALLOWED}).
     */
    public boolean addRemoteCandidate(IceCandidate c) {
        if (!c.isUdp() || c.component() != 1 || closed.get()) {
            return false;
        }
        InetAddress address = literal(c.address());
        if (address == null) {
            return false;
        }
        if (!config.isAllowed(address)) {
            drop(DropReason.REMOTE_ADDRESS_NOT_ALLOWED);
            return false;
        }
        CandidateType type;
        try {
            type = CandidateType.parse(c.type());
        } catch (IllegalArgumentException e) {
            return false;
        }
        RemoteCandidate rc = new RemoteCandidate(new TransportAddress(address, c.port(), Transport.UDP), component,
                type, c.foundation(), c.priority(), null);
        synchronized (iceLock) {
            if (iceStarted) {
                component.addUpdateRemoteCandidates(rc);
                component.updateRemoteCandidates();
            } else {
                component.addRemoteCandidate(rc);
            }
        }
        maybeStartIce();
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

    /**
     * Starts ICE (and DTLS once ICE connects). Needs the remote ICE credentials and fingerprint. A SERVER
     * starts at once (it can learn the peer from its checks: peer-reflexive); a CLIENT waits for its first
     * remote candidate if it has none yet.
     */
    public void start() {
        if (remoteFingerprint == null) {
            throw new IllegalStateException("setRemoteFingerprint first");
        }
        synchronized (iceLock) {
            startRequested = true;
        }
        maybeStartIce();
    }

    private void maybeStartIce() {
        synchronized (iceLock) {
            if (iceStarted || !startRequested || closed.get() || stream.getRemoteUfrag() == null
                    || stream.getRemotePassword() == null) {
                return;
            }
            if (role == Role.CLIENT && component.getRemoteCandidateCount() == 0) {
                return;
            }
            iceStarted = true;
        }
        agent.startConnectivityEstablishment();
    }

    // ---------------------------------------------------------------- ICE events

    private void onIceStateChange(PropertyChangeEvent ev) {
        if (!Agent.PROPERTY_ICE_PROCESSING_STATE.equals(ev.getPropertyName()) || closed.get()) {
            return;
        }
        IceProcessingState s = (IceProcessingState) ev.getNewValue();
        if (s == IceProcessingState.RUNNING && iceState == IceState.NEW) {
            iceState = IceState.CHECKING;
            fire(Event.ICE_CHECKING, null);
        } else if (s == IceProcessingState.COMPLETED && iceState != IceState.CONNECTED && iceState != IceState.FAILED) {
            iceState = IceState.CONNECTED;
            lastHeardNanos = System.nanoTime();
            fire(Event.ICE_CONNECTED, null);
            startConsentWatch();
            startDtls();
        } else if (s == IceProcessingState.FAILED && iceState != IceState.FAILED) {
            iceFailed("ICE_CHECKS_FAILED");
        }
    }

    private void onPairChange(PropertyChangeEvent ev) {
        if (IceMediaStream.PROPERTY_PAIR_CONSENT_FRESHNESS_CHANGED.equals(ev.getPropertyName())) {
            lastHeardNanos = System.nanoTime(); // a consent (STUN binding) response from the peer
        }
    }

    private void iceFailed(String reason) {
        if (closed.get()) {
            return;
        }
        iceState = IceState.FAILED;
        failureReason = reason;
        ScheduledFuture<?> t = consentTask;
        if (t != null) {
            t.cancel(false);
        }
        fire(Event.ICE_FAILED, reason);
    }

    /**
     * RFC 7675 consent freshness. ice4j sends the consent checks (interval from application.conf) and tells
     * us about each answer; it never declares the session dead itself. We do: when nothing authenticated
     * (consent answer, SRTP that verified, DTLS after the handshake) arrived for
     * {@link TransportConfig#consentTimeout()}, ICE fails with "CONSENT_EXPIRED".
     */
    private void startConsentWatch() {
        long timeoutNanos = config.consentTimeout().toNanos();
        long period = Math.max(50, Math.min(1000, config.consentTimeout().toMillis() / 10));
        consentTask = TransportRuntime.TIMER.scheduleAtFixedRate(() -> {
            if (iceState == IceState.CONNECTED && !closed.get()) {
                long silent = System.nanoTime() - lastHeardNanos;
                if (silent > timeoutNanos) {
                    iceFailed("CONSENT_EXPIRED: nothing heard from the peer for "
                            + TimeUnit.NANOSECONDS.toMillis(silent) + " ms");
                }
            }
        }, period, period, TimeUnit.MILLISECONDS);
    }

    // ---------------------------------------------------------------- DTLS

    private void startDtls() {
        dtlsState = DtlsState.CONNECTING;
        String fp = remoteFingerprint;
        try {
            TransportRuntime.DTLS.execute(() -> runHandshake(fp));
        } catch (RuntimeException e) {
            dtlsFailed(DtlsFailure.PROTOCOL_ERROR, "PROTOCOL_ERROR: cannot start handshake: " + e);
        }
    }

    private void runHandshake(String fp) {
        try {
            DtlsHandshake.Result r = DtlsHandshake.run(role == Role.SERVER, certificate, config.srtpProfiles(), fp,
                    dtlsQueue, (int) config.dtlsHandshakeTimeout().toMillis(), p -> dtlsPeer = p);
            SrtpSession s = new SrtpSession(r.profile(), r.localKey(), r.localSalt(), r.remoteKey(), r.remoteSalt());
            if (closed.get()) {
                s.close();
                return;
            }
            dtlsTransport = r.transport();
            srtp = s;
            dtlsState = DtlsState.CONNECTED;
            lastHeardNanos = System.nanoTime();
            fire(Event.DTLS_CONNECTED, null);
            if (!dtlsQueue.isEmpty()) {
                scheduleDrain();
            }
        } catch (DtlsHandshake.DtlsException e) {
            if (!closed.get()) {
                LOG.debug("DTLS failed {}", e.getMessage(), e);
                dtlsFailed(e.failure, e.getMessage());
            }
        } catch (RuntimeException e) {
            if (!closed.get()) {
                dtlsFailed(DtlsFailure.PROTOCOL_ERROR, "PROTOCOL_ERROR: " + e);
            }
        }
    }

    private void dtlsFailed(DtlsFailure f, String reason) {
        dtlsFailure = f;
        failureReason = reason;
        dtlsState = DtlsState.FAILED;
        fire(Event.DTLS_FAILED, reason);
    }

    /**
     * After the handshake, DTLS records still arrive now and then (a retransmitted final flight, alerts).
     * Rather than parking a thread per transport in BC's blocking receive, we run a short drain task on the
     * DTLS pool whenever such records are queued.
     */
    private void scheduleDrain() {
        if (draining.compareAndSet(false, true)) {
            try {
                TransportRuntime.DTLS.execute(this::drain);
            } catch (RuntimeException e) {
                draining.set(false);
            }
        }
    }

    private void drain() {
        DTLSTransport t = dtlsTransport;
        try {
            byte[] tmp = new byte[DtlsPacketQueue.RECEIVE_LIMIT];
            while (t != null && !closed.get() && !dtlsQueue.isEmpty()) {
                int n = t.receive(tmp, 0, tmp.length, 1);
                if (n >= 0) {
                    drop(DropReason.DTLS_IGNORED); // application data: we have no data channels here
                }
            }
        } catch (IOException e) {
            if (!closed.get() && dtlsState == DtlsState.CONNECTED) {
                dtlsState = DtlsState.CLOSED; // close_notify or fatal alert from the peer
                LOG.debug("DTLS closed by peer: {}", e.toString());
            }
        } finally {
            draining.set(false);
        }
        if (!closed.get() && !dtlsQueue.isEmpty() && dtlsState == DtlsState.CONNECTED) {
            scheduleDrain();
        }
    }

    private void sendDtls(byte[] buf, int off, int len) throws IOException {
        if (!sendRaw(buf, off, len)) {
            throw new IOException("DTLS send failed: " + (component.getSelectedPair() == null ? "no selected pair" : "socket"));
        }
    }

    // ---------------------------------------------------------------- receive path

    /**
     * ICE-TCP: binds an accepted connection to this transport (its first STUN frame named our ufrag). The
     * connection becomes a socket of our passive TCP candidate and of the agent's STUN stack, so ice4j answers
     * the checks on it and, once the pair is selected, {@code component.send} writes to it. False if closed.
     */
    boolean attachTcp(IceTcpListener.TcpIceSocket socket) {
        if (closed.get() || !config.isAllowed(socket.connection.remote.getAddress())) {
            return false;
        }
        TransportAddress local = new TransportAddress(socket.getLocalAddress(), socket.getLocalPort(), Transport.TCP);
        for (LocalCandidate c : component.getLocalCandidates()) {
            if (c instanceof org.ice4j.ice.TcpHostCandidate tc && local.equals(c.getTransportAddress())) {
                tc.addSocket(socket);
                agent.getStunStack().addSocket(socket, socket.remoteTransportAddress());
                LOG.debug("ICE-TCP connection from {} attached to {}", socket.connection.remote, localUfrag());
                return true;
            }
        }
        return false;
    }

    /** ICE-TCP: the connection is closing; stop the STUN stack's reader of it (ice4j closes the socket). */
    void detachTcp(IceTcpListener.TcpIceSocket socket) {
        TransportAddress local = new TransportAddress(socket.getLocalAddress(), socket.getLocalPort(), Transport.TCP);
        agent.getStunStack().removeSocket(local, socket.remoteTransportAddress());
    }

    /** ICE-TCP: one non-STUN frame (DTLS, SRTP, SRTCP) of an attached connection, on the listener's thread. */
    void receiveTcp(byte[] buf, int off, int len) {
        handleDatagram(buf, off, len);
    }

    /** ice4j push callback, on the port's reader thread. We own {@code b} and return it to the pool. */
    private void onPacket(Buffer b) {
        try {
            handleDatagram(b.getBuffer(), b.getOffset(), b.getLength());
        } finally {
            BufferPool.returnBuffer.invoke(b);
        }
    }

    /** RFC 7983 demux of one non-STUN datagram; decrypts SRTP in place and delivers it. */
    private void handleDatagram(byte[] buf, int off, int len) {
        try {
            packetsIn.increment();
            bytesIn.add(len);
            if (closed.get()) {
                drop(DropReason.TRANSPORT_CLOSED);
                return;
            }
            switch (PacketKind.classify(buf, off, len)) {
                case RTP -> receiveRtp(buf, off, len);
                case RTCP -> receiveRtcp(buf, off, len);
                case DTLS -> receiveDtls(buf, off, len);
                // STUN never gets here (ice4j takes it off the socket first); count it, never drop silently.
                case STUN, UNKNOWN -> drop(DropReason.UNKNOWN_FIRST_BYTE);
            }
        } catch (RuntimeException e) {
            drop(DropReason.MALFORMED);
            LOG.debug("packet handling failed", e);
        }
    }

    private void receiveDtls(byte[] buf, int off, int len) {
        dtlsIn.increment();
        if (!dtlsQueue.offer(buf, off, len)) {
            drop(closed.get() ? DropReason.TRANSPORT_CLOSED : DropReason.DTLS_QUEUE_FULL);
            return;
        }
        if (dtlsState == DtlsState.CONNECTED) {
            lastHeardNanos = System.nanoTime();
            scheduleDrain();
        }
    }

    private void receiveRtp(byte[] buf, int off, int len) {
        SrtpSession s = srtp;
        if (s == null) {
            drop(DropReason.NOT_DTLS_CONNECTED);
            return;
        }
        if (len < 12 + s.rtpOverhead()) {
            drop(DropReason.MALFORMED);
            return;
        }
        SrtpErrorStatus st;
        try {
            st = s.unprotectRtp(rxView.wrap(buf, off, len));
        } catch (Exception e) {
            drop(DropReason.SRTP_ERROR);
            return;
        }
        if (st == SrtpErrorStatus.OK) {
            lastHeardNanos = System.nanoTime();
            rtpIn.increment();
            listener.onRtp(this, buf, off, rxView.getLength());
        } else {
            drop(reasonOf(st));
        }
    }

    private void receiveRtcp(byte[] buf, int off, int len) {
        SrtpSession s = srtp;
        if (s == null) {
            drop(DropReason.NOT_DTLS_CONNECTED);
            return;
        }
        if (len < 8 + s.rtcpOverhead()) {
            drop(DropReason.MALFORMED);
            return;
        }
        SrtpErrorStatus st;
        try {
            st = s.unprotectRtcp(rxView.wrap(buf, off, len));
        } catch (Exception e) {
            drop(DropReason.SRTP_ERROR);
            return;
        }
        if (st == SrtpErrorStatus.OK) {
            lastHeardNanos = System.nanoTime();
            rtcpIn.increment();
            listener.onRtcp(this, buf, off, rxView.getLength());
        } else {
            drop(reasonOf(st));
        }
    }

    private static DropReason reasonOf(SrtpErrorStatus st) {
        if (st == null) {
            return DropReason.TOO_MANY_SSRCS;
        }
        return switch (st) {
            case AUTH_FAIL -> DropReason.SRTP_AUTH_FAILED;
            case REPLAY_FAIL, REPLAY_OLD -> DropReason.SRTP_REPLAY;
            case INVALID_PACKET -> DropReason.MALFORMED;
            default -> DropReason.SRTP_ERROR;
        };
    }

    // ---------------------------------------------------------------- send path

    /**
     * SRTP-protects the RTP packet at {@code buf[off..off+len)} <em>in place</em> (the caller's bytes become
     * ciphertext plus tag; leave {@link dev.chorus.sfu.buffer.PacketBuffer#TAIL_ROOM} bytes after it) and sends it on the selected pair.
     * Thread-safe. Returns false if it was dropped (counted by reason).
     */
    public boolean sendRtp(byte[] buf, int off, int len) {
        return sendSrtp(buf, off, len, false);
    }

    /** Same as {@link #sendRtp} for a (compound) RTCP packet. */
    public boolean sendRtcp(byte[] buf, int off, int len) {
        return sendSrtp(buf, off, len, true);
    }

    private boolean sendSrtp(byte[] buf, int off, int len, boolean rtcp) {
        if (closed.get()) {
            drop(DropReason.TRANSPORT_CLOSED);
            return false;
        }
        SrtpSession s = srtp;
        if (s == null) {
            drop(DropReason.NOT_DTLS_CONNECTED);
            return false;
        }
        if (len < (rtcp ? 8 : 12)) {
            drop(DropReason.MALFORMED);
            return false;
        }
        synchronized (sendLock) {
            SrtpErrorStatus st;
            try {
                txView.wrap(buf, off, len);
                st = rtcp ? s.protectRtcp(txView) : s.protectRtp(txView);
            } catch (Exception e) {
                drop(DropReason.SRTP_ERROR);
                return false;
            }
            if (st != SrtpErrorStatus.OK) {
                drop(reasonOf(st));
                return false;
            }
            if (!sendRaw(txView.getBuffer(), txView.getOffset(), txView.getLength())) {
                return false;
            }
        }
        (rtcp ? rtcpOut : rtpOut).increment();
        return true;
    }

    private boolean sendRaw(byte[] buf, int off, int len) {
        CandidatePair pair = component.getSelectedPair();
        if (pair == null) {
            drop(DropReason.NO_SELECTED_PAIR);
            return false;
        }
        try {
            component.send(buf, off, len);
        } catch (IOException e) {
            drop(DropReason.SOCKET_SEND_FAILED);
            return false;
        }
        packetsOut.increment();
        bytesOut.add(len);
        return true;
    }

    /** Test hook: sends bytes as they are (no SRTP) on the selected pair. */
    boolean sendRawForTest(byte[] buf, int off, int len) {
        return sendRaw(buf, off, len);
    }

    /** Test hook: the SRTP session, null before DTLS connects. */
    SrtpSession srtpSessionForTest() {
        return srtp;
    }

    // ---------------------------------------------------------------- state, counters

    private void drop(DropReason r) {
        drops.increment(r);
    }

    public long drops(DropReason r) {
        return drops.get(r);
    }

    public long packetsIn() {
        return packetsIn.sum();
    }

    public long packetsOut() {
        return packetsOut.sum();
    }

    public long bytesIn() {
        return bytesIn.sum();
    }

    public long bytesOut() {
        return bytesOut.sum();
    }

    public long rtpReceived() {
        return rtpIn.sum();
    }

    public long rtcpReceived() {
        return rtcpIn.sum();
    }

    public IceState iceState() {
        return iceState;
    }

    public DtlsState dtlsState() {
        return dtlsState;
    }

    /** The named DTLS failure, or null. */
    public DtlsFailure dtlsFailure() {
        return dtlsFailure;
    }

    /** The negotiated SRTP profile, or null before DTLS connects. */
    public SrtpProfile srtpProfile() {
        SrtpSession s = srtp;
        return s == null ? null : s.profile;
    }

    public boolean isClosed() {
        return closed.get();
    }

    /** The shared port of a SERVER transport; null for a CLIENT. */
    public SharedUdpPort port() {
        return port;
    }

    private void fire(Event e, String reason) {
        try {
            listener.onStateChanged(this, e, reason);
        } catch (RuntimeException ex) {
            LOG.warn("listener failed on {}", e, ex);
        }
    }

    /** A snapshot for /debug. */
    public ObjectNode toJson() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode o = f.objectNode();
        o.put("role", role.name());
        o.put("localUfrag", localUfrag());
        o.put("closed", closed.get());
        o.put("iceState", iceState.name());
        o.put("iceAgentState", agent.getState().toString());
        CandidatePair pair = component.getSelectedPair();
        if (pair != null) {
            ObjectNode p = o.putObject("selectedPair");
            p.put("local", pair.getLocalCandidate().getTransportAddress().toString());
            p.put("remote", pair.getRemoteCandidate().getTransportAddress().toString());
            p.put("remoteType", pair.getRemoteCandidate().getType().toString());
        }
        o.put("dtlsState", dtlsState.name());
        if (dtlsFailure != null) {
            o.put("dtlsFailure", dtlsFailure.name());
        }
        if (failureReason != null) {
            o.put("failureReason", failureReason);
        }
        SrtpProfile p = srtpProfile();
        o.put("srtpProfile", p == null ? null : p.name());
        o.put("msSinceHeard", lastHeardNanos == 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastHeardNanos));
        ObjectNode c = o.putObject("counters");
        c.put("packetsIn", packetsIn.sum());
        c.put("bytesIn", bytesIn.sum());
        c.put("packetsOut", packetsOut.sum());
        c.put("bytesOut", bytesOut.sum());
        c.put("rtpIn", rtpIn.sum());
        c.put("rtcpIn", rtcpIn.sum());
        c.put("rtpOut", rtpOut.sum());
        c.put("rtcpOut", rtcpOut.sum());
        c.put("dtlsIn", dtlsIn.sum());
        o.set("drops", drops.toJson());
        return o;
    }

    // ---------------------------------------------------------------- close

    /**
     * Releases everything: consent timer, DTLS handshake (cancelled) and queue, SRTP contexts, the ICE agent
     * (its candidate and its sessions on the shared port), and the port itself if this transport owns it.
     * Idempotent. Sends no DTLS close_notify (signaling says goodbye; the peer's consent check notices).
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        ScheduledFuture<?> t = consentTask;
        if (t != null) {
            t.cancel(false);
        }
        dtlsQueue.close();
        TlsCloseable peer = dtlsPeer;
        if (peer != null && dtlsState != DtlsState.CONNECTED) {
            try {
                peer.close();
            } catch (IOException | RuntimeException ignored) {
                // cancelling a handshake that is failing anyway
            }
        }
        SrtpSession s = srtp;
        srtp = null;
        if (s != null) {
            s.close();
        }
        try {
            agent.removeStateChangeListener(iceStateListener);
            stream.removePairStateChangeListener(pairListener);
            agent.free();
        } catch (RuntimeException e) {
            LOG.warn("agent.free failed", e);
        }
        if (port != null) {
            port.unregister(this);
            if (port.tcp() != null) {
                port.tcp().unregister(localUfrag());
            }
        }
        if (clientReader != null) {
            component.getSocket().close(); // normally already closed by agent.free(); ends the reader
        }
        iceState = IceState.CLOSED;
        if (dtlsState != DtlsState.FAILED) {
            dtlsState = DtlsState.CLOSED;
        }
        fire(Event.CLOSED, null);
    }
}
