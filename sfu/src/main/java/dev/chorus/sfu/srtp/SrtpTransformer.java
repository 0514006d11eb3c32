package dev.chorus.sfu.srtp;

import dev.chorus.sfu.collect.LongObjectMap;

/**
 * SRTP and SRTCP for one direction of one DTLS-SRTP association (RFC 3711, RFC 7714): a sender protects, a receiver
 * unprotects, both in place. One {@link PacketCrypto} for the direction (the session keys do not depend on the SSRC),
 * and per SSRC only what must be per stream: the SRTP index (rollover counter) with the replay window, the SRTCP index.
 *
 * <p>Nothing is allocated per packet once a stream is known. A receiver keeps a stream's state only once one of its
 * packets authenticated, so forged SSRCs cost nothing but the check (one spare state object is reused until then).
 * Results: the new length ({@code >= 0}), or one of the negative {@code ERR_*} codes. Not thread-safe: one caller at a
 * time (the transport's packet thread for a receiver, the send lock for a sender).
 *
 * <p>A sender does no replay check (retransmissions are sent again with their first index); its ROC follows the highest
 * sequence number sent, as a receiver's does, so an old sequence number sent after a wrap keeps its old ROC.
 */
public final class SrtpTransformer {
    public static final int ERR_AUTH = -1;
    public static final int ERR_REPLAY = -2;
    public static final int ERR_REPLAY_OLD = -3;
    public static final int ERR_MALFORMED = -4;
    public static final int ERR_TOO_MANY_SSRCS = -5;

    private final SrtpCipherSuite suite;
    private final boolean sender;
    private final int maxStreams;
    private final PacketCrypto crypto;
    private final LongObjectMap<ReplayWindow> rtp;
    private final LongObjectMap<RtcpStream> rtcp;
    private ReplayWindow spareRtp = new ReplayWindow();
    private RtcpStream spareRtcp = new RtcpStream();

    /** Per-SSRC SRTCP state: the next index to send, or the receive window. */
    private static final class RtcpStream {
        final ReplayWindow window = new ReplayWindow();
        int nextIndex;
    }

    public SrtpTransformer(SrtpCipherSuite suite, byte[] masterKey, byte[] masterSalt, boolean sender, int maxStreams) {
        this.suite = suite;
        this.sender = sender;
        this.maxStreams = maxStreams;
        this.crypto = PacketCrypto.create(suite, masterKey, masterSalt);
        this.rtp = new LongObjectMap<>(maxStreams);
        this.rtcp = new LongObjectMap<>(maxStreams);
    }

    public SrtpCipherSuite suite() {
        return suite;
    }

    /** RTP header length (fixed part, CSRCs, header extension), or -1 if it does not fit in {@code limit} bytes. */
    static int rtpHeaderLength(byte[] b, int off, int limit) {
        if (limit < 12) {
            return -1;
        }
        int len = 12 + 4 * (b[off] & 0x0F);
        if ((b[off] & 0x10) != 0) {
            if (len + 4 > limit) {
                return -1;
            }
            len += 4 + 4 * (((b[off + len + 2] & 0xFF) << 8) | (b[off + len + 3] & 0xFF));
        }
        return len <= limit ? len : -1;
    }

    /** Protects RTP in place: {@code b} needs {@link SrtpCipherSuite#rtpOverhead} bytes of room after the packet. */
    public int protectRtp(byte[] b, int off, int len) {
        int header = rtpHeaderLength(b, off, len);
        if (header < 0 || b.length - off - len < suite.rtpOverhead()) {
            return ERR_MALFORMED;
        }
        int ssrc = Bytes.getInt(b, off + 8);
        ReplayWindow s = rtpStream(ssrc);
        if (s == null) {
            return ERR_TOO_MANY_SSRCS;
        }
        long index = s.estimate(((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF));
        if (index < 0) {
            return ERR_REPLAY_OLD; // before the first packet of the stream, across a wrap: no ROC to give it
        }
        s.accept(index);
        return crypto.protectRtp(b, off, header, len, ssrc, index);
    }

    private ReplayWindow rtpStream(int ssrc) {
        long key = ssrc & 0xFFFF_FFFFL;
        ReplayWindow s = rtp.get(key);
        if (s == null) {
            if (rtp.size() >= maxStreams) {
                return null;
            }
            s = new ReplayWindow();
            rtp.put(key, s);
        }
        return s;
    }

    /** Unprotects SRTP in place; returns the RTP length. */
    public int unprotectRtp(byte[] b, int off, int len) {
        int header = rtpHeaderLength(b, off, len - suite.rtpOverhead());
        if (header < 0) {
            return ERR_MALFORMED;
        }
        int ssrc = Bytes.getInt(b, off + 8);
        long key = ssrc & 0xFFFF_FFFFL;
        ReplayWindow s = rtp.get(key);
        boolean fresh = s == null;
        if (fresh) {
            if (rtp.size() >= maxStreams) {
                return ERR_TOO_MANY_SSRCS;
            }
            s = spareRtp;
        }
        long index = s.estimate(((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF));
        if (index < 0) {
            return ERR_REPLAY_OLD;
        }
        int verdict = s.check(index);
        if (verdict != ReplayWindow.FRESH) {
            return verdict == ReplayWindow.REPLAYED ? ERR_REPLAY : ERR_REPLAY_OLD;
        }
        if (!crypto.unprotectRtp(b, off, header, len, ssrc, index)) {
            return ERR_AUTH;
        }
        s.accept(index);
        if (fresh) {
            rtp.put(key, s);
            spareRtp = new ReplayWindow();
        }
        return len - suite.rtpOverhead();
    }

    /** Protects RTCP in place: {@code b} needs {@link SrtpCipherSuite#rtcpOverhead} bytes of room after the packet. */
    public int protectRtcp(byte[] b, int off, int len) {
        if (len < 8 || b.length - off - len < suite.rtcpOverhead()) {
            return ERR_MALFORMED;
        }
        int ssrc = Bytes.getInt(b, off + 4);
        long key = ssrc & 0xFFFF_FFFFL;
        RtcpStream s = rtcp.get(key);
        if (s == null) {
            if (rtcp.size() >= maxStreams) {
                return ERR_TOO_MANY_SSRCS;
            }
            s = new RtcpStream();
            rtcp.put(key, s);
        }
        int index = s.nextIndex;
        s.nextIndex = (index + 1) & 0x7FFF_FFFF;
        return crypto.protectRtcp(b, off, len, ssrc, index);
    }

    /** Unprotects SRTCP in place; returns the RTCP length. */
    public int unprotectRtcp(byte[] b, int off, int len) {
        if (len < 8 + suite.rtcpOverhead()) {
            return ERR_MALFORMED;
        }
        int ssrc = Bytes.getInt(b, off + 4);
        long key = ssrc & 0xFFFF_FFFFL;
        RtcpStream s = rtcp.get(key);
        boolean fresh = s == null;
        if (fresh) {
            if (rtcp.size() >= maxStreams) {
                return ERR_TOO_MANY_SSRCS;
            }
            s = spareRtcp;
        }
        int word = crypto.rtcpIndexWord(b, off, len);
        long index = word & 0x7FFF_FFFFL;
        int verdict = s.window.check(index);
        if (verdict != ReplayWindow.FRESH) {
            return verdict == ReplayWindow.REPLAYED ? ERR_REPLAY : ERR_REPLAY_OLD;
        }
        int plain = crypto.unprotectRtcp(b, off, len, ssrc, word);
        if (plain < 0) {
            return ERR_AUTH;
        }
        s.window.accept(index);
        if (fresh) {
            rtcp.put(key, s);
            spareRtcp = new RtcpStream();
        }
        return plain;
    }

    public boolean isSender() {
        return sender;
    }
}
