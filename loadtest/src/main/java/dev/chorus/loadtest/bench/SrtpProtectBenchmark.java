package dev.chorus.loadtest.bench;

import dev.chorus.sfu.buffer.PacketBuffer;
import dev.chorus.sfu.transport.SrtpBuffer;
import dev.chorus.sfu.transport.SrtpImplementation;
import dev.chorus.sfu.transport.SrtpProfile;
import dev.chorus.sfu.transport.SrtpSession;
import java.security.GeneralSecurityException;
import java.util.concurrent.TimeUnit;
import org.jitsi.srtp.SrtpErrorStatus;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One SRTP protect of the benchmark's 1.1 KB video packet with {@link SrtpSession} (ours or jitsi-srtp's),
 * the unit cost that the forward path pays once per subscriber. The plain packet is copied in
 * first (protection is in place) and its sequence number advanced, so the SRTP index moves.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SrtpProtectBenchmark {
    @Param({"AEAD_AES_128_GCM", "AES_CM_128_HMAC_SHA1_80"})
    public SrtpProfile profile;

    /**
     * {@code chorus}: our SRTP ({@code dev.chorus.sfu.srtp}). Otherwise jitsi-srtp with this AES backend: {@code fastest} lets it benchmark its factories at first use and keep the fastest
     * (OpenSSL through JNI where its native library loads), as the server does; the others force one factory (each
     * JMH fork is its own JVM, so the choice does not leak between parameters).
     */
    @Param({"chorus", "fastest", "SunJCE", "BouncyCastle"})
    public String backend;

    SrtpSession session;
    final SrtpBuffer view = new SrtpBuffer();
    final byte[] buffer = new byte[PacketBuffer.CAPACITY];
    byte[] plain;
    int seq;

    @Setup(Level.Trial)
    public void setup() {
        if (!backend.equals("fastest") && !backend.equals("chorus")) {
            org.jitsi.srtp.crypto.Aes.setFactoryClassName("org.jitsi.srtp.crypto.Aes$" + backend + "CipherFactory");
        }
        byte[] key = new byte[profile.keyLength];
        byte[] salt = new byte[profile.saltLength];
        key[0] = 1;
        salt[0] = 2;
        session = SrtpSession.create(
                backend.equals("chorus") ? SrtpImplementation.CHORUS : SrtpImplementation.JITSI,
                profile,
                key,
                salt,
                key,
                salt);
        plain = BenchPackets.vp8(0x2222_2222L, 96, 0, 0, false, BenchPackets.PAYLOAD_LENGTH);
    }

    @Benchmark
    public int protect() throws GeneralSecurityException {
        System.arraycopy(plain, 0, buffer, PacketBuffer.HEADROOM, plain.length);
        BenchPackets.setSeqAndTimestamp(buffer, PacketBuffer.HEADROOM, seq++, 0);
        SrtpErrorStatus st = session.protectRtp(view.wrap(buffer, PacketBuffer.HEADROOM, plain.length));
        return st == SrtpErrorStatus.OK ? view.getLength() + buffer[PacketBuffer.HEADROOM + view.getLength() - 1] : -1;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        session.close();
    }
}
