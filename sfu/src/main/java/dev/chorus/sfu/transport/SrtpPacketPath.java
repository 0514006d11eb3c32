package dev.chorus.sfu.transport;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.drop.DropReason;
import dev.chorus.sfu.rtp.BigEndian;
import java.net.SocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;
import org.ice4j.util.Buffer;
import org.ice4j.util.BufferPool;
import org.jitsi.srtp.SrtpErrorStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The packet path of one transport once ICE has delivered a datagram, and back: RFC 7983 demux of one datagram
 * (DTLS to {@link DtlsSession}, SRTP/SRTCP here), SRTP unprotect in place and delivery to the listener, SRTP
 * protect in place and send on the selected pair, every packet and drop counted.
 *
 * <p>Threads: {@link #receive} runs on the packet thread (the shared port's reader, the ICE-TCP selector or a
 * client's reader) and never blocks. {@link #sendRtp}/{@link #sendRtcp} may be called by several media workers at
 * once: the send-side SRTP contexts and view are guarded by {@link #sendLock}.
 */
final class SrtpPacketPath {
    private static final Logger LOG = LoggerFactory.getLogger(SrtpPacketPath.class);

    private final WebRtcTransport transport;
    private final WebRtcTransport.Listener listener;
    private final DtlsSession dtls;
    private final IcePath ice;
    private final TransportCounters counters;
    /** Receive-side view, only used on the packet thread. */
    private final SrtpBuffer rxView = new SrtpBuffer();
    /** Serialises senders: the send-side contexts of {@link SrtpSession} and {@link #txView} are not thread-safe. */
    private final Object sendLock = new Object();
    /** Send-side view, guarded by {@link #sendLock}. */
    private final SrtpBuffer txView = new SrtpBuffer();
    /** A packet thread is in {@link #receive}: the receive state below has one user at a time. */
    private final AtomicBoolean receiving = new AtomicBoolean();
    /** Packets that came while the keys were being derived; only touched on the packet thread. */
    private final EarlySrtpPackets early = new EarlySrtpPackets();

    private volatile SrtpSession srtp;
    /** 1: decrypt every RTP packet; n > 1: only those whose sequence number is a multiple of n (CLIENT only). */
    private volatile int decryptRtpOneIn = 1;

    private volatile boolean closed;

    SrtpPacketPath(
            WebRtcTransport transport,
            WebRtcTransport.Listener listener,
            DtlsSession dtls,
            IcePath ice,
            TransportCounters counters) {
        this.transport = transport;
        this.listener = listener;
        this.dtls = dtls;
        this.ice = ice;
        this.counters = counters;
    }

    /** DTLS produced keys; false (and the caller closes them) if the transport closed meanwhile. */
    synchronized boolean keysReady(SrtpSession keys) {
        if (closed) {
            return false;
        }
        srtp = keys;
        return true;
    }

    /** The SRTP session, null before DTLS connects. */
    SrtpSession session() {
        return srtp;
    }

    /** ice4j push callback, on the shared port's reader thread. We own {@code b} and return it to the pool. */
    void receive(Buffer b) {
        try {
            receive(b.getBuffer(), b.getOffset(), b.getLength(), b.getRemoteAddress());
        } finally {
            BufferPool.returnBuffer.invoke(b);
        }
    }

    /** A frame of an ICE-TCP connection (its remote is the TCP pair's). */
    void receiveOverTcp(byte[] buf, int off, int len) {
        receive(buf, off, len, SelectedPairSender.OVER_TCP);
    }

    /**
     * RFC 7983 demux of one non-STUN datagram (ice4j took STUN off first); decrypts SRTP in place, delivers it. One
     * packet thread at a time: the receive state is not thread-safe, and two paths of one transport may run on two
     * threads (UDP and ICE-TCP, during an ICE restart); the second is dropped, counted, never made to wait.
     */
    void receive(byte[] buf, int off, int len) {
        receive(buf, off, len, null);
    }

    /**
     * {@code from}: where the datagram came from on the shared UDP port, {@link SelectedPairSender#OVER_TCP}, or null
     * (a client's own socket); authenticated media from elsewhere than the selected pair moves our sends there.
     */
    private void receive(byte[] buf, int off, int len, SocketAddress from) {
        counters.packetsIn.increment();
        counters.bytesIn.add(len);
        if (!receiving.compareAndSet(false, true)) {
            counters.drop(DropReason.CONCURRENT_PATHS);
            return;
        }
        try {
            if (closed) {
                counters.drop(DropReason.TRANSPORT_CLOSED);
                return;
            }
            switch (PacketKind.classify(buf, off, len)) {
                case RTP -> receiveSrtp(buf, off, len, false, from);
                case RTCP -> receiveSrtp(buf, off, len, true, from);
                case DTLS -> dtls.receive(buf, off, len);
                // STUN never gets here (ice4j takes it off the socket first); count it, never drop silently.
                case STUN, UNKNOWN -> counters.drop(DropReason.UNKNOWN_FIRST_BYTE);
            }
        } catch (RuntimeException e) {
            counters.drop(DropReason.MALFORMED);
            LOG.debug("[ufrag={}] packet handling failed", ice.current().localUfrag(), e);
        } finally {
            receiving.setRelease(false);
        }
    }

    private void receiveSrtp(byte[] buf, int off, int len, boolean rtcp, SocketAddress from) {
        SrtpSession s = srtp;
        if (s == null) {
            if (!handshakeUnderWay() || !early.park(buf, off, len, rtcp)) {
                counters.drop(DropReason.NOT_DTLS_CONNECTED);
            }
            return;
        }
        if (early.pending()) {
            replayEarly(s);
        }
        unprotectAndDeliver(s, buf, off, len, rtcp, from);
    }

    private boolean handshakeUnderWay() {
        WebRtcTransport.DtlsState st = dtls.state();
        return st == WebRtcTransport.DtlsState.CONNECTING || st == WebRtcTransport.DtlsState.CONNECTED;
    }

    /** The packets parked before the keys, in their order of arrival, ahead of the one that found the keys. */
    private void replayEarly(SrtpSession s) {
        for (int i = 0; i < early.size(); i++) {
            unprotectAndDeliver(s, early.buffer(i), 0, early.length(i), early.isRtcp(i), null);
        }
        early.clear();
    }

    /** See {@link WebRtcTransport#decryptRtpOneIn}. */
    void decryptRtpOneIn(int n) {
        decryptRtpOneIn = n;
    }

    private void unprotectAndDeliver(SrtpSession s, byte[] buf, int off, int len, boolean rtcp, SocketAddress from) {
        if (len < (rtcp ? 8 + s.rtcpOverhead() : 12 + s.rtpOverhead())) {
            counters.drop(DropReason.MALFORMED);
            return;
        }
        int oneIn = decryptRtpOneIn;
        if (!rtcp && oneIn > 1 && BigEndian.u16(buf, off + 2) % oneIn != 0) {
            // Sampling: the header is in clear, so this packet is handed over as it came, less the tag. Neither
            // authenticated nor decrypted, it does not count as hearing the peer (consent); the sampled ones do.
            counters.rtpInUndecrypted.increment();
            listener.onUndecryptedRtp(transport, buf, off, len - s.rtpOverhead());
            return;
        }
        SrtpErrorStatus st;
        try {
            rxView.wrap(buf, off, len);
            st = rtcp ? s.unprotectRtcp(rxView) : s.unprotectRtp(rxView);
        } catch (Exception e) {
            counters.drop(DropReason.SRTP_ERROR);
            return;
        }
        if (st != SrtpErrorStatus.OK) {
            counters.drop(reasonOf(st));
            return;
        }
        IceSession path = ice.current();
        path.consent().heard();
        if (from != null) {
            path.peerSentFrom(from); // authenticated and not a replay: the peer's own choice of path
        }
        if (rtcp) {
            counters.rtcpIn.increment();
            listener.onRtcp(transport, buf, off, rxView.getLength());
        } else {
            counters.rtpIn.increment();
            listener.onRtp(transport, buf, off, rxView.getLength());
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

    /** See {@link WebRtcTransport#sendRtp}. Any thread. */
    boolean sendRtp(byte[] buf, int off, int len) {
        return send(buf, off, len, false);
    }

    /** See {@link WebRtcTransport#sendRtcp}. Any thread. */
    boolean sendRtcp(byte[] buf, int off, int len) {
        return send(buf, off, len, true);
    }

    private boolean send(byte[] buf, int off, int len, boolean rtcp) {
        if (closed) {
            counters.drop(DropReason.TRANSPORT_CLOSED);
            return false;
        }
        SrtpSession s = srtp;
        if (s == null) {
            counters.drop(DropReason.NOT_DTLS_CONNECTED);
            return false;
        }
        if (len < (rtcp ? 8 : 12)) {
            counters.drop(DropReason.MALFORMED);
            return false;
        }
        synchronized (sendLock) {
            SrtpErrorStatus st;
            try {
                txView.wrap(buf, off, len);
                st = rtcp ? s.protectRtcp(txView) : s.protectRtp(txView);
            } catch (Exception e) {
                counters.drop(DropReason.SRTP_ERROR);
                return false;
            }
            if (st != SrtpErrorStatus.OK) {
                counters.drop(reasonOf(st));
                return false;
            }
            if (!ice.current().sendMedia(txView.getBuffer(), txView.getOffset(), txView.getLength())) {
                return false;
            }
        }
        (rtcp ? counters.rtcpOut : counters.rtpOut).increment();
        return true;
    }

    SrtpProfile profile() {
        SrtpSession s = srtp;
        return s == null ? null : s.profile();
    }

    void addJson(ObjectNode o) {
        SrtpProfile p = profile();
        SrtpSession s = srtp;
        o.put("srtpProfile", p == null ? null : p.name());
        o.put("srtpImplementation", s instanceof ChorusSrtpSession ? "chorus" : s == null ? null : "jitsi");
        o.put("packetsBeforeKeys", early.parked());
        o.put("packetsBeforeKeysDropped", early.overflowed());
        o.set("counters", counters.toJson());
        o.set("drops", counters.dropsJson());
    }

    /** Drops everything from now on and releases the SRTP contexts. */
    void close() {
        SrtpSession s;
        synchronized (this) {
            closed = true;
            s = srtp;
            srtp = null;
        }
        if (s != null) {
            synchronized (sendLock) {
                s.close();
            }
        }
    }
}
