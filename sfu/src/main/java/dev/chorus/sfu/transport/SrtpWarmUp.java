package dev.chorus.sfu.transport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Both SRTP implementations are exercised once. jitsi-srtp benchmarks its cipher back-ends on first use (~0.5 s): pay that once per process at start-up, when the
 * first ports or client transport are created, not on the first participant's first packet.
 */
final class SrtpWarmUp {
    private static final Logger LOG = LoggerFactory.getLogger(SrtpWarmUp.class);
    private static boolean warmed;

    private SrtpWarmUp() {}

    /** Protects and unprotects one RTP and one RTCP packet with every profile. Idempotent. */
    static synchronized void run() {
        if (warmed) {
            return;
        }
        long t0 = System.nanoTime();
        for (SrtpImplementation impl : SrtpImplementation.values()) {
            for (SrtpProfile p : SrtpProfile.values()) {
                warm(impl, p);
            }
        }
        warmed = true;
        LOG.info("SRTP warm-up took {} ms", (System.nanoTime() - t0) / 1_000_000);
    }

    private static void warm(SrtpImplementation impl, SrtpProfile p) {
        byte[] key = new byte[p.keyLength];
        byte[] salt = new byte[p.saltLength];
        SrtpSession a = SrtpSession.create(impl, p, key, salt, key, salt);
        try {
            byte[] pkt = new byte[200];
            pkt[0] = (byte) 0x80;
            pkt[1] = 96;
            SrtpBuffer b = new SrtpBuffer().wrap(pkt, 0, 100);
            a.protectRtp(b);
            a.unprotectRtp(b);
            byte[] rtcp = new byte[100];
            rtcp[0] = (byte) 0x80;
            rtcp[1] = (byte) 200;
            rtcp[3] = 6;
            b.wrap(rtcp, 0, 28);
            a.protectRtcp(b);
            a.unprotectRtcp(b);
        } catch (Exception e) {
            LOG.warn("SRTP warm-up failed for {} {}", impl, p, e);
        } finally {
            a.close();
        }
    }
}
