package dev.chorus.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.sctp.DataChannel;
import dev.chorus.sfu.sctp.DataChannels;
import dev.chorus.sfu.sctp.SctpConfig;
import dev.chorus.sfu.transport.DataChannelLink;
import dev.chorus.sfu.transport.DtlsCertificate;
import dev.chorus.sfu.transport.TransportConfig;
import dev.chorus.testkit.peer.NativePeer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The room data relay between two Java clients through a running server (README "Data channels"): each joins the
 * same room over signaling, connects a native peer whose offer carries a data-channel line, and opens
 * {@code chorus}; one sends, the other receives, on one JVM clock, so one-way latency is exact. Prints paced latency
 * and windowed throughput at several message sizes.
 *
 * <pre>java -cp loadtest/target/chorus-loadtest.jar dev.chorus.loadtest.DataRelayBench http://127.0.0.1:18480</pre>
 *
 * The server's relay rate limit ({@code chorus.media.data-relay-per-second}, 100) must be raised for the throughput
 * figures to mean anything.
 */
public final class DataRelayBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Messages the sender keeps in flight (sent, not yet received). */
    private static final int WINDOW = 256;

    private DataRelayBench() {}

    /** One participant: its signaling socket, its native peer and its {@code chorus} channel. */
    private static final class Client implements DataChannels.Listener, WebSocket.Listener {
        final BlockingQueue<JsonNode> signaling = new LinkedBlockingQueue<>();
        final NativePeer peer;
        final CompletableFuture<DataChannel> open = new CompletableFuture<>();
        final List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        final AtomicLong received = new AtomicLong();
        final AtomicLong receivedBytes = new AtomicLong();
        volatile long lastAt;
        volatile Semaphore window;
        private final StringBuilder partial = new StringBuilder();
        WebSocket ws;
        String id;
        DataChannelLink link;

        Client(DtlsCertificate cert, String name) throws Exception {
            peer = NativePeer.create(TransportConfig.builder().build(), cert, name);
        }

        @Override
        public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    signaling.add(JSON.readTree(partial.toString()));
                } catch (Exception e) {
                    System.err.println("bad signaling message: " + e);
                }
                partial.setLength(0);
            }
            w.request(1);
            return null;
        }

        void send(ObjectNode m) {
            ws.sendText(m.toString(), true).join();
        }

        JsonNode await(String type) throws InterruptedException {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < end) {
                JsonNode m = signaling.poll(100, TimeUnit.MILLISECONDS);
                if (m == null) continue;
                if (type.equals(m.path("type").asText())) return m;
                if ("candidate".equals(m.path("type").asText()) && m.hasNonNull("candidate")) {
                    peer.addRemoteCandidate(m.get("candidate").asText());
                }
            }
            throw new IllegalStateException("no '" + type + "' within 30 s");
        }

        @Override
        public void onOpen(DataChannel channel) {
            if ("chorus".equals(channel.label())) open.complete(channel);
        }

        @Override
        public void onMessage(DataChannel channel, boolean binary, byte[] data) {
            long now = System.nanoTime();
            try {
                JsonNode m = JSON.readTree(data).path("data");
                if (m.has("t")) {
                    latencies.add(now - m.get("t").asLong());
                    receivedBytes.addAndGet(m.path("pad").asText().length());
                    received.incrementAndGet();
                    lastAt = now;
                    Semaphore s = window;
                    if (s != null) s.release();
                }
            } catch (Exception e) {
                System.err.println("bad relay message: " + e);
            }
        }

        @Override
        public void onClose(DataChannel channel) {}

        @Override
        public void onError(DataChannel channel, String error) {
            System.err.println("data channel error: " + error);
        }
    }

    public static void main(String[] args) throws Exception {
        URI http = URI.create(args.length > 0 ? args[0] : "http://127.0.0.1:18480");
        URI wsUri = URI.create("ws://" + http.getHost() + ":" + http.getPort() + "/ws");
        String room = "dcbench-" + Long.toString(System.nanoTime() % 1_000_000, 36);
        DtlsCertificate cert = DtlsCertificate.generate();
        HttpClient httpClient = HttpClient.newHttpClient();
        Client a = join(httpClient, wsUri, cert, room, "A");
        Client b = join(httpClient, wsUri, cert, room, "B");
        DataChannel toRoom = a.open.get(30, TimeUnit.SECONDS);
        b.open.get(30, TimeUnit.SECONDS);

        run(a, b, toRoom, 500, 1000, 0); // warm-up
        System.out.println("data relay Java<->Java through " + http + ": " + run(a, b, toRoom, 300, 0, 10));
        for (int[] r : new int[][] {{20_000, 100}, {20_000, 1000}, {2000, 16_000}, {100, 200_000}}) {
            System.out.println("data relay Java<->Java through " + http + ": " + run(a, b, toRoom, r[0], r[1], -1));
        }
        a.peer.close();
        b.peer.close();
        a.ws.sendClose(WebSocket.NORMAL_CLOSURE, "done");
        b.ws.sendClose(WebSocket.NORMAL_CLOSURE, "done");
        System.exit(0);
    }

    /** {@code count} messages of {@code pad} bytes: every {@code gapMillis}, or windowed as fast as they go (-1). */
    private static String run(Client a, Client b, DataChannel ch, int count, int pad, int gapMillis) throws Exception {
        b.latencies.clear();
        b.received.set(0);
        b.receivedBytes.set(0);
        Semaphore window = new Semaphore(WINDOW);
        b.window = window;
        String padding = "x".repeat(pad);
        long t0 = System.nanoTime();
        for (int i = 0; i < count; i++) {
            if (gapMillis > 0) {
                Thread.sleep(gapMillis);
            } else if (!window.tryAcquire(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("nothing arrived for 30 s (" + b.received.get() + " of " + count + ")");
            }
            String m = "{\"data\":{\"t\":" + System.nanoTime() + ",\"pad\":\"" + padding + "\"}}";
            a.link.send(ch, false, m.getBytes(StandardCharsets.UTF_8));
        }
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (b.received.get() < count && System.nanoTime() < end) {
            Thread.sleep(5);
        }
        if (b.received.get() < count) {
            throw new IllegalStateException(b.received.get() + " of " + count + " arrived");
        }
        double seconds = (b.lastAt - t0) / 1e9;
        List<Long> l = new ArrayList<>(b.latencies);
        Collections.sort(l);
        String lat = String.format(
                "one-way p50 %.2f ms, p99 %.2f ms, max %.2f ms",
                l.get(l.size() / 2) / 1e6,
                l.get((int) Math.ceil(l.size() * 0.99) - 1) / 1e6,
                l.get(l.size() - 1) / 1e6);
        if (gapMillis > 0) {
            return String.format("paced, %d messages every %d ms: %s", count, gapMillis, lat);
        }
        return String.format(
                "%d messages of %d bytes, %d in flight: %.0f messages/s, %.2f MB/s; %s",
                count, pad, WINDOW, count / seconds, b.receivedBytes.get() / seconds / 1e6, lat);
    }

    private static Client join(HttpClient http, URI wsUri, DtlsCertificate cert, String room, String name)
            throws Exception {
        Client c = new Client(cert, name);
        c.ws = http.newWebSocketBuilder().buildAsync(wsUri, c).get(10, TimeUnit.SECONDS);
        ObjectNode join =
                JSON.createObjectNode().put("type", "join").put("room", room).put("name", name);
        c.send(join);
        c.id = c.await("joined").path("you").path("id").asText();
        String offer = withDataChannelLine(c.peer.createOffer(0, 0, 1, 0));
        ObjectNode o = JSON.createObjectNode().put("type", "offer").put("id", 1).put("sdp", offer);
        o.putObject("sources");
        c.send(o);
        String answer = c.await("answer").path("sdp").asText();
        c.link = c.peer.transport().enableDataChannels(SctpConfig.DEFAULT, c);
        c.peer.applyAnswer(withoutApplicationSection(answer)); // the native peer reads its own lines only
        c.peer.connected().get(30, TimeUnit.SECONDS);
        c.link.open("chorus", true, -1, -1);
        return c;
    }

    /** The native peer's offer with a data-channel line added to its BUNDLE group, on the same transport. */
    static String withDataChannelLine(String sdp) {
        String eol = sdp.contains("\r\n") ? "\r\n" : "\n";
        StringBuilder transport = new StringBuilder();
        for (String line : sdp.split(eol)) {
            if (line.startsWith("a=ice-ufrag:")
                    || line.startsWith("a=ice-pwd:")
                    || line.startsWith("a=fingerprint:")
                    || line.startsWith("a=setup:")) {
                if (transport.indexOf(line.substring(0, line.indexOf(':'))) < 0)
                    transport.append(line).append(eol);
            }
        }
        String withGroup = sdp.replaceFirst("a=group:BUNDLE ([^\r\n]*)", "a=group:BUNDLE $1 dc");
        return withGroup + "m=application 9 UDP/DTLS/SCTP webrtc-datachannel" + eol + "c=IN IP4 0.0.0.0" + eol
                + transport + "a=mid:dc" + eol + "a=sctp-port:5000" + eol + "a=max-message-size:2097152" + eol;
    }

    static String withoutApplicationSection(String sdp) {
        int at = sdp.indexOf("m=application");
        if (at < 0) return sdp;
        int next = sdp.indexOf("m=", at + 2);
        return sdp.substring(0, at) + (next < 0 ? "" : sdp.substring(next));
    }
}
