package dev.chorus.sfu.transport;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.drop.DropReason;
import dev.chorus.sfu.sdp.IceCandidate;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebRTC transport (ICE + DTLS + SRTP, BUNDLE and rtcp-mux) for one participant. {@link Role#SERVER} (on
 * {@link MediaPorts}): ICE-controlled, a=setup:passive, DTLS server. {@link Role#CLIENT} (tests, bots, later
 * server-to-server relays): ICE-controlling, DTLS client, a socket of its own.
 *
 * <p>Lifecycle: create; put the local ufrag, password, candidates and fingerprint in the SDP; set the remote
 * credentials, fingerprint and candidates (any time, trickle); {@link #start()}; wait for
 * {@link Event#DTLS_CONNECTED}; send with {@link #sendRtp}/{@link #sendRtcp}, receive through the {@link Listener};
 * {@link #close()}, never from inside a listener callback.
 *
 * <p>A facade over parts with one job each: {@link IceSession}, {@link ConsentFreshness}, {@link DtlsSession},
 * {@link SrtpPacketPath} (with {@link TransportCounters}), {@link IceTcpAttachment} (SERVER) and
 * {@link ClientSocketReader} (CLIENT). Which thread runs what: see the package documentation.
 */
public final class WebRtcTransport implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebRtcTransport.class);

    /** Which end of the WebRTC session this is. */
    public enum Role {
        /** SFU side: ICE controlled, DTLS server, answers a=setup:passive. */
        SERVER,
        /** Test client / bot / relay side: ICE controlling, DTLS client, a=setup:active. */
        CLIENT
    }

    /** Transitions reported to {@link Listener#onStateChanged}; failures come with a reason. */
    public enum Event {
        ICE_CHECKING,
        ICE_CONNECTED,
        /** An ICE restart's new path has a selected pair: media and DTLS go over it now, the old one is closed. */
        ICE_RESTARTED,
        /** An ICE restart's new path failed or timed out (reason); the old path, still working, is kept. */
        ICE_RESTART_FAILED,
        ICE_FAILED,
        DTLS_CONNECTED,
        DTLS_FAILED,
        CLOSED
    }

    public enum IceState {
        NEW,
        CHECKING,
        CONNECTED,
        FAILED,
        CLOSED
    }

    public enum DtlsState {
        NEW,
        CONNECTING,
        CONNECTED,
        FAILED,
        CLOSED
    }

    /** Callbacks, all with empty defaults. */
    public interface Listener {
        /** {@code reason} is null for successes; for failures it starts with a named reason. */
        default void onStateChanged(WebRtcTransport transport, Event event, String reason) {}

        /** A decrypted RTP packet, on the packet thread; {@code buf} is reused once this returns. */
        default void onRtp(WebRtcTransport transport, byte[] buf, int off, int len) {}

        /**
         * Only after {@link #decryptRtpOneIn} with n &gt; 1: an RTP packet left as it came (neither authenticated nor
         * decrypted; the SRTP tag is cut off {@code len}): its header is plain RTP, its payload (and a padding
         * count) still encrypted. Same thread and buffer rules as {@link #onRtp}.
         */
        default void onUndecryptedRtp(WebRtcTransport transport, byte[] buf, int off, int len) {}

        /** A decrypted (compound) RTCP packet; same rules as {@link #onRtp}. */
        default void onRtcp(WebRtcTransport transport, byte[] buf, int off, int len) {}
    }

    private final Role role;
    /** The ports of a SERVER transport; null for a CLIENT. */
    private final MediaPorts ports;

    private final DtlsCertificate certificate;
    private final Listener listener;
    private final TransportCounters counters = new TransportCounters();
    private final TransportConfig config;
    private final TransportRuntime runtime;
    /** The parts; package-private for the tests, which use them directly. */
    final IcePath ice;

    private final DtlsSession dtls;
    final SrtpPacketPath packets;

    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean dtlsStarted = new AtomicBoolean();
    private volatile String failureReason;
    private volatile DataChannelLink dataChannels;

    private WebRtcTransport(
            Role role,
            MediaPorts ports,
            TransportConfig config,
            TransportRuntime runtime,
            DtlsCertificate certificate,
            Listener listener)
            throws IOException {
        this.role = role;
        this.ports = ports;
        this.config = config;
        this.runtime = runtime;
        this.certificate = Objects.requireNonNull(certificate, "certificate");
        this.listener = listener == null ? new Listener() {} : listener;
        IceSession first = openIceSession();
        ice = new IcePath(first, runtime.timer, config.consentTimeout().toMillis());
        try {
            dtls = new DtlsSession(
                    role == Role.SERVER,
                    certificate,
                    config,
                    runtime,
                    ice,
                    counters,
                    this::installKeys,
                    this::onDtlsState);
            packets = new SrtpPacketPath(this, this.listener, dtls, ice, counters);
            if (ports != null) {
                ports.register(this);
            }
            receiveFrom(first);
        } catch (RuntimeException e) {
            first.close();
            if (ports != null) {
                ports.unregister(this);
            }
            throw e;
        }
    }

    /**
     * A new ICE session: on the shared ports for a SERVER; for a CLIENT on a socket of its own (one the process's
     * read loop drains, with {@link TransportConfig#sharedClientReads()}), closed with the session.
     */
    private IceSession openIceSession() throws IOException {
        if (ports != null) {
            return new IceSession(
                    false, ports.harvesters(), ports::sessionSocket, config, runtime, counters, this::onIceState);
        }
        ClientUdpSocket socket = config.sharedClientReads() ? new ClientUdpSocket(config.bindAddress()) : null;
        try {
            IceSession s = new IceSession(
                    true,
                    List.of(new ClientHostHarvester(config.bindAddress(), socket)),
                    null,
                    config,
                    runtime,
                    counters,
                    this::onIceState);
            s.sharedSocket = socket;
            return s;
        } catch (IOException | RuntimeException e) {
            if (socket != null) {
                socket.close(); // the agent never got it
            }
            throw e;
        }
    }

    /** Wires what {@code session} receives to the packet path, undone when the session closes. */
    private void receiveFrom(IceSession session) {
        if (ports != null) {
            session.component().setBufferCallback(packets::receive); // the shared port's reader pushes to us
            String ufrag = session.localUfrag();
            ports.attachUfrag(ufrag, new IceTcpAttachment(session, packets, config));
            session.closeWith(() -> ports.detachUfrag(ufrag));
        } else if (session.sharedSocket != null) {
            ClientUdpSocket socket = session.sharedSocket;
            socket.attach(packets, session.component(), counters);
            TransportRuntime.clientReads().add(socket);
            session.closeWith(socket::close);
        } else {
            ClientSocketReader reader =
                    ClientSocketReader.start(session.component().getSocket(), packets, session.localUfrag());
            session.closeWith(reader::stop);
        }
    }

    /** A SERVER transport on the SFU's shared ports. */
    public static WebRtcTransport createServer(MediaPorts ports, DtlsCertificate certificate, Listener listener)
            throws IOException {
        Objects.requireNonNull(ports, "ports");
        return new WebRtcTransport(Role.SERVER, ports, ports.config(), ports.runtime(), certificate, listener);
    }

    /** A CLIENT transport with a socket of its own on {@code config.bindAddress()}, ephemeral port. */
    public static WebRtcTransport createClient(TransportConfig config, DtlsCertificate certificate, Listener listener)
            throws IOException {
        SrtpWarmUp.run();
        return new WebRtcTransport(Role.CLIENT, null, config, TransportRuntime.forClients(), certificate, listener);
    }

    /** The ufrag the next SDP answer announces: an ICE restart's new one once {@link #restartIce} ran. */
    public String localUfrag() {
        return ice.newest().localUfrag();
    }

    public String localPassword() {
        return ice.newest().localPassword();
    }

    /** Our DTLS fingerprint for a=fingerprint ("sha-256 AB:CD:..."). */
    public String localFingerprint() {
        return certificate.fingerprint();
    }

    /** The a=setup value for our SDP: SERVER answers passive, CLIENT is active. */
    public String localSetupRole() {
        return role == Role.SERVER ? "passive" : "active";
    }

    /** Known at creation: UDP host and/or passive TCP host, announcing the advertised address if configured. */
    public List<IceCandidate> localCandidates() {
        return ice.newest().localCandidates();
    }

    /** The peer's ICE credentials; after {@link #restartIce}, its new ones. */
    public void setRemoteIceCredentials(String ufrag, String password) {
        IceSession s = ice.newest();
        s.setRemoteCredentials(Objects.requireNonNull(ufrag, "ufrag"), Objects.requireNonNull(password, "password"));
        if (ports != null) {
            String local = s.localUfrag();
            ports.expectRemoteUfrag(local, ufrag);
            s.closeWith(() -> ports.forgetRemoteUfrag(local));
        }
    }

    /** The peer's a=fingerprint ("sha-256", hex any case), else DTLS fails with FINGERPRINT_MISMATCH. */
    public void setRemoteFingerprint(String hashFunction, String value) {
        dtls.setRemoteFingerprint(hashFunction.trim() + " " + value.trim());
    }

    /** Parses "candidate:..." or "a=candidate:..."; IllegalArgumentException if it is not a valid candidate. */
    public boolean addRemoteCandidate(String sdpCandidateLine) {
        return addRemoteCandidate(IceSession.parseCandidate(sdpCandidateLine));
    }

    /** Any time (trickle). False for non-UDP, component != 1, names (mDNS), or remotes not allowed (counted). */
    public boolean addRemoteCandidate(IceCandidate c) {
        return !closed.get() && ice.newest().addRemoteCandidate(c);
    }

    /**
     * Starts ICE, and DTLS once ICE connects; a CLIENT waits for its first remote candidate. After {@link #restartIce}:
     * starts the restart's checks.
     */
    public void start() {
        if (!dtls.hasRemoteFingerprint()) {
            throw new IllegalStateException("setRemoteFingerprint first");
        }
        ice.newest().start();
    }

    /**
     * An ICE restart, make-before-break. A SERVER answers one when the peer's new offer brings new ICE credentials; a
     * CLIENT (tests, bots) starts one from a new socket. A second ICE session gathers under new local credentials,
     * which {@link #localUfrag()}, {@link #localPassword()} and {@link #localCandidates()} return from now on; give it
     * the peer's new credentials and candidates, then {@link #start()}. Media and DTLS go on over the current path
     * until the new one has a selected pair ({@link Event#ICE_RESTARTED}); DTLS and SRTP carry on across it,
     * unchanged. Should the new path fail, or have no pair within the consent timeout, it is dropped
     * ({@link Event#ICE_RESTART_FAILED}) and the old one kept, unless that failed meanwhile ({@link Event#ICE_FAILED}).
     * A restart still under way is replaced.
     */
    public void restartIce() throws IOException {
        if (closed.get()) {
            throw new IllegalStateException("transport closed");
        }
        IceSession next = openIceSession();
        try {
            receiveFrom(next);
        } catch (RuntimeException e) {
            next.close();
            throw e;
        }
        IceSession old = ice.current();
        retire(ice.beginRestart(next, () -> afterRestartTimeout(next)));
        LOG.debug("[ufrag={}] ICE restart under ufrag {}", old.localUfrag(), next.localUfrag());
        if (ports != null) {
            // A client restarting from an address the old session holds reaches it, not the new one: hand it over.
            old.watchForRestartChecks(next.localUfrag(), () -> {
                int n = ports.releaseUdpAddresses(old.localUfrag());
                if (n > 0) {
                    LOG.info(
                            "[ufrag={}] ICE restart's checks (ufrag {}) came to this session: {} address(es)"
                                    + " handed over",
                            old.localUfrag(),
                            next.localUfrag(),
                            n);
                }
            });
        }
        if (closed.get()) {
            retire(ice.close()); // closed while the session was being made
        }
    }

    /** Abandons a restart begun by {@link #restartIce} (the offer that asked for it was refused). */
    public void cancelIceRestart() {
        retire(ice.cancelRestart());
        String held = ice.heldFailure();
        if (held != null) {
            fire(Event.ICE_FAILED, held);
        }
    }

    private void afterRestartTimeout(IceSession session) {
        act(ice.restartTimedOut(session), IceState.FAILED);
    }

    /**
     * Closes an ICE session taken out of use (null: none), on the transport timer: freeing an ice4j agent takes a
     * while, and this is often called on the other agent's thread.
     */
    private void retire(IceSession session) {
        if (session == null) {
            return;
        }
        try {
            runtime.timer.execute(session::close);
        } catch (RejectedExecutionException e) {
            session.close(); // the ports are closing
        }
    }

    /** Protects in place (leave PacketBuffer.TAIL_ROOM after it) and sends. Thread-safe. False if dropped, counted. */
    public boolean sendRtp(byte[] buf, int off, int len) {
        return packets.sendRtp(buf, off, len);
    }

    /**
     * CLIENT only, for load generators that receive far more than they can decrypt: from now on only RTP packets
     * whose sequence number is a multiple of {@code n} are authenticated, decrypted and given to
     * {@link Listener#onRtp}; the others go to {@link Listener#onUndecryptedRtp} as they came. Per SSRC, one packet
     * in {@code n} (the SRTP context then sees every n-th index, well within its roll-over guess and replay window).
     * RTCP is always decrypted. 1 (the default) decrypts everything.
     */
    public void decryptRtpOneIn(int n) {
        if (role != Role.CLIENT) {
            throw new IllegalStateException("only a CLIENT transport may leave packets encrypted");
        }
        if (n < 1 || n > 0x8000) {
            throw new IllegalArgumentException("decrypt one RTP packet in 1..32768, not " + n);
        }
        packets.decryptRtpOneIn(n);
    }

    /** RTP packets delivered undecrypted ({@link #decryptRtpOneIn}). */
    public long rtpReceivedUndecrypted() {
        return counters.rtpInUndecrypted.sum();
    }

    /** Same as {@link #sendRtp} for a (compound) RTCP packet. */
    public boolean sendRtcp(byte[] buf, int off, int len) {
        return packets.sendRtcp(buf, off, len);
    }

    /** On ice4j's thread (the timer's when consent expires), from either session during a restart. */
    private void onIceState(IceSession source, IceState state, String reason) {
        act(ice.onIceState(source, state, reason), state);
    }

    /** ICE connected starts DTLS, once; an ICE restart's new path needs none (DTLS carries on over it). */
    private void act(IcePath.Decision d, IceState state) {
        retire(d.retired());
        switch (d.outcome()) {
            case NONE -> {}
            case REPORT -> {
                fire(
                        state == IceState.CHECKING
                                ? Event.ICE_CHECKING
                                : state == IceState.CONNECTED ? Event.ICE_CONNECTED : Event.ICE_FAILED,
                        d.reason());
                if (state == IceState.CONNECTED) {
                    startDtlsOnce();
                }
            }
            case RESTARTED -> {
                fire(Event.ICE_RESTARTED, null);
                startDtlsOnce(); // only if the first path never connected
            }
            case RESTART_FAILED -> fire(Event.ICE_RESTART_FAILED, d.reason());
            case FAILED -> fire(Event.ICE_FAILED, d.reason());
        }
    }

    private void startDtlsOnce() {
        if (dtlsStarted.compareAndSet(false, true)) {
            dtls.start();
        }
    }

    private boolean installKeys(SrtpSession keys) {
        return packets.keysReady(keys);
    }

    /** On a DTLS thread (ice4j's when the executor refuses the handshake at once). */
    private void onDtlsState(DtlsState state, String reason) {
        fire(state == DtlsState.CONNECTED ? Event.DTLS_CONNECTED : Event.DTLS_FAILED, reason);
    }

    private void fire(Event e, String reason) {
        if (reason != null) {
            failureReason = reason;
        }
        try {
            listener.onStateChanged(this, e, reason);
        } catch (RuntimeException ex) {
            LOG.warn("[ufrag={}] listener failed on {}", localUfrag(), e, ex);
        }
    }

    public long drops(DropReason r) {
        return counters.drops(r);
    }

    public long packetsIn() {
        return counters.packetsIn.sum();
    }

    public long packetsOut() {
        return counters.packetsOut.sum();
    }

    public long bytesIn() {
        return counters.bytesIn.sum();
    }

    public long bytesOut() {
        return counters.bytesOut.sum();
    }

    public long rtpReceived() {
        return counters.rtpIn.sum();
    }

    public long rtcpReceived() {
        return counters.rtcpIn.sum();
    }

    public IceState iceState() {
        return ice.current().state();
    }

    /**
     * Carries data channels (SCTP over this transport's DTLS, RFC 8261) once the answer accepted a data-channel line;
     * idempotent: later calls return the first link. The listener runs on the transport's DTLS drain thread.
     */
    public synchronized DataChannelLink enableDataChannels(
            dev.chorus.sfu.sctp.SctpConfig config, dev.chorus.sfu.sctp.DataChannels.Listener channelListener) {
        if (dataChannels == null) {
            dataChannels = new DataChannelLink(
                    runtime, config, channelListener, "[ufrag=" + localUfrag() + "]", role == Role.SERVER);
            dtls.enableDataChannels(dataChannels);
        }
        return dataChannels;
    }

    public DtlsState dtlsState() {
        return dtls.state();
    }

    /** The named DTLS failure, or null. */
    public DtlsFailure dtlsFailure() {
        return dtls.failure();
    }

    /** The negotiated SRTP profile, or null before DTLS connects. */
    public SrtpProfile srtpProfile() {
        return packets.profile();
    }

    public boolean isClosed() {
        return closed.get();
    }

    /**
     * The selected ICE pair as {local, remote} socket addresses, or null before ICE has selected one. For a remote
     * behind a TURN relay, remote is the relay's address.
     */
    public java.net.InetSocketAddress[] selectedAddresses() {
        return ice.current().selectedAddresses();
    }

    /** A snapshot for /debug. */
    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("role", role.name());
        o.put("localUfrag", localUfrag());
        o.put("closed", closed.get());
        ice.current().addJson(o);
        ice.addJson(o);
        dtls.addJson(o);
        DataChannelLink link = dataChannels;
        if (link != null) {
            o.set("dataChannels", link.toJson());
        }
        if (failureReason != null) {
            o.put("failureReason", failureReason);
        }
        packets.addJson(o);
        return o;
    }

    /** Releases every part and the ports' registration. Idempotent. No close_notify: signaling says goodbye. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        IceSession current = ice.current();
        IceSession restarting = ice.close();
        dtls.close();
        packets.close();
        current.close();
        retire(restarting);
        if (ports != null) {
            ports.unregister(this);
        }
        fire(Event.CLOSED, null);
    }
}
