package dev.chorus.web.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Join tokens through the real web client, on a server in token mode: a page without a token is
 * refused (token_missing, shown on the page), and so is one whose token expired (token_expired); {@code /r/<room>?token=} joins under the token's name,
 * asks only for the devices the token lets it publish and offers no screen share without "screen";
 * a token that publishes nothing makes the page receive-only, beside the other deep-link parameters.
 */
class TokenBrowserIT {

    private static final String SECRET = "browser-test-secret-of-32-bytes!!";

    private static String token(String room, String name, List<String> publish) throws Exception {
        return token(room, name, publish, System.currentTimeMillis() + 600_000);
    }

    private static String token(String room, String name, List<String> publish, long expiresAtMillis) throws Exception {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .subject("user-" + (name == null ? "anon" : name))
                .claim("room", room)
                .claim("perms", Map.of("publish", publish))
                .expirationTime(new Date(expiresAtMillis));
        if (name != null) {
            claims.claim("name", name);
        }
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
        jwt.sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }

    @Test
    void tokenLinksJoinWithTheTokensNameAndPermissions() throws Exception {
        try (TestServer server =
                TestServer.start(Map.of("chorus.auth.mode", "token", "chorus.auth.hs256-secret", SECRET))) {
            Chromium.Started browser = Chromium.start(List.of(), Chromium.Camera.SMALL);
            List<RoomPage> pages = new ArrayList<>();
            try {
                RoomPage eve = RoomPage.openIn(browser, server.url("/r/team?name=Eve"));
                pages.add(eve);
                eve.awaitState("error");
                assertEquals("token_missing", eve.script("return document.getElementById('error').dataset.code"));
                // A token that expired an hour ago (beyond any clock skew allowed) is refused with its own code.
                String expired = token("team", "Old", List.of("audio"), System.currentTimeMillis() - 3_600_000);
                RoomPage old = RoomPage.openIn(browser, server.url("/r/team?token=" + expired));
                pages.add(old);
                old.awaitState("error");
                assertEquals("token_expired", old.script("return document.getElementById('error').dataset.code"));

                RoomPage ada =
                        RoomPage.openIn(browser, server.url("/r/team?token=" + token("team", "Ada", List.of("audio"))));
                pages.add(ada);
                ada.awaitState("joined");
                RoomPage bob = RoomPage.openIn(
                        browser, server.url("/r/team?name=Bob&relay=0&token=" + token("team", null, List.of())));
                pages.add(bob);
                bob.awaitState("joined");

                bob.awaitInbound(List.of(ada.selfId()), "audio", "mic", Duration.ofSeconds(60));
                List<String> names =
                        ada.awaitParticipants(List.of("Ada", "Bob")).participantNames();
                assertTrue(names.containsAll(List.of("Ada", "Bob")), names.toString());
                assertEquals(
                        List.of("audio"),
                        ada.script("return [...window.chorus.pc.getTransceivers()]"
                                + ".filter(t => t.currentDirection === 'sendonly' || t.currentDirection === 'sendrecv')"
                                + ".map(t => t.receiver.track.kind)"),
                        "the audio-only token's page sends its mic only");
                assertFalse(ada.isDisplayed("toggle-screen"), "no screen share without \"screen\"");
                assertFalse(ada.isDisplayed("error"), "the server refused nothing");
                assertEquals(Boolean.TRUE, bob.script("return window.chorus.receiveOnly"));
                assertTrue(
                        ada.value("share-link").endsWith("/r/team"),
                        "the share link never carries the token: " + ada.value("share-link"));
            } finally {
                pages.forEach(p -> p.screenshot("token-" + pages.indexOf(p)));
                pages.forEach(RoomPage::close);
                browser.quit();
            }
        }
    }
}
