package dev.chorus.web.browser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.testkit.netsim.FlowStats;
import dev.chorus.testkit.netsim.TcpDropProxy;
import dev.chorus.testkit.netsim.UdpImpairmentProxy;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A test server whose media browsers can reach only through the UDP impairment proxy: the SFU announces
 * 127.0.0.1:P as its candidate (as behind a 1:1 NAT) and the proxy listens on P in front of the SFU's real
 * UDP port. Also reads the SFU's /debug view of one participant's video path.
 */
final class ProxiedServer implements AutoCloseable {
    private final TestServer server;
    private final UdpImpairmentProxy proxy;
    /** In front of the SFU's ICE-TCP port when it listens on one, else null. */
    private final TcpDropProxy tcpProxy;

    private final ObjectMapper json = new ObjectMapper();

    private ProxiedServer(TestServer server, UdpImpairmentProxy proxy, TcpDropProxy tcpProxy) {
        this.server = server;
        this.proxy = proxy;
        this.tcpProxy = tcpProxy;
    }

    /**
     * As {@link #start(long)}, with ICE-TCP on too, behind a {@link TcpDropProxy} whose port the SFU announces in its
     * passive TCP candidate: a test can delay UDP in the impairment proxy and cut the TCP connections.
     */
    static ProxiedServer startWithIceTcp(long seed) throws Exception {
        int tcpPort;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            tcpPort = probe.getLocalPort();
        }
        TcpDropProxy tcp = TcpDropProxy.start(tcpPort);
        try {
            return start(
                    seed,
                    InetAddress.getByName("127.0.0.1"),
                    Map.of(
                            "chorus.media.tcp-port", Integer.toString(tcpPort),
                            "chorus.media.public-tcp-port", Integer.toString(tcp.port())),
                    tcp);
        } catch (Exception | Error e) {
            tcp.close();
            throw e;
        }
    }

    /** The TCP proxy in front of ICE-TCP ({@link #startWithIceTcp}). */
    TcpDropProxy tcpProxy() {
        return tcpProxy;
    }

    /** P is a free port picked first; should another process take it in between, try again. */
    static ProxiedServer start(long seed) throws Exception {
        return start(seed, InetAddress.getByName("127.0.0.1"));
    }

    /**
     * As {@link #start(long)}, with the SFU and the proxy on {@code address} instead of 127.0.0.1 (the
     * Firefox tests' {@link NetworkNamespace#ADDRESS}); the web server stays on 127.0.0.1.
     */
    static ProxiedServer start(long seed, InetAddress address) throws Exception {
        // No ICE-TCP: media must take the impaired path, not go round it.
        return start(seed, address, Map.of("chorus.media.tcp-port", "-1"), null);
    }

    /** As {@link #start(long)}, with more server settings. */
    static ProxiedServer start(long seed, Map<String, String> settings) throws Exception {
        Map<String, String> all = new java.util.HashMap<>(settings);
        all.put("chorus.media.tcp-port", "-1");
        return start(seed, InetAddress.getByName("127.0.0.1"), all, null);
    }

    private static ProxiedServer start(long seed, InetAddress address, Map<String, String> more, TcpDropProxy tcp)
            throws Exception {
        InetAddress loopback = address;
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int port;
            try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(loopback, 0))) {
                port = probe.getLocalPort();
            }
            Map<String, String> settings = new java.util.HashMap<>(more);
            settings.put("chorus.media.address", loopback.getHostAddress());
            settings.put("chorus.media.public-address", loopback.getHostAddress());
            settings.put("chorus.media.public-port", Integer.toString(port));
            TestServer s = TestServer.start(settings);
            try {
                UdpImpairmentProxy p = UdpImpairmentProxy.start(
                        new InetSocketAddress(loopback, port),
                        new InetSocketAddress(loopback, s.server().mediaPort()),
                        seed);
                return new ProxiedServer(s, p, tcp);
            } catch (IOException e) {
                last = e;
                s.close();
            }
        }
        throw new IllegalStateException("could not start the impairment proxy on a free port", last);
    }

    String url(String path) {
        return server.url(path);
    }

    /** The server API (its settings from {@link ServerApiClient#settings()} among the server's). */
    ServerApiClient api() {
        return new ServerApiClient(server);
    }

    UdpImpairmentProxy proxy() {
        return proxy;
    }

    /**
     * The proxy flows whose client has used that server ufrag: one per client address the browser tried (it
     * may check from more than one of its addresses), of which the selected pair's carries the media.
     */
    List<FlowStats> flows(String serverUfrag) {
        return proxy.flows().stream()
                .filter(f -> serverUfrag.equals(f.iceUfrag()))
                .toList();
    }

    JsonNode debug() throws Exception {
        return server.debug();
    }

    /** The SFU's transport of that participant (its media session's "transport" in /debug). */
    JsonNode transport(String participantId) throws Exception {
        return server.transport(participantId);
    }

    /** The SFU's consumer forwarding video to that participant and its producer, as {consumer, producer}. */
    JsonNode videoPath(String participantId) throws Exception {
        JsonNode debug = debug();
        for (JsonNode router : debug.path("media").path("forwarding").path("routers")) {
            for (JsonNode c : router.path("consumers")) {
                if (!participantId.equals(c.path("endpoint").asText())) continue;
                for (JsonNode p : router.path("producers")) {
                    if (p.path("id").asText().equals(c.path("producer").asText())
                            && "VIDEO".equalsIgnoreCase(p.path("kind").asText())) {
                        ObjectNode n = json.createObjectNode();
                        n.set("consumer", c);
                        n.set("producer", p);
                        return n;
                    }
                }
            }
        }
        throw new AssertionError("no video consumer for " + participantId + " in /debug: " + debug);
    }

    /** What {@link #awaitVideoPath} tests: the participant's video consumer and its producer, from /debug. */
    record VideoPath(JsonNode consumer, JsonNode producer) {}

    /**
     * Polls /debug until the participant's video path meets {@code condition} and returns it as
     * {@link #videoPath}; fails after {@code timeout} with the last state and the congestion state.
     */
    JsonNode awaitVideoPath(String participantId, Predicate<VideoPath> condition, Duration timeout, String what)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = videoPath(participantId);
            if (condition.test(new VideoPath(last.path("consumer"), last.path("producer")))) return last;
            Thread.sleep(250);
        }
        throw new AssertionError(
                "timed out waiting for " + what + ": " + last + "; congestion " + congestion(participantId));
    }

    /** The participant's endpoint's congestion-control state from /debug (empty if not found). */
    JsonNode congestion(String participantId) throws Exception {
        for (JsonNode router : debug().path("media").path("forwarding").path("routers")) {
            for (JsonNode e : router.path("endpoints")) {
                if (participantId.equals(e.path("id").asText())) return e.path("congestion");
            }
        }
        return json.createObjectNode();
    }

    @Override
    public void close() {
        proxy.close();
        if (tcpProxy != null) tcpProxy.close();
        server.close();
    }
}
