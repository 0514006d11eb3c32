package dev.chorus.web.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;

/**
 * Moderation through the real web client, on a server in token mode, three pages in one Chromium: Mia's token may
 * moderate, Bob's is plain, Cy's may not chat. Everyone sees Mia's moderator badge and only Mia gets moderation
 * controls; Mia mutes Bob's mic from the keyboard, Bob's page says a moderator did it and keeps its mic toggle off,
 * Cy sees Bob muted; Mia removes Bob (after the confirm), Bob's page says why, and Cy sees him gone. Then the
 * server API lets Cy chat and moderate, and her page and Mia's follow at once.
 */
class ModerationBrowserIT {

    private static final String SECRET = "browser-test-secret-of-32-bytes!!";

    private static String token(String name, Map<String, Object> perms) throws Exception {
        SignedJWT jwt = new SignedJWT(
                new JWSHeader(JWSAlgorithm.HS256),
                new JWTClaimsSet.Builder()
                        .subject("user-" + name)
                        .claim("room", "board")
                        .claim("name", name)
                        .claim("perms", perms)
                        .expirationTime(new Date(System.currentTimeMillis() + 600_000))
                        .build());
        jwt.sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }

    /** PATCHes a participant's permissions through the server API, as an application's backend would. */
    private static void patchPermissions(TestServer server, String participantId, String body) throws Exception {
        HttpResponse<String> r = new ServerApiClient(server)
                .call("PATCH", "/api/v1/rooms/board/participants/" + participantId + "/permissions", body);
        assertEquals(200, r.statusCode(), r.body());
    }

    /** The css selector of a control in participant {@code id}'s entry of the list. */
    private static String entry(String id, String inside) {
        return "#participants li[data-participant-id='" + id + "'] " + inside;
    }

    private static boolean shown(RoomPage page, String css) {
        return Boolean.TRUE.equals(
                page.script("const e = document.querySelector(arguments[0]); return !!e && e.checkVisibility();", css));
    }

    @Test
    void aModeratorMutesAndRemovesAnotherPage() throws Exception {
        Map<String, String> settings = new java.util.HashMap<>(ServerApiClient.settings());
        settings.put("chorus.auth.mode", "token");
        settings.put("chorus.auth.hs256-secret", SECRET);
        try (TestServer server = TestServer.start(settings)) {
            Chromium.Started browser = Chromium.start(List.of(), Chromium.Camera.SMALL);
            List<RoomPage> pages = new ArrayList<>();
            try {
                List<String> audio = List.of("audio");
                RoomPage mia = RoomPage.openIn(
                        browser,
                        server.url("/r/board?token=" + token("Mia", Map.of("publish", audio, "moderate", true))));
                pages.add(mia);
                RoomPage bob = RoomPage.openIn(
                        browser, server.url("/r/board?token=" + token("Bob", Map.of("publish", audio))));
                pages.add(bob);
                RoomPage cy = RoomPage.openIn(
                        browser,
                        server.url("/r/board?token=" + token("Cy", Map.of("publish", List.of(), "chat", false))));
                pages.add(cy);
                for (RoomPage p : pages) {
                    p.awaitState("joined").awaitParticipants(List.of("Bob", "Cy", "Mia"));
                }
                String miaId = mia.selfId();
                String bobId = bob.selfId();

                // Everyone sees who moderates; only the moderator has the controls; Cy's chat box is off.
                for (RoomPage p : List.of(bob, cy)) {
                    assertTrue(shown(p, entry(miaId, ".badge-moderator")), "Mia's badge in the list");
                    assertTrue(shown(p, "#grid .tile[data-participant-id='" + miaId + "'] .badge-moderator"));
                    assertFalse(shown(p, entry(miaId, ".mod-remove")), "no moderation controls without the right");
                }
                assertFalse(shown(mia, entry(bobId, ".badge-moderator")));
                assertEquals(Boolean.TRUE, cy.script("return document.getElementById('chat-input').disabled"));
                assertEquals(Boolean.FALSE, bob.script("return document.getElementById('chat-input').disabled"));

                // Mia mutes Bob's mic from the keyboard (the button is a real one: Enter presses it).
                mia.awaitInbound(List.of(bobId), "audio", "mic", java.time.Duration.ofSeconds(30));
                mia.await(d -> shown(mia, entry(bobId, ".mod-mute-mic")), "Bob's mute button");
                mia.driver()
                        .findElement(By.cssSelector(entry(bobId, ".mod-mute-mic")))
                        .sendKeys(Keys.ENTER);
                bob.await(d -> shown(bob, "#moderation-notice"), "Bob's page says he was muted");
                String notice = (String) bob.script("return document.getElementById('moderation-notice').textContent");
                assertTrue(notice.contains("Mia (moderator) muted your microphone"), notice);
                assertEquals(Boolean.TRUE, bob.script("return document.getElementById('toggle-audio').disabled"));
                cy.await(
                        d -> "true"
                                .equals(cy.script(
                                        "return document.querySelector(arguments[0])?.dataset.audioMuted",
                                        entry(bobId, ""))),
                        "Cy sees Bob muted");
                mia.await(
                        d -> "true"
                                .equals(mia.script(
                                        "return document.querySelector(arguments[0]).ariaPressed",
                                        entry(bobId, ".mod-mute-mic"))),
                        "Mia's button shows Bob's mic muted");

                // Mia removes Bob, after confirming.
                mia.driver()
                        .findElement(By.cssSelector(entry(bobId, ".mod-remove")))
                        .click();
                mia.await(d -> mia.isDisplayed("remove-dialog"), "the confirm dialog");
                mia.click("remove-confirm");
                bob.awaitState("disconnected");
                assertEquals(
                        "removed_by_moderator",
                        bob.script("return document.getElementById('disconnected').dataset.reason"));
                String message =
                        (String) bob.script("return document.getElementById('disconnected-message').textContent");
                assertTrue(message.contains("A moderator removed you"), message);
                cy.awaitParticipants(List.of("Cy", "Mia"));
                mia.awaitParticipants(List.of("Cy", "Mia"));
                assertFalse(mia.isDisplayed("error"), "the server refused nothing");

                // The application lets Cy chat and moderate, live: her chat box and controls turn on, Mia sees her
                // badge.
                String cyId = cy.selfId();
                patchPermissions(server, cyId, "{\"chat\": true, \"moderate\": true}");
                cy.await(
                        d -> Boolean.FALSE.equals(cy.script("return document.getElementById('chat-input').disabled")),
                        "Cy's chat box on");
                cy.await(d -> shown(cy, entry(miaId, ".mod-remove")), "Cy's moderation controls");
                mia.await(d -> shown(mia, entry(cyId, ".badge-moderator")), "Cy's badge on Mia's page");
            } finally {
                pages.forEach(p -> p.screenshot("moderation-" + pages.indexOf(p)));
                pages.forEach(RoomPage::close);
                browser.quit();
            }
        }
    }
}
