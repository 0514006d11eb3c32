package dev.chorus.web.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Real headless Chromium pages joining rooms through the real web client. All the pages are
 * windows of one browser, started once for the class (each with its own page, WebSocket and peer connection): presence and
 * chat do not need a browser process each, and on two cores starting four costs a minute.
 * Presence and chat need no media either: most pages join receive-only, since a page that
 * publishes costs the browser a fifth of a core (most of it the audio pipeline, measured with
 * and without a microphone: 1.3-1.6 cores for four publishing pages, 0.6 without audio) and
 * slows every other window's WebDriver calls. MediaBrowserIT covers media.
 */
class RoomBrowserIT {

    private static final String RECEIVE_ONLY = "publish=0";

    private static TestServer server;
    /** One browser for the class: each test's pages are windows of it, closed when the test ends. */
    private static Chromium.Started browser;

    private final List<RoomPage> pages = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start();
        browser = Chromium.start(List.of(), Chromium.Camera.SMALL);
        // Its first window stays open, blank, between tests: closing a browser's last window ends it.
        browser.openWindow();
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        server.close();
    }

    @AfterEach
    void closePages(TestInfo test) {
        for (int i = 0; i < pages.size(); i++) {
            pages.get(i).screenshot(test.getTestMethod().orElseThrow().getName() + "-" + i);
        }
        pages.forEach(RoomPage::close); // as if each tab were closed: their sockets drop
        pages.clear();
    }

    private RoomPage open(String path) {
        return openUrl(server.url(path));
    }

    /** A page in the class's browser (every page must be: the test's end closes them). */
    private RoomPage openUrl(String url) {
        RoomPage page = RoomPage.openIn(browser, url);
        pages.add(page);
        return page;
    }

    @Test
    void threePagesJoinOneRoomAndEachListsTheOtherTwo() {
        // Ada comes through the front page's form; Bob and Cy through the form a receive-only deep
        // link prefills (see the class comment).
        RoomPage ada = open("/").join("standup", "Ada");
        RoomPage bob = open("/r/standup?" + RECEIVE_ONLY).join("standup", "Bob");
        RoomPage cy = open("/r/standup?" + RECEIVE_ONLY).join("standup", "Cy");
        List<String> everyone = List.of("Ada", "Bob", "Cy");
        for (RoomPage page : List.of(ada, bob, cy)) {
            page.awaitParticipants(everyone);
            assertEquals(3, page.tileCount());
        }
        assertEquals(
                3,
                List.of(ada.selfId(), bob.selfId(), cy.selfId()).stream()
                        .distinct()
                        .count());
    }

    @Test
    void chatFromOneAppearsAtTheOtherTwoInOrder() {
        RoomPage ada = open("/r/chatroom?name=Ada&" + RECEIVE_ONLY).awaitState("joined");
        RoomPage bob = open("/r/chatroom?name=Bob&" + RECEIVE_ONLY).awaitState("joined");
        RoomPage cy = open("/r/chatroom?name=Cy&" + RECEIVE_ONLY).awaitState("joined");
        ada.awaitParticipants(List.of("Ada", "Bob", "Cy"));
        List<String> sent = List.of("first", "second", "third", "fourth");
        sent.forEach(ada::sendChat);
        for (RoomPage page : List.of(ada, bob, cy)) {
            page.awaitChat(sent);
        }
        // A late joiner gets the history.
        open("/r/chatroom?name=Late&" + RECEIVE_ONLY).awaitState("joined").awaitChat(sent);
    }

    @Test
    void pageClosedWithoutLeavingDisappearsFromTheOthers() {
        RoomPage ada = open("/r/vanish?name=Ada&" + RECEIVE_ONLY).awaitState("joined");
        RoomPage bob = open("/r/vanish?name=Bob&" + RECEIVE_ONLY).awaitState("joined");
        ada.awaitParticipants(List.of("Ada", "Bob"));
        pages.remove(bob);
        long start = System.nanoTime();
        bob.close();
        ada.awaitParticipants(List.of("Ada"));
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue(
                elapsedMs <= TestServer.KEEPALIVE_TIMEOUT.toMillis() + RoomPage.WAIT.toMillis(),
                "removed after " + elapsedMs + " ms");
        assertEquals(1, ada.tileCount());
    }

    @Test
    void pageInAnotherRoomSeesNobody() {
        RoomPage ada = open("/r/red?name=Ada&" + RECEIVE_ONLY).awaitState("joined");
        open("/r/red?name=Bob&" + RECEIVE_ONLY).awaitState("joined");
        ada.awaitParticipants(List.of("Ada", "Bob"));
        RoomPage cy = open("/r/blue?name=Cy&" + RECEIVE_ONLY).awaitState("joined");
        cy.awaitParticipants(List.of("Cy"));
        cy.sendChat("anyone?");
        cy.awaitChat(List.of("anyone?"));
        assertEquals(List.of(), ada.chatTexts());
        assertEquals(List.of("Cy"), cy.participantNames());
    }

    @Test
    void deepLinkPrefillsTheRoomAndLeaveReturnsToTheJoinScreen() {
        RoomPage page = open("/r/design-review").awaitState("join");
        assertEquals("design-review", page.value("room-input"));
        page.join("design-review", "Ada");
        page.awaitParticipants(List.of("Ada"));
        page.leave();
        // Back on the join screen, room kept, ready to rejoin.
        page.awaitState("left");
        assertTrue(page.isDisplayed("join-screen"));
        assertEquals("design-review", page.value("room-input"));
    }

    @Test
    void aJoinBeyondTheServersRateWaitsInLineAndThenJoins() throws Exception {
        // One join every 5 s: Ada's uses the only turn, so Bob, arriving within those 5 s, waits for the next.
        try (TestServer own = TestServer.start(
                java.util.Map.of("chorus.signaling.joins-per-second", "0.2", "chorus.signaling.join-burst", "1"))) {
            RoomPage ada = openUrl(own.url("/r/line?name=Ada&" + RECEIVE_ONLY)).awaitState("joined");
            RoomPage bob = openUrl(own.url("/r/line?name=Bob&" + RECEIVE_ONLY));
            bob.await(d -> bob.statusText().contains("number 1 in line"), "Bob's place in line");
            assertEquals("connecting", bob.state());
            bob.awaitState("joined");
            bob.awaitParticipants(List.of("Ada", "Bob"));
            ada.awaitParticipants(List.of("Ada", "Bob"));
        }
    }

    @Test
    void serverShutdownIsShownAndTheCallEndsWhenTheServerCloses() throws Exception {
        try (TestServer own = TestServer.start()) {
            RoomPage page = openUrl(own.url("/r/maintenance?name=Ada"));
            page.awaitState("joined");
            assertTrue(!page.isDisplayed("server-notice"));
            var stopped = own.server().shutdownGracefully(java.time.Duration.ofSeconds(3));
            page.await(d -> page.isDisplayed("server-notice"), "the shutdown notice");
            String notice = page.driver()
                    .findElement(org.openqa.selenium.By.id("server-notice"))
                    .getText();
            assertTrue(notice.contains("shutting down") && notice.contains("3 s"), notice);
            // Still in the call during the drain; then the server closes the connection (1001).
            assertEquals("joined", page.state());
            page.awaitState("disconnected");
            String why = page.driver()
                    .findElement(org.openqa.selenium.By.id("disconnected-message"))
                    .getText();
            assertTrue(why.contains("going away"), why);
            stopped.toCompletionStage().toCompletableFuture().get(20, java.util.concurrent.TimeUnit.SECONDS);
        }
    }
}
