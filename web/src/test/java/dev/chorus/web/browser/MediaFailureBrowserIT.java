package dev.chorus.web.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Media that cannot connect, or stops, must say so on the page. Two ways to break it
 * for real: a server that only accepts media from 10.255.255.0/24 (the page's ICE checks
 * from 127.0.0.1 are dropped), and a page whose RTCPeerConnection is closed under it
 * without a word to signaling (as when the network path dies), so the server's consent
 * checks go unanswered. Plus the browser's own refusal: sound that may not autoplay.
 */
class MediaFailureBrowserIT {

    /** ICE blocked: #media-status explains, the page stays in the room, chat works. */
    @Test
    void iceFailureIsShownAndChatStillWorks() throws Exception {
        try (TestServer server = TestServer.start(Map.of("chorus.media.allowed-remotes.0", "10.255.255.0/24"));
                RoomPage page = RoomPage.open(server.url("/r/nomedia?name=Ada"))) {
            page.awaitState("joined");
            long start = System.nanoTime();
            try {
                RoomPage.waiting(page.driver(), Duration.ofSeconds(60))
                        .withMessage(() -> "waiting for #media-status failed (is " + page.mediaStatus() + ")")
                        .until(d -> page.mediaStatus().startsWith("failed/"));
            } finally {
                page.screenshot("media-failure");
            }
            long ms = (System.nanoTime() - start) / 1_000_000;
            System.out.println("media failure shown after " + ms + " ms: " + page.mediaStatus());
            assertTrue(page.isDisplayed("media-status"));
            assertTrue(page.mediaStatus().contains("could not connect"), page.mediaStatus());
            page.sendChat("still here");
            page.awaitChat(java.util.List.of("still here"));
            assertEquals("joined", page.state());
        }
    }

    /**
     * Consent lost after media was up: the server removes the participant (media_timeout),
     * the page says why and offers Rejoin, the other page sees it go, and Rejoin brings
     * media back on a fresh RTCPeerConnection.
     */
    @Test
    void consentLossRemovesThePageAndRejoinRestoresMedia() throws Exception {
        // Both pages are windows of one browser: Ada's lost consent is her own peer connection's.
        Chromium.Started browser = Chromium.start(java.util.List.of(), Chromium.Camera.SMALL);
        try (TestServer server = TestServer.start(Map.of("chorus.media.consent-timeout", "2s"));
                RoomPage ada = RoomPage.openIn(browser, server.url("/r/consent?name=Ada"));
                RoomPage bob = RoomPage.openIn(browser, server.url("/r/consent?name=Bob"))) {
            ada.awaitState("joined");
            bob.awaitState("joined");
            String adaId = ada.selfId();
            ada.awaitMediaConnected();
            bob.awaitInbound(java.util.List.of(adaId), "video", "camera", Duration.ofSeconds(20));

            long start = System.nanoTime();
            ada.script("window.chorus.pc.close()");
            try {
                ada.awaitState("disconnected");
            } finally {
                ada.screenshot("media-consent-lost");
            }
            long ms = (System.nanoTime() - start) / 1_000_000;
            String message = (String) ada.script("return document.getElementById('disconnected-message').textContent");
            System.out.println("removed for lost consent after " + ms + " ms: " + message);
            assertTrue(message.contains("media connection timed out"), message);
            assertTrue(ada.isDisplayed("rejoin-button"));
            assertTrue(!ada.hasPeerConnection(), "pc kept after removal");
            bob.awaitParticipants(java.util.List.of("Bob"));
            assertTrue(!bob.hasTile(adaId));

            ada.click("rejoin-button");
            ada.awaitState("joined").awaitMediaConnected();
            bob.awaitParticipants(java.util.List.of("Ada", "Bob"));
            bob.awaitInbound(java.util.List.of(ada.selfId()), "video", "camera", Duration.ofSeconds(20));
            ada.awaitInbound(java.util.List.of(bob.selfId()), "video", "camera", Duration.ofSeconds(20));
        } finally {
            browser.quit();
        }
    }

    /**
     * Chromium's default autoplay policy, not the test profile's: a deep link joins without
     * a user gesture, so sound may not autoplay. The page must still show the others' video
     * (muted), say so in #sound-blocked, and unmute on the first click.
     */
    @Test
    void deepLinkWithoutAGesturePlaysMutedAndUnmutesOnFirstClick() throws Exception {
        try (TestServer server = TestServer.start();
                RoomPage bob = RoomPage.open(server.url("/r/autoplay?name=Bob"));
                RoomPage ada = RoomPage.open(
                        server.url("/r/autoplay?name=Ada"),
                        java.util.List.of("--autoplay-policy=document-user-activation-required"))) {
            bob.awaitState("joined");
            ada.awaitState("joined");
            String bobId = bob.selfId();
            ada.awaitInbound(java.util.List.of(bobId), "video", "camera", Duration.ofSeconds(20));
            ada.await(d -> ada.tileVideoWidth(bobId, false) > 0, "Bob's video playing at Ada");
            ada.await(d -> ada.isDisplayed("sound-blocked"), "#sound-blocked shown");
            assertEquals(
                    Boolean.TRUE,
                    ada.script(
                            "return document.querySelector("
                                    + "'#grid .tile[data-participant-id=\"' + arguments[0] + '\"] video').muted",
                            bobId));
            ada.screenshot("media-sound-blocked");

            ada.click("room-title");
            ada.await(d -> !ada.isDisplayed("sound-blocked"), "#sound-blocked hidden after a click");
            ada.await(
                    d -> Boolean.FALSE.equals(ada.script(
                            "const v = document.querySelector("
                                    + "'#grid .tile[data-participant-id=\"' + arguments[0] + '\"] video'); return v.muted || v.paused",
                            bobId)),
                    "Bob's tile playing with sound");
        }
    }

    /**
     * Camera and microphone denied: the page says so in #media-error, joins anyway and
     * receives the others on a receive-only connection; the others see its avatar.
     */
    @Test
    void pageWithoutDevicesReceivesOnly() throws Exception {
        try (TestServer server = TestServer.start();
                RoomPage bob = RoomPage.open(server.url("/r/listen?name=Bob"));
                RoomPage ada = RoomPage.open(
                        server.url("/r/listen?name=Ada"), java.util.List.of("--use-fake-ui-for-media-stream=deny"))) {
            bob.awaitState("joined");
            ada.awaitState("joined").awaitMediaConnected();
            ada.await(d -> ada.isDisplayed("media-error"), "#media-error shown");
            String error = (String) ada.script("return document.getElementById('media-error').textContent");
            System.out.println("without devices: " + error);
            assertTrue(error.contains("blocked"), error);
            ada.awaitInbound(java.util.List.of(bob.selfId()), "video", "camera", Duration.ofSeconds(20));
            ada.awaitInbound(java.util.List.of(bob.selfId()), "audio", "mic", Duration.ofSeconds(20));
            @SuppressWarnings("unchecked")
            java.util.List<Object> sent =
                    (java.util.List<Object>) ada.mediaStats().get("outbound");
            assertEquals(java.util.List.of(), sent, "a page without devices sends nothing");
            String adaId = ada.selfId();
            bob.await(
                    d -> "true"
                            .equals(bob.script(
                                    "return document.querySelector('#grid .tile[data-participant-id=\"'"
                                            + " + arguments[0] + '\"]').dataset.videoMuted",
                                    adaId)),
                    "Ada shown camera-off at Bob");
            assertTrue(
                    bob.inbound().stream().noneMatch(in -> adaId.equals(in.participantId())), "Bob receives from Ada");
            ada.screenshot("media-no-devices");
        }
    }
}
