package dev.chorus.sfu.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import org.jitsi.srtp.SrtpErrorStatus;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Our SRTP ({@link ChorusSrtpSession}) against jitsi-srtp ({@link JitsiSrtpSession}) on random packets: both
 * produce the same bytes on the wire, each unprotects what the other protected, through sequence number wraps (ROC),
 * reordering, retransmissions, replays and SRTCP.
 */
class SrtpInteropTest {
    private static final int TAIL = 64;

    private final Random random = new Random(11);

    private static final class Pair {
        final SrtpSession chorusTx;
        final SrtpSession jitsiTx;
        final SrtpSession chorusRx;
        final SrtpSession jitsiRx;

        Pair(SrtpProfile p, Random random) {
            byte[] key = new byte[p.keyLength];
            byte[] salt = new byte[p.saltLength];
            byte[] otherKey = new byte[p.keyLength];
            byte[] otherSalt = new byte[p.saltLength];
            random.nextBytes(key);
            random.nextBytes(salt);
            random.nextBytes(otherKey);
            random.nextBytes(otherSalt);
            chorusTx = SrtpSession.create(SrtpImplementation.CHORUS, p, key, salt, otherKey, otherSalt);
            jitsiTx = SrtpSession.create(SrtpImplementation.JITSI, p, key, salt, otherKey, otherSalt);
            chorusRx = SrtpSession.create(SrtpImplementation.CHORUS, p, otherKey, otherSalt, key, salt);
            jitsiRx = SrtpSession.create(SrtpImplementation.JITSI, p, otherKey, otherSalt, key, salt);
        }
    }

    private byte[] rtp(int ssrc, int seq) {
        int csrcs = random.nextInt(3);
        boolean ext = random.nextBoolean();
        int extWords = ext ? 1 + random.nextInt(4) : 0;
        int header = 12 + 4 * csrcs + (ext ? 4 + 4 * extWords : 0);
        byte[] b = new byte[header + random.nextInt(1300)];
        random.nextBytes(b);
        b[0] = (byte) (0x80 | (ext ? 0x10 : 0) | csrcs);
        b[1] = (byte) (96 + random.nextInt(10));
        b[2] = (byte) (seq >>> 8);
        b[3] = (byte) seq;
        putInt(b, 8, ssrc);
        if (ext) {
            int at = 12 + 4 * csrcs;
            b[at] = (byte) 0xBE;
            b[at + 1] = (byte) 0xDE;
            b[at + 2] = 0;
            b[at + 3] = (byte) extWords;
        }
        return b;
    }

    private byte[] rtcp(int ssrc) {
        int words = 1 + random.nextInt(40);
        byte[] b = new byte[4 + 4 * words];
        random.nextBytes(b);
        b[0] = (byte) 0x81;
        b[1] = (byte) 200;
        b[2] = (byte) ((words) >>> 8);
        b[3] = (byte) words;
        putInt(b, 4, ssrc);
        return b;
    }

    private static void putInt(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    /** Both senders protect a copy of {@code plain}; returns the wire bytes after checking they are equal. */
    private static byte[] protectBoth(Pair p, byte[] plain, boolean rtcp) throws Exception {
        byte[] a = Arrays.copyOf(plain, plain.length + TAIL);
        byte[] b = Arrays.copyOf(plain, plain.length + TAIL);
        SrtpBuffer va = new SrtpBuffer().wrap(a, 0, plain.length);
        SrtpBuffer vb = new SrtpBuffer().wrap(b, 0, plain.length);
        assertEquals(SrtpErrorStatus.OK, rtcp ? p.chorusTx.protectRtcp(va) : p.chorusTx.protectRtp(va));
        assertEquals(SrtpErrorStatus.OK, rtcp ? p.jitsiTx.protectRtcp(vb) : p.jitsiTx.protectRtp(vb));
        byte[] wireA = Arrays.copyOf(a, va.getLength());
        assertArrayEquals(Arrays.copyOf(b, vb.getLength()), wireA, "same bytes on the wire");
        return wireA;
    }

    /** Both receivers unprotect {@code wire}; they must agree on the status, and on the plain packet when OK. */
    private static SrtpErrorStatus unprotectBoth(Pair p, byte[] wire, byte[] plain, boolean rtcp) throws Exception {
        byte[] a = Arrays.copyOf(wire, wire.length + TAIL);
        byte[] b = Arrays.copyOf(wire, wire.length + TAIL);
        SrtpBuffer va = new SrtpBuffer().wrap(a, 0, wire.length);
        SrtpBuffer vb = new SrtpBuffer().wrap(b, 0, wire.length);
        SrtpErrorStatus sa = rtcp ? p.chorusRx.unprotectRtcp(va) : p.chorusRx.unprotectRtp(va);
        SrtpErrorStatus sb = rtcp ? p.jitsiRx.unprotectRtcp(vb) : p.jitsiRx.unprotectRtp(vb);
        assertEquals(sb == SrtpErrorStatus.OK, sa == SrtpErrorStatus.OK, "ours " + sa + ", jitsi " + sb);
        if (sa == SrtpErrorStatus.OK && plain != null) {
            assertArrayEquals(plain, Arrays.copyOf(a, va.getLength()), "ours decrypts");
            assertArrayEquals(plain, Arrays.copyOf(b, vb.getLength()), "jitsi decrypts");
        }
        return sa;
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void rtpAgreesAcrossWrapsReorderingAndReplays(SrtpProfile profile) throws Exception {
        Pair p = new Pair(profile, random);
        int[] ssrcs = {0x11111111, 0xCAFEBABE, 7};
        for (int ssrc : ssrcs) {
            int seq = 65536 - 300 + random.nextInt(100);
            byte[] previousPlain = null;
            byte[] previousWire = null;
            for (int i = 0; i < 800; i++) {
                // mostly in order; big forward steps now and then push the ROC through several wraps
                seq = (seq + (i % 200 == 199 ? 30000 : 1)) & 0xFFFF;
                byte[] plain = rtp(ssrc, seq);
                byte[] wire = protectBoth(p, plain, false);
                if (previousWire != null && i % 200 != 199 && random.nextInt(10) == 0) {
                    // reordered: this one first, then the one before it
                    assertEquals(SrtpErrorStatus.OK, unprotectBoth(p, wire, plain, false));
                    assertEquals(SrtpErrorStatus.OK, unprotectBoth(p, previousWire, previousPlain, false));
                    previousWire = null;
                    continue;
                }
                if (previousWire != null) {
                    assertEquals(SrtpErrorStatus.OK, unprotectBoth(p, previousWire, previousPlain, false));
                    if (random.nextInt(20) == 0) {
                        SrtpErrorStatus again = unprotectBoth(p, previousWire, previousPlain, false);
                        assertEquals(SrtpErrorStatus.REPLAY_FAIL, again, "a replay is refused");
                    }
                }
                previousPlain = plain;
                previousWire = wire;
            }
        }
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void retransmissionsProtectAgainWithTheirFirstIndex(SrtpProfile profile) throws Exception {
        Pair p = new Pair(profile, random);
        byte[] old = rtp(0x1234, 65530);
        byte[] first = protectBoth(p, old, false);
        for (int seq = 65531; seq < 65536 + 20; seq++) {
            protectBoth(p, rtp(0x1234, seq & 0xFFFF), false);
        }
        assertArrayEquals(first, protectBoth(p, old, false), "a NACKed packet sent again is the same SRTP packet");
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void rtcpAgreesAndReplaysAreRefused(SrtpProfile profile) throws Exception {
        Pair p = new Pair(profile, random);
        for (int i = 0; i < 300; i++) {
            int ssrc = i % 3 == 0 ? 0xAAAA0001 : 0x5;
            byte[] plain = rtcp(ssrc);
            byte[] wire = protectBoth(p, plain, true);
            assertEquals(SrtpErrorStatus.OK, unprotectBoth(p, wire, plain, true));
            if (i % 50 == 0) {
                assertEquals(SrtpErrorStatus.REPLAY_FAIL, unprotectBoth(p, wire, plain, true));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void forgedPacketsFailAuthenticationAndLeaveNoState(SrtpProfile profile) throws Exception {
        Pair p = new Pair(profile, random);
        byte[] plain = rtp(0x42, 100);
        byte[] wire = protectBoth(p, plain, false);
        byte[] forged = wire.clone();
        forged[20] ^= 0x40;
        assertEquals(SrtpErrorStatus.AUTH_FAIL, unprotectBoth(p, forged, null, false));
        assertEquals(SrtpErrorStatus.OK, unprotectBoth(p, wire, plain, false), "the real one still gets through");
        byte[] rtcpPlain = rtcp(0x42);
        byte[] rtcpWire = protectBoth(p, rtcpPlain, true);
        byte[] rtcpForged = rtcpWire.clone();
        rtcpForged[9] ^= 1;
        assertEquals(SrtpErrorStatus.AUTH_FAIL, unprotectBoth(p, rtcpForged, null, true));
        assertEquals(SrtpErrorStatus.OK, unprotectBoth(p, rtcpWire, rtcpPlain, true));
    }
}
