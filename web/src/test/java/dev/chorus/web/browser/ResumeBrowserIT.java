package dev.chorus.web.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chorus.testkit.netsim.TcpDropProxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Resume after a dropped WebSocket in Chromium (PROTOCOL.md, "resume"). Ada's page talks to the server through a
 * {@link TcpDropProxy}, which resets her connection the way a network change does (no close frame, nothing on
 * the server's side to ask for it); Bob's page connects directly. Her page shows "reconnecting", resumes as the
 * same participant, gets the chat sent while she was away, and her media reaches Bob all along; Bob sees her
 * neither leave nor join. When the server can no longer resume her (she missed more than it keeps), the page
 * joins afresh by itself.
 *
 * <p>Also an ICE restart on the same direct path, which must move the call onto the new ICE session.
 *
 * <p>The recovery time of quick drops is measured in the page (from the socket's close to "resumed") over
 * {@code -Dresume.tries} drops (2 by default; 10 for the figures), printed and written to
 * {@code web/target/resume-times.json}. A measurement, not an assertion.
 */
class ResumeBrowserIT {

    private static final Duration MEDIA_WAIT = Duration.ofSeconds(30);

    private static TestServer server;
    private static TcpDropProxy proxy;
    private static Chromium.Started browser;

    @BeforeAll
    static void start() throws Exception {
        // A small replay buffer, so that the resume test's last part can overflow it with a few chat messages.
        server = TestServer.start(Map.of("chorus.resume.buffer", "24"));
        proxy = TcpDropProxy.start(server.server().httpPort());
        browser = Chromium.start(List.of(), Chromium.Camera.SMALL_NO_MICROPHONE);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (proxy != null) {
            proxy.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static long framesFrom(RoomPage page, String participantId) {
        RoomPage.Inbound in = page.inbound(participantId, "video", "camera");
        return in == null ? 0 : in.framesDecoded();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> resumes(RoomPage page) {
        return (List<Map<String, Object>>) page.script("return window.chorus.resumes;");
    }

    @Test
    void aDroppedConnectionResumesAndTheCallGoesOn() throws Exception {
        long t0 = System.nanoTime();
        String viaProxy = "http://127.0.0.1:" + proxy.port() + "/r/resume?name=Ada";
        RoomPage ada = RoomPage.openIn(browser, viaProxy).awaitState("joined");
        RoomPage bob =
                RoomPage.openIn(browser, server.url("/r/resume?name=Bob")).awaitState("joined");
        String adaId = ada.selfId();
        String bobId = bob.selfId();
        bob.awaitInbound(List.of(adaId), "video", "camera", MEDIA_WAIT);
        phase(t0, "call up");
        // Every presence change Bob's page hears from now on.
        bob.script("window.presence = [];"
                + "for (const t of ['participant-joined', 'participant-left'])"
                + "  window.chorus.signaling.addEventListener(t, (e) => window.presence.push(t));");

        // The connection drops and the server stays out of reach for a moment: the page says so.
        proxy.refuse(true);
        assertTrue(proxy.dropAll() >= 1, "the page's connections (its WebSocket among them) dropped");
        ada.awaitState("reconnecting");
        assertTrue(ada.isDisplayed("reconnecting"), "the reconnecting notice is shown");
        bob.sendChat("while you were away");
        long framesBefore = framesFrom(bob, adaId);
        bob.await(
                d -> framesFrom(bob, adaId) > framesBefore + 15,
                "Ada's video to go on reaching Bob while her signaling is down (from " + framesBefore + ")");
        assertEquals("reconnecting", ada.state(), "still away while the server is out of reach");
        assertEquals(
                List.of("Ada", "Bob"), bob.participantNames().stream().sorted().toList());

        phase(t0, "away, media flowing");
        proxy.refuse(false);
        ada.awaitState("joined");
        phase(t0, "resumed");
        assertEquals(adaId, ada.selfId(), "the same participant");
        assertTrue(!ada.isDisplayed("reconnecting"));
        ada.awaitChat(List.of("while you were away"));
        ada.sendChat("back again");
        bob.awaitChat(List.of("while you were away", "back again"));
        long bobFrames = framesFrom(ada, bobId);
        ada.await(d -> framesFrom(ada, bobId) > bobFrames + 15, "Bob's video at Ada after the resume");
        assertEquals(List.of(), bob.script("return window.presence;"), "Bob saw Ada neither leave nor join");

        // Quick drops (the server reachable at once): how long the page takes to be back.
        int tries = Integer.getInteger("resume.tries", 2);
        List<Long> millis = new ArrayList<>();
        for (int i = 0; i < tries; i++) {
            int before = resumes(ada).size();
            proxy.dropAll();
            ada.await(d -> resumes(ada).size() > before, "resume " + (i + 1));
            ada.awaitState("joined");
            millis.add(((Number) resumes(ada).get(before).get("ms")).longValue());
        }
        assertEquals(adaId, ada.selfId());
        assertEquals(List.of(), bob.script("return window.presence;"));
        report(millis);
        phase(t0, "quick drops");

        // Away while the room goes on without her for longer than the server keeps: the resume is refused
        // (resume_overflow) and the page joins again by itself, as a new participant.
        proxy.refuse(true);
        proxy.dropAll();
        ada.awaitState("reconnecting");
        bob.script("for (let i = 0; i < 30; i++) window.chorus.signaling.send({type: 'chat', text: 'flood ' + i});");
        bob.await(d -> bob.participantNames().equals(List.of("Bob")), "Ada removed for missing too much");
        proxy.refuse(false);
        ada.awaitState("joined");
        String newId = ada.selfId();
        assertNotEquals(adaId, newId, "joined afresh");
        bob.await(d -> bob.participantNames().size() == 2, "Ada back as a new participant");
        phase(t0, "joined afresh");
    }

    /**
     * An ICE restart in Chrome on a direct path (no proxy giving each ICE session addresses of its own). Chrome checks
     * from its new sockets at once, against the old session, until the SFU's answer arrives; it may also check the new
     * credentials from a socket the old session already has, and the SFU's shared UDP port routes by remote address.
     * ice4j answered those mixed checks, and when the answer was slow (a busy server; 300 ms in a trial) the restart
     * failed every time (ICE_CHECKS_FAILED). The call must move onto the new session, media both ways, the same
     * participant; how often the SFU had to step in is printed.
     */
    @Test
    void anIceRestartFromAnAddressInUseMovesTheCallOntoTheNewIceSession() throws Exception {
        RoomPage cy = RoomPage.openIn(browser, server.url("/r/restart?name=Cy")).awaitState("joined");
        RoomPage di = RoomPage.openIn(browser, server.url("/r/restart?name=Di")).awaitState("joined");
        String cyId = cy.selfId();
        String diId = di.selfId();
        di.awaitInbound(List.of(cyId), "video", "camera", MEDIA_WAIT);
        cy.awaitInbound(List.of(diId), "video", "camera", MEDIA_WAIT);
        String oldUfrag = di.serverIceUfrag();

        di.script("window.dispatchEvent(new Event('online'));"); // the page restarts ICE on a network event
        di.await(d -> !oldUfrag.equals(di.serverIceUfrag()), "the SFU's answer to the ICE restart");
        di.await(d -> transportOf(diId).path("iceRestarts").asInt() == 1, "the SFU to move Di onto the new session");
        JsonNode transport = transportOf(diId);
        assertEquals(0, transport.path("iceRestartsFailed").asInt(), transport.toString());
        long cyFrames = framesFrom(di, cyId);
        di.await(d -> framesFrom(di, cyId) > cyFrames + 15, "Cy's video at Di on the new session");
        long diFrames = framesFrom(cy, diId);
        cy.await(d -> framesFrom(cy, diId) > diFrames + 15, "Di's video at Cy on the new session");
        assertEquals(diId, di.selfId(), "the same participant");
        assertEquals("CONNECTED", transportOf(diId).path("iceState").asText());
        // Which sockets Chrome checks from, and when, varies: what the SFU had to do about it is a figure.
        JsonNode media = server.debug().path("media");
        System.out.printf(
                "ICE restart: %d address(es) handed from the old ICE session to the new, %d check(s) naming another"
                        + " peer dropped (both since the server started)%n",
                media.path("addressesReleasedForIceRestarts").asLong(),
                media.path("checksWithWrongRemoteUfrag").asLong());
    }

    /** The SFU's transport of a participant, from /debug. */
    private static JsonNode transportOf(String participantId) {
        try {
            return server.transport(participantId);
        } catch (Exception e) {
            throw new IllegalStateException("/debug: " + e, e);
        }
    }

    private static void phase(long t0, String what) {
        System.out.printf("ResumeBrowserIT: %s at %.1f s%n", what, (System.nanoTime() - t0) / 1e9);
    }

    private static void report(List<Long> millis) throws Exception {
        List<Long> sorted = millis.stream().sorted().toList();
        double mean = millis.stream().mapToLong(Long::longValue).average().orElse(0);
        String json = "{\"tries\": " + millis.size() + ", \"millis\": " + millis + ", \"median\": "
                + (sorted.isEmpty() ? 0 : sorted.get(sorted.size() / 2)) + ", \"mean\": " + Math.round(mean)
                + ", \"max\": " + (sorted.isEmpty() ? 0 : sorted.get(sorted.size() - 1)) + "}";
        System.out.println("resume recovery (close -> resumed, ms): " + json);
        Path out = Path.of("target", "resume-times.json");
        Files.createDirectories(out.getParent());
        Files.writeString(out, json + "\n");
    }
}
