package dev.chorus.sfu.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.sfu.sctp.DataChannel;
import dev.chorus.sfu.sctp.DataChannels;
import dev.chorus.sfu.sctp.SctpConfig;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SCTP as DTLS application data (RFC 8261) between a server and a client transport over real ICE and DTLS: a channel,
 * a 1 MiB message (above Chromium's 256 KiB, below our 2 MiB maximum), an answer, and a close.
 */
class DataChannelTransportTest {
    private static final DtlsCertificate SERVER_CERT = DtlsCertificate.generate();
    private static final DtlsCertificate CLIENT_CERT = DtlsCertificate.generate();
    private static MediaPorts port;

    @BeforeAll
    static void openPort() throws Exception {
        Peers.quiet();
        port = MediaPorts.open(TransportConfig.builder()
                .port(0)
                .allowRemote("127.0.0.0/8")
                .dtlsHandshakeTimeout(Duration.ofSeconds(5))
                .build());
    }

    @AfterAll
    static void closePort() {
        port.close();
    }

    /** Channel events as a queue: "open label", "message label size", "close label". */
    private static final class Events implements DataChannels.Listener {
        final BlockingQueue<String> seen = new LinkedBlockingQueue<>();
        final BlockingQueue<byte[]> messages = new LinkedBlockingQueue<>();
        volatile DataChannel last;

        @Override
        public void onOpen(DataChannel channel) {
            last = channel;
            seen.add("open " + channel.label());
        }

        @Override
        public void onMessage(DataChannel channel, boolean binary, byte[] data) {
            messages.add(data);
        }

        @Override
        public void onClose(DataChannel channel) {
            seen.add("close " + channel.label());
        }

        String next() throws InterruptedException {
            String e = seen.poll(10, TimeUnit.SECONDS);
            assertNotNull(e, "no channel event within 10 s");
            return e;
        }
    }

    @Test
    void aClientOpensAChannelAndBothSidesExchangeMessagesOverDtls() throws Exception {
        TransportConfig clientConfig = TransportConfig.builder()
                .port(0)
                .allowRemote("127.0.0.0/8")
                .dtlsHandshakeTimeout(Duration.ofSeconds(5))
                .build();
        try (Peers.Pair pair = Peers.wire(port, SERVER_CERT, CLIENT_CERT, clientConfig, null, null)) {
            Events atServer = new Events();
            Events atClient = new Events();
            DataChannelLink server = pair.server().enableDataChannels(SctpConfig.DEFAULT, atServer);
            DataChannelLink client = pair.client().enableDataChannels(SctpConfig.DEFAULT, atClient);
            pair.serverEvents().await("DTLS_CONNECTED", 10_000);
            pair.clientEvents().await("DTLS_CONNECTED", 10_000);
            client.open("chorus", true, -1, -1);
            assertEquals("open chorus", atClient.next());
            assertEquals("open chorus", atServer.next());
            byte[] big = new byte[1 << 20];
            new Random(1).nextBytes(big);
            long start = System.nanoTime();
            client.send(atClient.last, true, big);
            byte[] got = atServer.messages.poll(20, TimeUnit.SECONDS);
            assertNotNull(got, "1 MiB over DTLS within 20 s");
            assertArrayEquals(big, got);
            System.out.printf("1 MiB over SCTP/DTLS on loopback in %d ms%n", (System.nanoTime() - start) / 1_000_000);
            server.send(atServer.last, false, "back".getBytes());
            assertArrayEquals("back".getBytes(), atClient.messages.poll(10, TimeUnit.SECONDS));
            assertEquals(0, atServer.last.stream() % 2, "the DTLS client's channel is on an even stream");
            client.close(atClient.last);
            assertEquals("close chorus", atServer.next());
            assertEquals("close chorus", atClient.next());
            assertTrue(pair.server()
                    .toJson()
                    .path("dataChannels")
                    .path("sctp")
                    .path("state")
                    .asText()
                    .equals("ESTABLISHED"));
        }
    }
}
