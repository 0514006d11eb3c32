package dev.chorus.sfu.srtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The packet path allocates nothing: protect and unprotect of RTP and RTCP, once the streams are known, measured with
 * the JVM's per-thread allocation counter (JMH's {@code -prof gc} gives the same answer on the benchmarks).
 */
class SrtpAllocationTest {
    @ParameterizedTest
    @EnumSource(SrtpCipherSuite.class)
    void protectAndUnprotectAllocateNothing(SrtpCipherSuite suite) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        byte[] key = new byte[16];
        byte[] salt = new byte[suite.saltLength];
        key[3] = 9;
        SrtpTransformer tx = new SrtpTransformer(suite, key, salt, true, 16);
        SrtpTransformer rx = new SrtpTransformer(suite, key, salt, false, 16);
        byte[] rtp = new byte[1300];
        byte[] rtcp = new byte[200];
        int[] seq = {0};
        Runnable one = () -> {
            rtp[0] = (byte) 0x80;
            rtp[2] = (byte) (seq[0] >>> 8);
            rtp[3] = (byte) seq[0];
            rtp[11] = 1;
            seq[0] = (seq[0] + 1) & 0xFFFF;
            int len = tx.protectRtp(rtp, 0, 1100);
            assertEquals(1100, rx.unprotectRtp(rtp, 0, len));
            rtcp[0] = (byte) 0x80;
            rtcp[1] = (byte) 200;
            rtcp[7] = 1;
            len = tx.protectRtcp(rtcp, 0, 100);
            assertEquals(100, rx.unprotectRtcp(rtcp, 0, len));
        };
        for (int i = 0; i < 12_000; i++) { // past the JIT's compile thresholds, with ROC wraps
            one.run();
        }
        long tid = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(tid);
        for (int i = 0; i < 4_000; i++) {
            one.run();
        }
        long allocated = threads.getThreadAllocatedBytes(tid) - before;
        assertTrue(allocated < 4_000, allocated + " bytes for 4,000 packets of each kind");
    }
}
