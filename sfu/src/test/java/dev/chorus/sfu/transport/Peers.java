package dev.chorus.sfu.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import dev.chorus.sfu.buffer.PacketBuffer;
import dev.chorus.sfu.sdp.IceCandidate;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Test helpers: a recording listener, SDP-less wiring of two transports, packet builders. */
final class Peers {
    static final int PT_OPUS = 111;
    /** Strong references: java.util.logging forgets levels set on loggers nobody holds. */
    private static final java.util.logging.Logger[] QUIET = {
        java.util.logging.Logger.getLogger("org.ice4j"), java.util.logging.Logger.getLogger("org.jitsi"),
    };

    static {
        // ice4j and jitsi-srtp log every ICE step at INFO through java.util.logging; keep test output readable.
        for (java.util.logging.Logger l : QUIET) {
            l.setLevel(java.util.logging.Level.WARNING);
        }
    }

    private Peers() {}

    /** Loads this class, whose static block quiets ice4j's and jitsi's java.util.logging output. */
    static void quiet() {}

    /** What a transport reported, as (event, reason) and decrypted packet copies. */
    static class Recorder implements WebRtcTransport.Listener {
        final BlockingQueue<String> events = new LinkedBlockingQueue<>();
        final BlockingQueue<byte[]> rtp = new LinkedBlockingQueue<>();
        final BlockingQueue<byte[]> rtcp = new LinkedBlockingQueue<>();
        final BlockingQueue<byte[]> undecrypted = new LinkedBlockingQueue<>();

        @Override
        public void onStateChanged(WebRtcTransport t, WebRtcTransport.Event e, String reason) {
            events.add(e + (reason == null ? "" : " " + reason));
        }

        @Override
        public void onRtp(WebRtcTransport t, byte[] buf, int off, int len) {
            rtp.add(Arrays.copyOfRange(buf, off, off + len));
        }

        @Override
        public void onUndecryptedRtp(WebRtcTransport t, byte[] buf, int off, int len) {
            undecrypted.add(Arrays.copyOfRange(buf, off, off + len));
        }

        @Override
        public void onRtcp(WebRtcTransport t, byte[] buf, int off, int len) {
            rtcp.add(Arrays.copyOfRange(buf, off, off + len));
        }

        /** Waits for an event whose text starts with {@code prefix}; returns its full text. */
        String await(String prefix, long millis) throws InterruptedException {
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            while (true) {
                long left = end - System.nanoTime();
                String e = left <= 0 ? null : events.poll(left, TimeUnit.NANOSECONDS);
                if (e == null) {
                    fail("no " + prefix + " within " + millis + " ms");
                }
                if (e.startsWith(prefix)) {
                    return e;
                }
            }
        }

        byte[] nextRtp(long millis) throws InterruptedException {
            byte[] p = rtp.poll(millis, TimeUnit.MILLISECONDS);
            assertNotNull(p, "no RTP within " + millis + " ms");
            return p;
        }

        byte[] nextRtcp(long millis) throws InterruptedException {
            byte[] p = rtcp.poll(millis, TimeUnit.MILLISECONDS);
            assertNotNull(p, "no RTCP within " + millis + " ms");
            return p;
        }
    }

    /** A connected (or connecting) server/client pair with their recorders. */
    record Pair(WebRtcTransport server, Recorder serverEvents, WebRtcTransport client, Recorder clientEvents)
            implements AutoCloseable {
        @Override
        public void close() {
            client.close();
            server.close();
        }
    }

    /**
     * Creates a server transport on {@code port} and a client with its own port, exchanges what SDP would
     * carry (optionally a wrong fingerprint on either side), and starts both.
     */
    static Pair wire(
            MediaPorts port,
            DtlsCertificate serverCert,
            DtlsCertificate clientCert,
            TransportConfig clientConfig,
            String fingerprintGivenToServer,
            String fingerprintGivenToClient)
            throws IOException {
        return wire(
                port,
                serverCert,
                clientCert,
                clientConfig,
                fingerprintGivenToServer,
                fingerprintGivenToClient,
                new Recorder());
    }

    /** {@link #wire} with the client's own recorder, for a client that acts on its events. */
    static Pair wire(
            MediaPorts port,
            DtlsCertificate serverCert,
            DtlsCertificate clientCert,
            TransportConfig clientConfig,
            String fingerprintGivenToServer,
            String fingerprintGivenToClient,
            Recorder ce)
            throws IOException {
        Recorder se = new Recorder();
        WebRtcTransport server = WebRtcTransport.createServer(port, serverCert, se);
        WebRtcTransport client = WebRtcTransport.createClient(clientConfig, clientCert, ce);
        String fs = fingerprintGivenToServer != null ? fingerprintGivenToServer : client.localFingerprint();
        String fc = fingerprintGivenToClient != null ? fingerprintGivenToClient : server.localFingerprint();
        server.setRemoteIceCredentials(client.localUfrag(), client.localPassword());
        server.setRemoteFingerprint(fs.substring(0, fs.indexOf(' ')), fs.substring(fs.indexOf(' ') + 1));
        client.setRemoteIceCredentials(server.localUfrag(), server.localPassword());
        client.setRemoteFingerprint(fc.substring(0, fc.indexOf(' ')), fc.substring(fc.indexOf(' ') + 1));
        server.start();
        client.start();
        // Trickle: the client learns the server's candidate after start, as SDP text.
        for (IceCandidate c : server.localCandidates()) {
            client.addRemoteCandidate("a=" + c.toSdp());
        }
        for (IceCandidate c : client.localCandidates()) {
            server.addRemoteCandidate(c);
        }
        return new Pair(server, se, client, ce);
    }

    static Pair connect(
            MediaPorts port, DtlsCertificate serverCert, DtlsCertificate clientCert, TransportConfig clientConfig)
            throws Exception {
        Pair p = wire(port, serverCert, clientCert, clientConfig, null, null);
        p.serverEvents().await("DTLS_CONNECTED", 10_000);
        p.clientEvents().await("DTLS_CONNECTED", 10_000);
        return p;
    }

    /** An RTP packet (12-byte header + payload) in an array with {@link PacketBuffer#TAIL_ROOM} to spare. */
    static byte[] rtp(int ssrc, int seq, long ts, byte[] payload) {
        byte[] b = new byte[12 + payload.length + PacketBuffer.TAIL_ROOM];
        b[0] = (byte) 0x80;
        b[1] = (byte) PT_OPUS;
        b[2] = (byte) (seq >> 8);
        b[3] = (byte) seq;
        b[4] = (byte) (ts >> 24);
        b[5] = (byte) (ts >> 16);
        b[6] = (byte) (ts >> 8);
        b[7] = (byte) ts;
        b[8] = (byte) (ssrc >> 24);
        b[9] = (byte) (ssrc >> 16);
        b[10] = (byte) (ssrc >> 8);
        b[11] = (byte) ssrc;
        System.arraycopy(payload, 0, b, 12, payload.length);
        return b;
    }

    /** An RTCP receiver report with no report blocks (8 bytes) from {@code ssrc}, with tail room. */
    static byte[] rtcpRr(int ssrc) {
        byte[] b = new byte[8 + PacketBuffer.TAIL_ROOM];
        b[0] = (byte) 0x80;
        b[1] = (byte) 201;
        b[3] = 1; // length in 32-bit words minus one
        b[4] = (byte) (ssrc >> 24);
        b[5] = (byte) (ssrc >> 16);
        b[6] = (byte) (ssrc >> 8);
        b[7] = (byte) ssrc;
        return b;
    }

    static void assertRtp(byte[] got, int ssrc, int seq, byte[] payload) {
        assertEquals(12 + payload.length, got.length, "decrypted RTP length");
        assertEquals(ssrc, SrtpSession.rtpSsrc(got, 0), "ssrc");
        assertEquals(seq, ((got[2] & 0xFF) << 8) | (got[3] & 0xFF), "seq");
        assertEquals(Arrays.toString(payload), Arrays.toString(Arrays.copyOfRange(got, 12, got.length)), "payload");
    }
}
