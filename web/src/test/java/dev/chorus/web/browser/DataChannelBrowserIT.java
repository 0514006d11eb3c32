package dev.chorus.web.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chorus.testkit.netsim.Impairment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * WebRTC data channels between real Chromium pages and the SFU's own SCTP stack, through the room data relay
 * (signaling/PROTOCOL.md "Data channels"): both reliabilities, a message named to one participant, Chromium's largest
 * message, round trips, and 5 % loss each way through the UDP impairment proxy. Receive-only pages, windows of one
 * browser: media is not the point. Media reaches the SFU through the proxy ({@link ProxiedServer}), unimpaired
 * until a test impairs one page's flow.
 */
class DataChannelBrowserIT {
    private static final String RECEIVE_ONLY = "publish=0";
    /** Records what the page's relay delivers: sender, reliability, size, and a short prefix of the text. */
    private static final String COLLECT = "window.__dataIn = [];"
            + "window.chorus.data.addEventListener('message', (e) => {"
            + "  const d = e.detail.data; const text = typeof d === 'string' ? d : JSON.stringify(d);"
            + "  window.__dataIn.push({from: e.detail.from, reliable: e.detail.reliable, size: text.length,"
            + "    head: text.substring(0, 40), at: Date.now()});"
            + "  if (d && d.ping !== undefined) window.chorus.data.send({pong: d.ping}, {to: [e.detail.from]});"
            + "});";

    private static ProxiedServer server;
    private static Chromium.Started browser;
    private final List<RoomPage> pages = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        // The loss test sends 600 messages at once: above the relay's default burst
        // (chorus.media.data-relay-per-second).
        Map<String, String> settings = new java.util.HashMap<>(ServerApiClient.settings());
        settings.put("chorus.media.data-relay-per-second", "5000");
        server = ProxiedServer.start(18, settings);
        browser = Chromium.start(List.of(), Chromium.Camera.SMALL);
        browser.openWindow();
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (server != null) {
            server.close();
        }
    }

    @AfterEach
    void closePages() {
        server.proxy().clearRules();
        pages.forEach(RoomPage::close);
        pages.clear();
    }

    private RoomPage joined(String room, String name) {
        RoomPage page = RoomPage.openIn(browser, server.url("/r/" + room + "?name=" + name + "&" + RECEIVE_ONLY));
        pages.add(page);
        page.awaitState("joined");
        return page;
    }

    private static void awaitOpen(RoomPage page) {
        await(page, "return !!(window.chorus.data && window.chorus.data.open);", RoomPage.WAIT);
        page.script(COLLECT);
    }

    private static void await(RoomPage page, String condition, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (!Boolean.TRUE.equals(page.script(condition))) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for: " + condition);
            }
            sleep(100);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> received(RoomPage page) {
        return (List<Map<String, Object>>)
                page.script(
                        "return window.__dataIn.map((m) => ({from: m.from, reliable: m.reliable, size: m.size, head: m.head}));");
    }

    /** One sample of the server's /metrics, e.g. {@code chorus_sctp_malformed_total{reason="BAD_CHECKSUM"}}. */
    private static double metric(String sample) throws Exception {
        String text = java.net.http.HttpClient.newHttpClient()
                .send(
                        java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.url("/metrics")))
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString())
                .body();
        for (String line : text.split("\n")) {
            if (line.startsWith(sample + " ")) {
                return Double.parseDouble(line.substring(sample.length() + 1).trim());
            }
        }
        throw new AssertionError("no " + sample + " in /metrics");
    }

    private static void awaitCount(RoomPage page, int n, Duration timeout) {
        await(page, "return window.__dataIn.length >= " + n + ";", timeout);
    }

    @Test
    void messagesReachTheOthersThroughTheRelayReliablyUnreliablyNamedAndAtChromiumsLargestSize() throws Exception {
        RoomPage ada = joined("data", "Ada");
        RoomPage bob = joined("data", "Bob");
        RoomPage cy = joined("data", "Cy");
        ada.awaitParticipants(List.of("Ada", "Bob", "Cy"));
        for (RoomPage p : List.of(ada, bob, cy)) {
            awaitOpen(p);
        }
        String adaId = ada.selfId();
        String cyId = cy.selfId();

        ada.script("window.chorus.data.send({n: 1});");
        ada.script("window.chorus.data.send({u: 1}, {reliable: false});");
        ada.script("window.chorus.data.send({only: 'cy'}, {to: [arguments[0]]});", cyId);
        ada.script("window.chorus.data.send({n: 2});");
        awaitCount(bob, 3, RoomPage.WAIT);
        awaitCount(cy, 4, RoomPage.WAIT);
        List<Map<String, Object>> atBob = received(bob);
        List<Map<String, Object>> atCy = received(cy);
        for (Map<String, Object> m : atBob) {
            assertEquals(adaId, m.get("from"), "the relay names the sender: " + m);
        }
        assertTrue(
                atBob.stream().noneMatch(m -> String.valueOf(m.get("head")).contains("only")), "named to Cy: " + atBob);
        assertTrue(atCy.stream().anyMatch(m -> String.valueOf(m.get("head")).contains("only")), atCy.toString());
        assertTrue(
                atBob.stream()
                        .anyMatch(m -> Boolean.FALSE.equals(m.get("reliable"))
                                && String.valueOf(m.get("head")).contains("\"u\":1")),
                "unreliable channel: " + atBob);
        List<Map<String, Object>> reliableAtBob = atBob.stream()
                .filter(m -> Boolean.TRUE.equals(m.get("reliable")))
                .toList();
        assertEquals(
                List.of("{\"n\":1}", "{\"n\":2}"),
                reliableAtBob.stream().map(m -> m.get("head")).toList());

        // The server's API sends too, as "server": to everyone (Ada included), or to one on the unreliable channel.
        var fromServer = server.api().call("POST", "/api/v1/rooms/data/data", "{\"data\": {\"notice\": 1}}");
        assertEquals(200, fromServer.statusCode(), fromServer.body());
        assertTrue(fromServer.body().contains("\"noChannel\":[]"), fromServer.body());
        var toCy = server.api()
                .call(
                        "POST",
                        "/api/v1/rooms/data/data",
                        "{\"to\": [\"" + cyId + "\"], \"data\": {\"notice\": 2}, \"reliable\": false}");
        assertEquals(200, toCy.statusCode(), toCy.body());
        assertTrue(toCy.body().contains("\"sent\":[\"" + cyId + "\"]"), toCy.body());
        awaitCount(ada, 1, RoomPage.WAIT);
        awaitCount(bob, 4, RoomPage.WAIT);
        awaitCount(cy, 6, RoomPage.WAIT);
        assertEquals(
                List.of("server", true, "{\"notice\":1}"),
                List.of(
                        received(ada).get(0).get("from"),
                        received(ada).get(0).get("reliable"),
                        received(ada).get(0).get("head")));
        assertEquals("server", received(bob).get(3).get("from"), received(bob).toString());
        assertTrue(
                received(cy).stream()
                        .anyMatch(m -> "server".equals(m.get("from"))
                                && Boolean.FALSE.equals(m.get("reliable"))
                                && "{\"notice\":2}".equals(m.get("head"))),
                received(cy).toString());
        ada.script("window.__dataIn = [];");
        for (RoomPage p : List.of(bob, cy)) {
            p.script("window.__dataIn = window.__dataIn.filter((m) => m.from !== 'server');");
        }

        // The largest message Chromium sends (its RTCSctpTransport.maxMessageSize: the smaller of ours and its own
        // send limit), whole, from Ada to Bob and Cy, less the room the JSON envelope takes.
        long chromeMax = ((Number) ada.script("return window.chorus.pc.sctp.maxMessageSize;")).longValue();
        System.out.printf("data channels: Chromium's maxMessageSize %d%n", chromeMax);
        int size = (int) Math.min(1 << 20, chromeMax - 64);
        long sentAt = ((Number) ada.script(
                        "const text = 'm'.repeat(arguments[0] - 1) + '$'; const t = Date.now();"
                                + " window.chorus.data.send(text); return t;",
                        size))
                .longValue();
        awaitCount(bob, 4, Duration.ofSeconds(30));
        long bigMillis = ((Number) bob.script("return window.__dataIn[3].at;")).longValue() - sentAt;
        awaitCount(cy, 5, Duration.ofSeconds(30));
        Map<String, Object> big = received(bob).get(3);
        assertTrue(String.valueOf(big.get("head")).startsWith("mmmm"), big.toString());
        assertEquals((long) size, ((Number) big.get("size")).longValue(), big.toString());

        // Round trips Ada -> Bob -> Ada through the relay (Bob's page answers a ping with a pong).
        Object rtts = ada.asyncScript(
                "const done = arguments[arguments.length - 1]; const out = [];"
                        + "const data = window.chorus.data; let t0 = 0; let i = 0;"
                        + "const next = () => { if (i === 20) { done(out); return; } t0 = performance.now();"
                        + "  data.send({ping: i}, {to: [arguments[0]]}); };"
                        + "data.addEventListener('message', (e) => { if (e.detail.data && e.detail.data.pong === i) {"
                        + "  out.push(performance.now() - t0); i++; next(); } });"
                        + "next();",
                bob.selfId());
        List<Double> rtt = ((List<?>) rtts)
                .stream().map(x -> ((Number) x).doubleValue()).sorted().toList();
        assertEquals(20, rtt.size());
        System.out.printf(
                "data channels: %d bytes relayed Ada->Bob in %d ms (%.1f MB/s through the SFU); relay round trip "
                        + "Ada->Bob->Ada median %.1f ms, max %.1f ms%n",
                size, bigMillis, (size / 1e6) / Math.max(1, bigMillis) * 1000.0, rtt.get(10), rtt.get(19));

        // What the relay cannot take is answered on the sender's channel, which stays open. A channel opened now
        // needs no new offer: the association is up.
        Object errors = ada.asyncScript("const done = arguments[arguments.length - 1]; const out = [];"
                + "const ch = window.chorus.pc.createDataChannel('chorus-test'); window.__testChannel = ch;"
                + "ch.onmessage = (e) => { out.push(JSON.parse(e.data).error); if (out.length === 3) done(out); };"
                + "ch.onopen = () => { ch.send('not json'); ch.send(new Uint8Array([1, 2]));"
                + "  ch.send(JSON.stringify({to: 'Bob', data: 1})); };");
        List<?> why = (List<?>) errors;
        assertTrue(String.valueOf(why.get(0)).startsWith("not JSON"), why.toString());
        assertTrue(String.valueOf(why.get(1)).contains("text messages"), why.toString());
        assertTrue(String.valueOf(why.get(2)).contains("array of participant ids"), why.toString());
        // Closing it resets its stream both ways (RFC 8831 6.7): Chromium calls it closed once the SFU reset its side.
        ada.script("window.__testChannel.close();");
        await(ada, "return window.__testChannel.readyState === 'closed';", RoomPage.WAIT);
        assertTrue(ada.script("return window.chorus.data.open;").equals(Boolean.TRUE), "the relay channels stay open");

        assertTrue(metric("chorus_data_relay_server_messages_total") >= 2);
        assertTrue(metric("chorus_data_relay_refused_messages_total{reason=\"BAD_MESSAGE\"}") >= 3);
        assertTrue(metric("chorus_data_relay_received_bytes_total") >= size);
        assertTrue(metric("chorus_data_relay_delivered_messages_total") >= 13);
        assertTrue(metric("chorus_sctp_received_messages_total") >= 25);
        assertEquals(0, metric("chorus_sctp_malformed_total{reason=\"BAD_CHECKSUM\"}"));

        JsonNode sctp = server.transport(adaId).path("dataChannels").path("sctp");
        assertEquals("ESTABLISHED", sctp.path("state").asText(), sctp.toString());
        assertEquals(0, sctp.path("counters").path("malformed").size(), "no malformed input: " + sctp);
        assertTrue(sctp.path("counters").path("messages_in").asLong() >= 25, sctp.toString());
    }

    @Test
    void theReliableChannelLosesNothingThroughFivePercentLossEachWay() throws Exception {
        RoomPage ada = joined("lossy", "Ada");
        RoomPage bob = joined("lossy", "Bob");
        ada.awaitParticipants(List.of("Ada", "Bob"));
        awaitOpen(ada);
        awaitOpen(bob);
        Impairment lossy = Impairment.parse("loss=5%");
        for (RoomPage p : List.of(ada, bob)) {
            server.proxy().setForIceUfrag(p.serverIceUfrag(), lossy, lossy);
        }
        int n = 300;
        int big = 200_000;
        long sentAt = ((Number) ada.script(
                        "const t = Date.now(); const data = window.chorus.data;"
                                + "for (let i = 0; i < arguments[0]; i++) {"
                                + "  data.send({seq: i, pad: 'p'.repeat(1000)});"
                                + "  data.send({useq: i}, {reliable: false}); }"
                                + "data.send('b'.repeat(arguments[1])); return t;",
                        n,
                        big))
                .longValue();
        await(
                bob,
                "return window.__dataIn.filter((m) => m.reliable).length >= " + (n + 1) + ";",
                Duration.ofSeconds(60));
        long doneAt = ((Number) bob.script("return Math.max(...window.__dataIn.map((m) => m.at));")).longValue();
        List<Map<String, Object>> atBob = received(bob);
        List<Map<String, Object>> reliable = atBob.stream()
                .filter(m -> Boolean.TRUE.equals(m.get("reliable")))
                .toList();
        assertEquals(n + 1, reliable.size());
        for (int i = 0; i < n; i++) {
            String head = String.valueOf(reliable.get(i).get("head"));
            assertTrue(head.startsWith("{\"seq\":" + i + ","), "reliable message " + i + " in order: " + head);
        }
        assertEquals((long) big, ((Number) reliable.get(n).get("size")).longValue());
        long unreliable = atBob.size() - reliable.size();

        JsonNode toBob =
                server.transport(bob.selfId()).path("dataChannels").path("sctp").path("counters");
        JsonNode fromAda =
                server.transport(ada.selfId()).path("dataChannels").path("sctp").path("counters");
        long repaired = toBob.path("retransmitted_chunks").asLong();
        System.out.printf(
                "data channels through 5 %% loss each way: %d reliable messages of 1 KB and %d bytes in %d ms, all in"
                        + " order; %d of %d unreliable arrived; SFU->Bob retransmitted %d chunks (%d fast, %d T3),"
                        + " abandoned %d unreliable; Ada->SFU duplicates %d%n",
                n,
                big,
                doneAt - sentAt,
                unreliable,
                n,
                repaired,
                toBob.path("fast_retransmits").asLong(),
                toBob.path("t3_expiries").asLong(),
                toBob.path("abandoned_messages").asLong(),
                fromAda.path("duplicate_tsns_in").asLong());
        assertTrue(repaired > 0, "the SFU retransmitted nothing through 5 % loss: " + toBob);
        assertTrue(metric("chorus_sctp_retransmitted_chunks_total") >= repaired, "server-wide totals in /metrics");
        assertTrue(unreliable > 0 && unreliable <= n, "unreliable messages: " + unreliable);
        assertEquals(0, toBob.path("malformed").size(), toBob.toString());
    }

    @Test
    void reactionsAndARaisedHandShowOnTheSendersTileInTheOtherPages() {
        RoomPage ada = joined("react", "Ada");
        RoomPage bob = joined("react", "Bob");
        ada.awaitParticipants(List.of("Ada", "Bob"));
        awaitOpen(ada);
        awaitOpen(bob);
        String adaTile =
                "document.querySelector('#grid .tile[data-participant-id=\"' + arguments[0] + '\"]:not([data-source])')";
        await(ada, "return !document.getElementById('toggle-hand').disabled;", RoomPage.WAIT);
        ada.script(
                "document.querySelector('.react-button[data-emoji=\"' + arguments[0] + '\"]').click();",
                "\uD83D\uDC4F");
        awaitScript(
                bob,
                "const t = " + adaTile + "; return !!t && t.dataset.reaction === '\uD83D\uDC4F'"
                        + " && !t.querySelector('.tile-reaction').hidden;",
                ada.selfId());
        ada.click("toggle-hand");
        awaitScript(bob, "const t = " + adaTile + "; return !!t && t.dataset.handRaised === 'true';", ada.selfId());
        assertEquals("Lower hand", ada.script("return document.getElementById('toggle-hand').textContent;"));
        // Data messages have no history: a page that comes later learns of the hand from Ada's page.
        RoomPage cy = joined("react", "Cy");
        awaitScript(cy, "const t = " + adaTile + "; return !!t && t.dataset.handRaised === 'true';", ada.selfId());
        ada.click("toggle-hand");
        awaitScript(bob, "const t = " + adaTile + "; return !!t && t.dataset.handRaised === undefined;", ada.selfId());
    }

    private static void awaitScript(RoomPage page, String condition, Object arg) {
        long end = System.nanoTime() + RoomPage.WAIT.toNanos();
        while (!Boolean.TRUE.equals(page.script(condition, arg))) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for: " + condition);
            }
            sleep(100);
        }
    }
}
