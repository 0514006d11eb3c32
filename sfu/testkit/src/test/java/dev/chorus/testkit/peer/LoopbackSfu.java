package dev.chorus.testkit.peer;

import dev.chorus.sfu.sdp.Answer;
import dev.chorus.sfu.sdp.AnswerBuilder;
import dev.chorus.sfu.sdp.Fingerprint;
import dev.chorus.sfu.sdp.IceCandidate;
import dev.chorus.sfu.sdp.LocalTransport;
import dev.chorus.sfu.sdp.RemoteTrack;
import dev.chorus.sfu.sdp.RemoteTransport;
import dev.chorus.sfu.sdp.SdpParser;
import dev.chorus.sfu.transport.DtlsCertificate;
import dev.chorus.sfu.transport.MediaPorts;
import dev.chorus.sfu.transport.TransportConfig;
import dev.chorus.sfu.transport.WebRtcTransport;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The SFU side of a test, built by hand from the real pieces: a server {@link WebRtcTransport} on a
 * {@link MediaPorts}, answered with {@link AnswerBuilder} exactly as signaling would.
 */
final class LoopbackSfu implements AutoCloseable {
    static final DtlsCertificate SERVER_CERT = DtlsCertificate.generate();
    static final DtlsCertificate CLIENT_CERT = DtlsCertificate.generate();

    final MediaPorts port;

    LoopbackSfu() throws Exception {
        port = MediaPorts.open(loopback().build());
    }

    static TransportConfig.Builder loopback() {
        return TransportConfig.builder().port(0).allowRemote("127.0.0.0/8").dtlsHandshakeTimeout(Duration.ofSeconds(5));
    }

    /** One participant's server transport with what it received. */
    static final class Session implements AutoCloseable, WebRtcTransport.Listener {
        final BlockingQueue<byte[]> rtp = new LinkedBlockingQueue<>();
        final BlockingQueue<byte[]> rtcp = new LinkedBlockingQueue<>();
        final BlockingQueue<String> events = new LinkedBlockingQueue<>();
        WebRtcTransport transport;
        Answer answer;
        long sessionVersion;

        @Override
        public void onStateChanged(WebRtcTransport t, WebRtcTransport.Event event, String reason) {
            events.add(event + (reason == null ? "" : " " + reason));
        }

        @Override
        public void onRtp(WebRtcTransport t, byte[] buf, int off, int len) {
            rtp.add(Arrays.copyOfRange(buf, off, off + len));
        }

        @Override
        public void onRtcp(WebRtcTransport t, byte[] buf, int off, int len) {
            rtcp.add(Arrays.copyOfRange(buf, off, off + len));
        }

        byte[] nextRtp(long millis) throws InterruptedException {
            byte[] p = rtp.poll(millis, TimeUnit.MILLISECONDS);
            if (p == null) {
                throw new AssertionError("server received no RTP within " + millis + " ms");
            }
            return p;
        }

        void await(String event, long millis) throws InterruptedException {
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            while (true) {
                long left = end - System.nanoTime();
                String e = left <= 0 ? null : events.poll(left, TimeUnit.NANOSECONDS);
                if (e == null) {
                    throw new AssertionError("server: no " + event + " within " + millis + " ms");
                }
                if (e.startsWith(event)) {
                    return;
                }
            }
        }

        /** Answers a (re-)offer, sending {@code tracks} by mid; starts the transport on the first answer. */
        String answer(String offer, Map<String, RemoteTrack> tracks) throws Exception {
            String fp = transport.localFingerprint();
            int sp = fp.indexOf(' ');
            List<String> candidates = transport.localCandidates().stream()
                    .map(IceCandidate::toSdp)
                    .toList();
            AnswerBuilder b = AnswerBuilder.forOffer(SdpParser.parse(offer))
                    .transport(new LocalTransport(
                            transport.localUfrag(),
                            transport.localPassword(),
                            new Fingerprint(fp.substring(0, sp), fp.substring(sp + 1)),
                            candidates,
                            true))
                    .origin(99, ++sessionVersion);
            tracks.forEach(b::send);
            boolean first = answer == null;
            answer = b.build();
            if (first) {
                RemoteTransport remote = answer.remoteTransport().orElseThrow();
                transport.setRemoteIceCredentials(remote.iceUfrag(), remote.icePwd());
                transport.setRemoteFingerprint(
                        remote.fingerprint().hashFunction(),
                        remote.fingerprint().value());
                remote.candidates().forEach(transport::addRemoteCandidate);
                transport.start();
            }
            return answer.sdp();
        }

        @Override
        public void close() {
            if (transport != null) {
                transport.close();
            }
        }
    }

    Session newSession() throws Exception {
        Session s = new Session();
        s.transport = WebRtcTransport.createServer(port, SERVER_CERT, s);
        return s;
    }

    /** Offer, answer, connect: returns once both sides report DTLS connected. */
    Session connect(
            NativePeer peer,
            int sendAudio,
            int sendVideo,
            int recvAudio,
            int recvVideo,
            Map<String, RemoteTrack> tracks)
            throws Exception {
        Session s = newSession();
        try {
            String offer = peer.createOffer(sendAudio, sendVideo, recvAudio, recvVideo);
            peer.applyAnswer(s.answer(offer, tracks));
            peer.connected().get(10, TimeUnit.SECONDS);
            s.await("DTLS_CONNECTED", 10_000);
            return s;
        } catch (Exception | AssertionError e) {
            s.close();
            throw e;
        }
    }

    @Override
    public void close() {
        port.close();
    }
}
