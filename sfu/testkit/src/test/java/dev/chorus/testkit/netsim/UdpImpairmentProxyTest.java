package dev.chorus.testkit.netsim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The proxy on real loopback sockets, in front of an echo server. Waits are bounded; nothing asserts on timing. */
class UdpImpairmentProxyTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final int TIMEOUT_MS = 5000;

    private Echo echo;
    private UdpImpairmentProxy proxy;
    private final List<DatagramSocket> clients = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        echo = new Echo();
        proxy = UdpImpairmentProxy.start(new InetSocketAddress(LOOPBACK, 0), echo.address(), 1);
    }

    @AfterEach
    void tearDown() {
        proxy.close();
        echo.close();
        clients.forEach(DatagramSocket::close);
    }

    @Test
    void passesBothDirectionsWithNone() throws IOException {
        DatagramSocket c = client();
        for (int i = 0; i < 50; i++) {
            byte[] msg = ("hello " + i).getBytes(StandardCharsets.UTF_8);
            send(c, msg);
            assertArrayEquals(msg, receive(c), "echo of packet " + i);
        }
        FlowStats f = single(proxy.flows());
        assertEquals(c.getLocalSocketAddress(), f.client());
        assertNull(f.iceUsername());
        assertEquals(50, f.toServer().received());
        assertEquals(50, f.toServer().delivered());
        assertEquals(50, f.toClient().delivered());
        assertEquals(0, f.toServer().droppedLoss() + f.toClient().droppedLoss());
        assertEquals(f.toServer().bytesReceived(), f.toClient().bytesDelivered());
        ObjectNode json = proxy.toJson();
        assertEquals(1, json.get("flowsOpened").asLong());
        assertEquals(
                50, json.get("flows").get(0).get("toClient").get("delivered").asLong());
        assertEquals("none", json.get("default").get("toServer").asText());
    }

    @Test
    void fullLossToClientBlocksOnlyThatDirection() throws IOException {
        proxy.setDefault(Impairment.NONE, Impairment.parse("loss=100%"));
        DatagramSocket c = client();
        for (int i = 0; i < 10; i++) {
            send(c, new byte[] {(byte) i});
        }
        await(() -> echo.received.get() == 10, "the server gets all 10 packets");
        await(() -> single(proxy.flows()).toClient().droppedLoss() == 10, "the proxy drops all 10 echoes");
        assertEquals(0, single(proxy.flows()).toClient().delivered());
        c.setSoTimeout(200);
        assertThrows(SocketTimeoutException.class, () -> c.receive(new DatagramPacket(new byte[100], 100)));
    }

    @Test
    void fullLossToServerBlocksOnlyThatDirection() throws IOException {
        DatagramSocket c = client();
        send(c, new byte[] {1});
        assertArrayEquals(new byte[] {1}, receive(c));
        proxy.setDefault(Impairment.parse("loss=100%"), Impairment.NONE);
        for (int i = 0; i < 10; i++) {
            send(c, new byte[] {2});
        }
        await(() -> single(proxy.flows()).toServer().droppedLoss() == 10, "the proxy drops 10 packets to the server");
        assertEquals(1, echo.received.get());
        // the server can still reach the client through the flow
        echo.sendToLastPeer(new byte[] {9, 9});
        assertArrayEquals(new byte[] {9, 9}, receive(c));
    }

    @Test
    void stunUsernameSelectsTheFlowForAUfragRule() throws IOException {
        Impairment blackhole = Impairment.parse("loss=100%");
        proxy.setForIceUfrag("abc", blackhole, Impairment.NONE); // before the flow exists
        DatagramSocket a = client();
        DatagramSocket b = client();
        DatagramSocket c = client();
        send(a, stunBindingRequest("abc:def"));
        send(b, stunBindingRequest("xyz:uvw"));
        send(c, stunBindingRequest("abcd:def")); // shares a prefix, but another ufrag
        await(
                () -> proxy.flows().size() == 3 && proxy.flows().stream().allMatch(f -> f.iceUsername() != null),
                "three flows with their ICE usernames");
        assertEquals("abc", flowOf(a).iceUfrag());
        assertEquals("abc:def", flowOf(a).iceUsername());
        assertEquals("xyz", flowOf(b).iceUfrag());

        for (int i = 0; i < 5; i++) {
            send(a, new byte[] {(byte) 0x80, 1});
        }
        send(b, new byte[] {(byte) 0x80, 2});
        send(c, new byte[] {(byte) 0x80, 3});
        receiveUntil(b, new byte[] {(byte) 0x80, 2});
        receiveUntil(c, new byte[] {(byte) 0x80, 3});
        await(() -> flowOf(a).toServer().droppedLoss() == 6, "the STUN request and 5 packets of flow a dropped");
        assertEquals(0, flowOf(b).toServer().droppedLoss());
        assertEquals(0, flowOf(c).toServer().droppedLoss());
        assertEquals(4, echo.received.get(), "only b's and c's STUN requests and packets reached the server");

        // a rule set after the flow exists applies to it; clearing the rules lifts both
        proxy.setForIceUfrag("xyz", blackhole, Impairment.NONE);
        send(b, new byte[] {(byte) 0x80, 4});
        await(() -> flowOf(b).toServer().droppedLoss() == 1, "flow b now dropped");
        proxy.clearRules();
        send(a, new byte[] {(byte) 0x80, 5});
        receiveUntil(a, new byte[] {(byte) 0x80, 5});
        send(b, new byte[] {(byte) 0x80, 6});
        receiveUntil(b, new byte[] {(byte) 0x80, 6});
        assertEquals(3, proxy.toJson().get("stunUsernamesSeen").asLong());
    }

    @Test
    void garbageAndMalformedStunAreForwardedWithoutHarm() throws IOException {
        DatagramSocket c = client();
        Random r = new Random(5);
        byte[] big = new byte[2000];
        r.nextBytes(big);
        byte[] valid = stunBindingRequest("abc:def");
        byte[] lying = valid.clone();
        lying[2] = 0x03; // message length 1000+: runs past the datagram
        byte[] badAttr = valid.clone();
        badAttr[20 + 2] = 0x7f; // the first attribute's length runs past the message
        byte[] noCookie = valid.clone();
        noCookie[4] = 0;
        byte[][] inputs = {
            new byte[0],
            new byte[] {0},
            Arrays.copyOf(valid, 19),
            Arrays.copyOf(valid, 23),
            lying,
            badAttr,
            noCookie,
            big,
            new byte[] {0x16, (byte) 0xfe, (byte) 0xfd}
        };
        for (byte[] in : inputs) {
            send(c, in);
            byte[] back;
            try {
                back = receive(c);
            } catch (SocketTimeoutException e) {
                throw new AssertionError("no echo of a " + in.length + "-byte datagram: " + proxy.toJson(), e);
            }
            assertArrayEquals(in, back, "echo of a " + in.length + "-byte datagram");
        }
        FlowStats f = single(proxy.flows());
        assertNull(f.iceUsername(), "no malformed request yields a username");
        assertEquals(inputs.length, f.toClient().delivered());
        assertEquals(0, proxy.toJson().get("errors").asLong());
        // and a well-formed one afterwards still works
        send(c, valid);
        receive(c);
        assertEquals("abc:def", single(proxy.flows()).iceUsername());
    }

    @Test
    void delayHoldsPacketsAtLeastThatLong() throws IOException {
        proxy.setDefault(Impairment.parse("delay=60ms"), Impairment.parse("delay=60ms"));
        DatagramSocket c = client();
        long start = System.nanoTime();
        send(c, new byte[] {7});
        assertArrayEquals(new byte[] {7}, receive(c));
        long rttMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue(rttMs >= 120, "a round trip through two 60 ms delays took " + rttMs + " ms");
    }

    @Test
    void queueCapCountsOverflow() throws IOException {
        proxy.setMaxQueuedPerDirection(5);
        proxy.setDefault(Impairment.parse("delay=300ms"), Impairment.NONE);
        DatagramSocket c = client();
        for (int i = 0; i < 20; i++) {
            send(c, new byte[] {(byte) i});
        }
        await(
                () -> proxy.flows().size() == 1
                        && echo.received.get()
                                        + single(proxy.flows()).toServer().droppedOverflow()
                                == 20,
                "every packet delivered or counted as overflow");
        FlowStats f = single(proxy.flows());
        assertTrue(
                f.toServer().droppedOverflow() >= 15, "overflow " + f.toServer().droppedOverflow());
    }

    @Test
    void idleFlowsAreClosed() throws IOException {
        proxy.setIdleTimeout(Duration.ofMillis(200));
        DatagramSocket c = client();
        send(c, new byte[] {1});
        receive(c);
        await(() -> proxy.flows().isEmpty(), "the idle flow closes");
        assertEquals(1, proxy.toJson().get("flowsClosedIdle").asLong());
        send(c, new byte[] {2});
        assertArrayEquals(new byte[] {2}, receive(c), "a new flow opens for the same client");
        assertEquals(2, proxy.toJson().get("flowsOpened").asLong());
    }

    @Test
    void refusesNonLoopbackAddresses() throws IOException {
        InetSocketAddress loop = new InetSocketAddress(LOOPBACK, 0);
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> UdpImpairmentProxy.start(new InetSocketAddress("0.0.0.0", 0), echo.address(), 1));
        assertTrue(e.getMessage().contains("loopback"), e.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> UdpImpairmentProxy.start(loop, new InetSocketAddress("192.0.2.1", 9), 1));
        assertThrows(
                IllegalArgumentException.class,
                () -> UdpImpairmentProxy.start(loop, InetSocketAddress.createUnresolved("example.invalid", 9), 1));
        assertThrows(IllegalArgumentException.class, () -> proxy.setForIceUfrag("a:b", null, null));
    }

    @Test
    void closeEndsThreadsAndReleasesThePort() throws IOException {
        int port = proxy.localAddress().getPort();
        DatagramSocket c = client();
        send(c, new byte[] {1});
        receive(c);
        assertTrue(netsimThreads(port) == 2, "rx and tx threads run");
        proxy.close();
        proxy.close(); // idempotent
        assertEquals(0, netsimThreads(port));
        try (DatagramSocket again = new DatagramSocket(new InetSocketAddress(LOOPBACK, port))) {
            assertEquals(port, again.getLocalPort());
        }
    }

    // ---------------------------------------------------------------- helpers

    private static long netsimThreads(int port) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive()
                        && t.getName().startsWith("chorus-netsim-")
                        && t.getName().endsWith("-" + port))
                .peek(t -> assertTrue(t.isDaemon(), t.getName() + " is a daemon"))
                .count();
    }

    private FlowStats flowOf(DatagramSocket c) {
        SocketAddress a = c.getLocalSocketAddress();
        return proxy.flows().stream()
                .filter(f -> f.client().equals(a))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no flow for " + a + " in " + proxy.toJson()));
    }

    private static FlowStats single(List<FlowStats> flows) {
        assertEquals(1, flows.size(), "flows: " + flows);
        return flows.get(0);
    }

    private DatagramSocket client() throws SocketException {
        DatagramSocket s = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        s.setSoTimeout(TIMEOUT_MS);
        clients.add(s);
        return s;
    }

    private void send(DatagramSocket c, byte[] data) throws IOException {
        c.send(new DatagramPacket(data, data.length, proxy.localAddress()));
    }

    private static byte[] receive(DatagramSocket c) throws IOException {
        byte[] buf = new byte[65_536];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        c.receive(p);
        return Arrays.copyOf(buf, p.getLength());
    }

    /** Receives until {@code expected} arrives (earlier echoes, e.g. of STUN requests, are skipped). */
    private static void receiveUntil(DatagramSocket c, byte[] expected) throws IOException {
        long deadline = System.nanoTime() + TIMEOUT_MS * 1_000_000L;
        while (System.nanoTime() < deadline) {
            if (Arrays.equals(expected, receive(c))) {
                return;
            }
        }
        fail("never received " + Arrays.toString(expected));
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TIMEOUT_MS * 1_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting until " + what);
            }
            Thread.onSpinWait();
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
    }

    /** A STUN Binding request (RFC 5389) with PRIORITY, USERNAME and a dummy MESSAGE-INTEGRITY. */
    static byte[] stunBindingRequest(String username) {
        byte[] user = username.getBytes(StandardCharsets.UTF_8);
        int userPadded = (user.length + 3) & ~3;
        int len = 8 + 4 + userPadded + 24;
        ByteBuffer b = ByteBuffer.allocate(20 + len);
        b.putShort((short) 0x0001).putShort((short) len).putInt(0x2112A442);
        b.put(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
        b.putShort((short) 0x0024).putShort((short) 4).putInt(0x6e7f00ff); // PRIORITY
        b.putShort((short) 0x0006).putShort((short) user.length).put(user);
        b.position(b.position() + userPadded - user.length);
        b.putShort((short) 0x0008).putShort((short) 20).put(new byte[20]); // MESSAGE-INTEGRITY (not checked)
        return b.array();
    }

    @Test
    void stunParserReadsOnlyWellFormedBindingRequests() {
        assertEquals("abc:def", StunUsername.read(ByteBuffer.wrap(stunBindingRequest("abc:def"))));
        byte[] response = stunBindingRequest("abc:def");
        response[0] = 0x01; // 0x0101 Binding success response
        assertNull(StunUsername.read(ByteBuffer.wrap(response)));
        byte[] odd = stunBindingRequest("abc:def");
        odd[3] = (byte) (odd[3] + 1); // length not a multiple of 4
        assertNull(StunUsername.read(ByteBuffer.wrap(odd)));
        ByteBuffer offset = ByteBuffer.allocate(200);
        offset.position(7);
        offset.put(stunBindingRequest("u1:u2"));
        offset.flip().position(7);
        assertEquals("u1:u2", StunUsername.read(offset));
        assertEquals(7, offset.position(), "not consumed");
        Random r = new Random(3);
        byte[] junk = new byte[64];
        for (int i = 0; i < 10_000; i++) {
            r.nextBytes(junk);
            junk[0] &= 0x3f;
            StunUsername.read(ByteBuffer.wrap(junk, 0, r.nextInt(65)));
        }
        assertNotNull(StunUsername.read(ByteBuffer.wrap(stunBindingRequest("x:y"))));
    }

    /** Echoes each datagram to its sender; counts them. */
    private static final class Echo {
        final DatagramSocket socket;
        final AtomicInteger received = new AtomicInteger();
        final AtomicReference<SocketAddress> lastPeer = new AtomicReference<>();
        final Thread thread;

        Echo() throws SocketException {
            socket = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
            thread = new Thread(this::run, "test-echo");
            thread.setDaemon(true);
            thread.start();
        }

        InetSocketAddress address() {
            return (InetSocketAddress) socket.getLocalSocketAddress();
        }

        void sendToLastPeer(byte[] data) throws IOException {
            socket.send(new DatagramPacket(data, data.length, lastPeer.get()));
        }

        private void run() {
            byte[] buf = new byte[65_536];
            while (!socket.isClosed()) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    socket.receive(p);
                    lastPeer.set(p.getSocketAddress());
                    received.incrementAndGet();
                    socket.send(new DatagramPacket(buf, p.getLength(), p.getSocketAddress()));
                } catch (IOException e) {
                    return;
                }
            }
        }

        void close() {
            socket.close();
            try {
                thread.join(TIMEOUT_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            assertFalse(thread.isAlive());
        }
    }
}
