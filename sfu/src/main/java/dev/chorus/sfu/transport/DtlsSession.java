package dev.chorus.sfu.transport;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.drop.DropReason;
import dev.chorus.sfu.transport.WebRtcTransport.DtlsState;
import java.io.IOException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bouncycastle.tls.DTLSTransport;
import org.bouncycastle.tls.TlsCloseable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DTLS side of one transport: its record queue, the handshake (run on the bounded
 * {@link DtlsHandshakeExecutor}, never on a packet thread), the short drains after it, and the DTLS state with its
 * named failure. The keys it produces go to the SRTP path through {@link KeySink} before CONNECTED is reported.
 */
final class DtlsSession implements DtlsHandshakeExecutor.Handshake {
    private static final Logger LOG = LoggerFactory.getLogger(DtlsSession.class);

    /** Takes the keys of a finished handshake; false if the transport closed meanwhile (the keys are then closed). */
    interface KeySink {
        boolean keysReady(SrtpSession keys);
    }

    /** CONNECTED, or FAILED with a reason starting with the {@link DtlsFailure}'s name; on a DTLS thread. */
    interface StateListener {
        void onDtlsState(DtlsState state, String reason);
    }

    private final boolean server;
    private final DtlsCertificate certificate;
    private final TransportConfig config;
    private final TransportRuntime runtime;
    private final IcePath ice;
    private final TransportCounters counters;
    private final KeySink keySink;
    private final StateListener listener;
    private final DtlsPacketQueue records = new DtlsPacketQueue(this::sendRecord);
    private final AtomicBoolean draining = new AtomicBoolean();

    private volatile String remoteFingerprint;
    private volatile DtlsState state = DtlsState.NEW;
    private volatile DtlsFailure failure;
    private volatile DTLSTransport connection;
    private volatile TlsCloseable handshakePeer;
    private volatile boolean closed;
    private volatile DataChannelLink dataChannels;

    DtlsSession(
            boolean server,
            DtlsCertificate certificate,
            TransportConfig config,
            TransportRuntime runtime,
            IcePath ice,
            TransportCounters counters,
            KeySink keySink,
            StateListener listener) {
        this.server = server;
        this.certificate = certificate;
        this.config = config;
        this.runtime = runtime;
        this.ice = ice;
        this.counters = counters;
        this.keySink = keySink;
        this.listener = listener;
    }

    /** "sha-256 AB:CD:..." from the peer's SDP; its certificate must hash to it. */
    void setRemoteFingerprint(String fingerprint) {
        this.remoteFingerprint = fingerprint;
    }

    boolean hasRemoteFingerprint() {
        return remoteFingerprint != null;
    }

    /** ICE connected: queue the handshake. Its timeout runs from now, waiting for a DTLS thread included. */
    void start() {
        state = DtlsState.CONNECTING;
        runtime.handshakes.submit(config.dtlsHandshakeTimeout().toNanos(), this);
    }

    /** On a DTLS thread: the blocking handshake, then the keys to the SRTP path. */
    @Override
    public void run(int timeoutMillis) {
        if (closed) {
            return;
        }
        try {
            DtlsHandshake.Result r = DtlsHandshake.run(
                    server,
                    certificate,
                    config.srtpProfiles(),
                    remoteFingerprint,
                    records,
                    timeoutMillis,
                    p -> handshakePeer = p);
            SrtpSession keys = SrtpSession.create(
                    config.srtpImplementation(),
                    r.profile(),
                    r.localKey(),
                    r.localSalt(),
                    r.remoteKey(),
                    r.remoteSalt());
            if (closed || !keySink.keysReady(keys)) {
                keys.close();
                return;
            }
            connection = r.transport();
            DataChannelLink link = dataChannels;
            if (link != null) {
                link.attach(r.transport());
            }
            state = DtlsState.CONNECTED;
            ice.current().consent().heard();
            listener.onDtlsState(DtlsState.CONNECTED, null);
            if (!records.isEmpty()) {
                scheduleDrain();
            }
        } catch (DtlsHandshake.DtlsException e) {
            LOG.debug("[ufrag={}] DTLS failed {}", ice.current().localUfrag(), e.getMessage(), e);
            failed(e.failure, e.getMessage());
        } catch (RuntimeException e) {
            failed(DtlsFailure.PROTOCOL_ERROR, "PROTOCOL_ERROR: " + e);
        }
    }

    /** The handshake failed or never ran; reported unless the transport is closing. */
    @Override
    public void failed(DtlsFailure f, String reason) {
        if (closed) {
            return;
        }
        failure = f;
        state = DtlsState.FAILED;
        listener.onDtlsState(DtlsState.FAILED, reason);
    }

    /** A DTLS record from the packet thread: queued for the handshake, or drained after it. Never blocks. */
    void receive(byte[] buf, int off, int len) {
        counters.dtlsIn.increment();
        if (!records.offer(buf, off, len)) {
            counters.drop(closed ? DropReason.TRANSPORT_CLOSED : DropReason.DTLS_QUEUE_FULL);
            return;
        }
        if (state == DtlsState.CONNECTED) {
            ice.current().consent().heard();
            scheduleDrain();
        }
    }

    /**
     * After the handshake, DTLS records still arrive now and then (a retransmitted final flight, alerts). Rather than
     * parking a thread per transport in BC's blocking receive, a short drain runs on the runtime's drain thread
     * whenever such records are queued; at most one is pending per transport.
     */
    private void scheduleDrain() {
        if (draining.compareAndSet(false, true)) {
            try {
                runtime.dtlsDrains.execute(this::drain);
            } catch (RejectedExecutionException e) {
                draining.set(false); // the ports are closing
            }
        }
    }

    private void drain() {
        DTLSTransport t = connection;
        try {
            byte[] tmp = new byte[DtlsPacketQueue.RECEIVE_LIMIT];
            while (t != null && !closed && !records.isEmpty()) {
                int n = t.receive(tmp, 0, tmp.length, 1);
                if (n >= 0) {
                    DataChannelLink link = dataChannels;
                    if (link != null) {
                        link.receive(tmp, 0, n);
                    } else {
                        counters.drop(DropReason.DTLS_IGNORED); // application data, and no data channel negotiated
                    }
                }
            }
        } catch (IOException e) {
            if (!closed && state == DtlsState.CONNECTED) {
                state = DtlsState.CLOSED; // close_notify or fatal alert from the peer
                LOG.debug("[ufrag={}] DTLS closed by peer: {}", ice.current().localUfrag(), e.toString());
            }
        } finally {
            draining.set(false);
        }
        if (!closed && !records.isEmpty() && state == DtlsState.CONNECTED) {
            scheduleDrain();
        }
    }

    private void sendRecord(byte[] buf, int off, int len) throws IOException {
        IceSession path = ice.current(); // after an ICE restart, the new path
        if (!path.send(buf, off, len)) {
            throw new IOException("DTLS send failed: " + (path.hasSelectedPair() ? "socket" : "no selected pair"));
        }
    }

    /**
     * Data channels were negotiated: DTLS application data goes to {@code link}. Before the handshake ends (the usual
     * case: the answer precedes DTLS) or after it (a later offer adds the line).
     */
    void enableDataChannels(DataChannelLink link) {
        dataChannels = link;
        DTLSTransport t = connection;
        if (t != null) {
            link.attach(t);
        }
    }

    DtlsState state() {
        return state;
    }

    /** The named failure, or null. */
    DtlsFailure failure() {
        return failure;
    }

    void addJson(ObjectNode o) {
        o.put("dtlsState", state.name());
        if (failure != null) {
            o.put("dtlsFailure", failure.name());
        }
    }

    /** Cancels a handshake in progress and empties the queue. No close_notify (signaling says goodbye). */
    void close() {
        DataChannelLink link = dataChannels;
        if (link != null) {
            link.close();
        }
        closed = true;
        records.close();
        TlsCloseable peer = handshakePeer;
        if (peer != null && state != DtlsState.CONNECTED) {
            try {
                peer.close();
            } catch (IOException | RuntimeException ignored) {
                // cancelling a handshake that is failing anyway
            }
        }
        if (state != DtlsState.FAILED) {
            state = DtlsState.CLOSED;
        }
    }
}
