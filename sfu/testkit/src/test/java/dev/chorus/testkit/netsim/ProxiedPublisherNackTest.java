package dev.chorus.testkit.netsim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chorus.sfu.conference.MediaService;
import dev.chorus.sfu.conference.MediaSession;
import dev.chorus.sfu.conference.MediaSessionListener;
import dev.chorus.sfu.conference.OfferOutcome;
import dev.chorus.sfu.forward.RouterConfig;
import dev.chorus.sfu.transport.DtlsCertificate;
import dev.chorus.sfu.transport.TransportConfig;
import dev.chorus.testkit.peer.NativePeer;
import java.net.BindException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A native publisher reaches a real media service only through the impairment proxy (the SFU announces the proxy's
 * port, as {@code media.public-address}/{@code public-port} do); once connected, a ufrag rule makes its uplink lossy
 * and the SFU's NACK generator asks the publisher for the missing packets.
 */
class ProxiedPublisherNackTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @Test
    void lossyUplinkThroughTheProxyMakesTheSfuSendNacks() throws Exception {
        ExecutorService control = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "test-media-control");
            t.setDaemon(true);
            return t;
        });
        MediaService media = null;
        UdpImpairmentProxy proxy = null;
        NativePeer publisher = null;
        try {
            for (int attempt = 0; proxy == null; attempt++) {
                int proxyPort = freeUdpPort(); // the SFU must know the port it announces before the proxy binds it
                MediaService m = MediaService.start(
                        new MediaService.Settings(
                                TransportConfig.builder()
                                        .port(0)
                                        .allowRemote("127.0.0.0/8")
                                        .advertised(LOOPBACK, proxyPort)
                                        .build(),
                                1,
                                256,
                                1024,
                                RouterConfig.defaults()),
                        control);
                try {
                    proxy = UdpImpairmentProxy.start(
                            new InetSocketAddress(LOOPBACK, proxyPort),
                            new InetSocketAddress(LOOPBACK, m.udpPort()),
                            7);
                    media = m;
                } catch (BindException e) {
                    control.submit(m::close).get(10, TimeUnit.SECONDS);
                    if (attempt == 5) {
                        throw e;
                    }
                }
            }
            MediaService service = media;
            publisher = NativePeer.create(
                    TransportConfig.builder().port(0).allowRemote("127.0.0.0/8").build(),
                    DtlsCertificate.generate(),
                    "pub");
            String offer = publisher.createOffer(0, 1, 0, 0);
            String videoMid = publisher.sendStreams().get(0).mid();
            MediaSession session = call(control, () -> service.room("lossy").join("pub", new Quiet()));
            OfferOutcome answer = call(control, () -> session.handleOffer(offer, Map.of(videoMid, "camera")));
            publisher.applyAnswer(answer.sdp());
            for (String c : answer.candidates()) {
                publisher.addRemoteCandidate(c);
            }
            NativePeer pub = publisher;
            sendUntil(pub, () -> pub.connected().isDone(), 10_000, "the publisher connects via the proxy");

            FlowStats flow = proxy.flows().get(0);
            assertEquals(1, proxy.flows().size(), "one flow: " + proxy.toJson());
            String serverUfrag = iceUfrag(answer.sdp());
            assertEquals(serverUfrag, flow.iceUfrag(), "the proxy learned the SFU's ufrag from the STUN checks");
            assertTrue(
                    flow.toServer().delivered() > 0 && flow.toClient().delivered() > 0,
                    proxy.toJson().toString());

            proxy.setForIceUfrag(serverUfrag, Impairment.parse("loss=10%"), Impairment.NONE);
            sendUntil(pub, () -> nackRequests(control, service) > 0, 15_000, "the SFU sends NACKs to the publisher");
            FlowStats after = proxy.flows().get(0);
            assertTrue(after.toServer().droppedLoss() > 0, proxy.toJson().toString());
            assertEquals(0, after.toClient().droppedLoss());
        } finally {
            if (publisher != null) {
                publisher.close();
            }
            if (proxy != null) {
                proxy.close();
            }
            if (media != null) {
                MediaService m = media;
                control.submit(m::close).get(10, TimeUnit.SECONDS);
            }
            control.shutdownNow();
        }
    }

    /** Sends a 30 fps video stream (the first frame a keyframe) until the condition holds. */
    private static void sendUntil(
            NativePeer peer, java.util.function.BooleanSupplier done, long timeoutMillis, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        boolean keyframe = true;
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting until " + what + "; peer " + peer.toJson());
            }
            if (peer.connected().isDone() && peer.sendVideoFrame(new byte[2500], keyframe)) {
                keyframe = false;
            }
            Thread.sleep(33);
        }
    }

    private static long nackRequests(ExecutorService control, MediaService media) {
        try {
            JsonNode debug = call(control, media::debugJson).get(5, TimeUnit.SECONDS);
            return debug.findValues("nackRequests").stream()
                    .mapToLong(JsonNode::asLong)
                    .sum();
        } catch (Exception e) {
            throw new AssertionError("no debug state", e);
        }
    }

    private static String iceUfrag(String sdp) {
        Matcher m = Pattern.compile("a=ice-ufrag:(\\S+)").matcher(sdp);
        assertTrue(m.find(), sdp);
        return m.group(1);
    }

    private static int freeUdpPort() throws Exception {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            return s.getLocalPort();
        }
    }

    private static <T> T call(ExecutorService control, Callable<T> c) throws Exception {
        return control.submit(c).get(10, TimeUnit.SECONDS);
    }

    private static final class Quiet implements MediaSessionListener {
        @Override
        public void renegotiationNeeded(int audioTracks, int videoTracks) {}

        @Override
        public void mediaConnected() {}

        @Override
        public void mediaFailed(String reason) {}

        @Override
        public void mediaLost(String reason) {}
    }
}
