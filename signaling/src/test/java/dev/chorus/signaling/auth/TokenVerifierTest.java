package dev.chorus.signaling.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.chorus.signaling.config.ServerConfig;
import dev.chorus.signaling.protocol.ErrorCode;
import dev.chorus.signaling.protocol.ProtocolException;
import dev.chorus.signaling.room.Permissions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenVerifierTest {

    private static final long NOW = 1_800_000_000_000L;

    private static ECKey ecKey;
    private static RSAKey rsaKey;
    private static ECKey strangerEc;
    private static TokenVerifier verifier;

    @TempDir
    static Path dir;

    @BeforeAll
    static void keys() throws Exception {
        ecKey = new ECKeyGenerator(Curve.P_256)
                .keyID("ec-1")
                .keyUse(KeyUse.SIGNATURE)
                .generate();
        rsaKey = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
        strangerEc = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
        // Written with the private parts too, as a careless operator might: only the public ones are kept.
        Path jwks = dir.resolve("jwks.json");
        Files.writeString(jwks, new JWKSet(List.of(ecKey, rsaKey)).toString(false), StandardCharsets.UTF_8);
        verifier = TokenVerifier.from(
                new ServerConfig.Auth("token", TestTokens.SECRET, jwks.toString(), Duration.ofSeconds(30)), 64);
    }

    private static JWTClaimsSet claims(String room) {
        return TestTokens.claims(room, NOW, null).build();
    }

    private static ErrorCode refusal(String token, String room) {
        return assertThrows(ProtocolException.class, () -> verifier.verify(token, room, NOW))
                .code();
    }

    @Test
    void hs256TokenGrantsItsClaims() throws Exception {
        String token =
                TestTokens.hs256(TestTokens.claims("team", NOW, Map.of("publish", List.of("audio"), "chat", false))
                        .build());
        Grant g = verifier.verify(token, "team", NOW);
        assertEquals("user-42", g.identity());
        assertEquals("Ada", g.name());
        Permissions p = g.permissions();
        assertTrue(p.publishAudio());
        assertFalse(p.publishVideo() || p.publishScreen() || p.chat() || p.hidden() || p.moderate() || p.record());
        assertTrue(p.subscribe(), "absent flags take their defaults");
    }

    @Test
    void withoutPermsAMemberMayDoWhatAnOpenServerAllows() throws Exception {
        assertEquals(
                Permissions.OPEN,
                verifier.verify(TestTokens.hs256(claims("team")), "team", NOW).permissions());
    }

    @Test
    void es256TokenVerifiesWithTheJwksKey() throws Exception {
        String token = TestTokens.sign(claims("team"), JWSAlgorithm.ES256, "ec-1", new ECDSASigner(ecKey));
        assertEquals("user-42", verifier.verify(token, "team", NOW).identity());
        // Without a kid every P-256 key is tried.
        String noKid = TestTokens.sign(claims("team"), JWSAlgorithm.ES256, null, new ECDSASigner(ecKey));
        assertEquals("user-42", verifier.verify(noKid, "team", NOW).identity());
    }

    @Test
    void rs256TokenVerifiesWithTheJwksKey() throws Exception {
        String token = TestTokens.sign(claims("team"), JWSAlgorithm.RS256, "rsa-1", new RSASSASigner(rsaKey));
        assertEquals("Ada", verifier.verify(token, "team", NOW).name());
    }

    @Test
    void missingTokenIsTokenMissing() {
        assertEquals(ErrorCode.TOKEN_MISSING, refusal(null, "team"));
        assertEquals(ErrorCode.TOKEN_MISSING, refusal("  ", "team"));
    }

    @Test
    void expiredTokenIsTokenExpired() {
        JWTClaimsSet expired = TestTokens.claims("team", NOW, null)
                .expirationTime(new Date(NOW - 31_000))
                .build();
        assertEquals(ErrorCode.TOKEN_EXPIRED, refusal(TestTokens.hs256(expired), "team"));
        String es = TestTokens.sign(expired, JWSAlgorithm.ES256, "ec-1", uncheckedEcSigner(ecKey));
        assertEquals(ErrorCode.TOKEN_EXPIRED, refusal(es, "team"));
    }

    @Test
    void expiryWithinTheClockSkewIsAccepted() throws Exception {
        JWTClaimsSet justExpired = TestTokens.claims("team", NOW, null)
                .expirationTime(new Date(NOW - 10_000))
                .build();
        verifier.verify(TestTokens.hs256(justExpired), "team", NOW);
    }

    @Test
    void tokenWithoutExpiryIsInvalid() {
        JWTClaimsSet noExp =
                TestTokens.claims("team", NOW, null).expirationTime(null).build();
        assertEquals(ErrorCode.TOKEN_INVALID, refusal(TestTokens.hs256(noExp), "team"));
    }

    @Test
    void badlySignedTokensAreInvalid() throws Exception {
        assertEquals(
                ErrorCode.TOKEN_INVALID,
                refusal(
                        TestTokens.sign(
                                claims("team"),
                                JWSAlgorithm.HS256,
                                null,
                                TestTokens.hmac("another-secret-of-at-least-32-bytes")),
                        "team"));
        assertEquals(
                ErrorCode.TOKEN_INVALID,
                refusal(
                        TestTokens.sign(claims("team"), JWSAlgorithm.ES256, "ec-1", new ECDSASigner(strangerEc)),
                        "team"));
        assertEquals(
                ErrorCode.TOKEN_INVALID,
                refusal(TestTokens.sign(claims("team"), JWSAlgorithm.ES256, "nope", new ECDSASigner(ecKey)), "team"));
        // Tampered payload: the room changed after signing.
        String[] parts = TestTokens.hs256(claims("team")).split("\\.");
        String forged = parts[0] + "."
                + java.util.Base64.getUrlEncoder()
                        .withoutPadding()
                        .encodeToString(claims("other").toString().getBytes(StandardCharsets.UTF_8))
                + "." + parts[2];
        assertEquals(ErrorCode.TOKEN_INVALID, refusal(forged, "other"));
        assertEquals(ErrorCode.TOKEN_INVALID, refusal("not.a.jwt", "team"));
        assertEquals(ErrorCode.TOKEN_INVALID, refusal("garbage", "team"));
        // alg none: an unsecured JWT is never accepted.
        String none = new com.nimbusds.jwt.PlainJWT(claims("team")).serialize();
        assertEquals(ErrorCode.TOKEN_INVALID, refusal(none, "team"));
    }

    @Test
    void algorithmsWithoutTheirKeysAreRefused() throws Exception {
        TokenVerifier hsOnly = new TokenVerifier(TestTokens.SECRET.getBytes(StandardCharsets.UTF_8), null, 0, 64);
        String es = TestTokens.sign(claims("team"), JWSAlgorithm.ES256, "ec-1", new ECDSASigner(ecKey));
        assertEquals(
                ErrorCode.TOKEN_INVALID,
                assertThrows(ProtocolException.class, () -> hsOnly.verify(es, "team", NOW))
                        .code());
        TokenVerifier keysOnly = new TokenVerifier(null, new JWKSet(ecKey.toPublicJWK()), 0, 64);
        assertEquals(
                ErrorCode.TOKEN_INVALID,
                assertThrows(
                                ProtocolException.class,
                                () -> keysOnly.verify(TestTokens.hs256(claims("team")), "team", NOW))
                        .code());
    }

    @Test
    void wrongRoomIsTokenWrongRoom() {
        assertEquals(ErrorCode.TOKEN_WRONG_ROOM, refusal(TestTokens.hs256(claims("team")), "other"));
        assertEquals(ErrorCode.TOKEN_WRONG_ROOM, refusal(TestTokens.hs256(claims("team-*")), "teams-a"));
    }

    @Test
    void roomPatternsMatchWithStars() throws Exception {
        verifier.verify(TestTokens.hs256(claims("team-*")), "team-blue", NOW);
        verifier.verify(TestTokens.hs256(claims("team-*")), "team-", NOW);
        verifier.verify(TestTokens.hs256(claims("*")), "anything", NOW);
        assertTrue(TokenClaims.roomMatches("a*c", "abbbc"));
        assertFalse(TokenClaims.roomMatches("a*c", "abbbd"));
        assertTrue(TokenClaims.roomMatches("*a*b*", "xaybz"));
        assertFalse(TokenClaims.roomMatches("*a*b*", "xbya"));
        assertTrue(TokenClaims.roomMatches("a**", "a"));
        assertFalse(TokenClaims.roomMatches("ab", "abc"));
        assertEquals(ErrorCode.TOKEN_INVALID, refusal(TestTokens.hs256(claims("team.+")), "team-a"));
    }

    /**
     * Found by fuzzing (sfu/fuzz, JOIN_TOKEN): a room pattern of many stars that does not match. The old
     * regex matcher backtracked exponentially on it and held the thread 39 s; this answers at once.
     */
    @Test
    void aPatternOfManyStarsIsRefusedWithoutBacktracking() {
        String pattern = "*".repeat(44) + "0***"; // the input as found
        assertEquals(ErrorCode.TOKEN_WRONG_ROOM, refusal(TestTokens.hs256(claims(pattern)), "standup"));
        assertTrue(TokenClaims.roomMatches("*".repeat(60) + "p", "standup"));
    }

    @Test
    void claimsOfTheWrongShapeAreInvalid() {
        for (Map<String, Object> perms : List.<Map<String, Object>>of(
                Map.of("publish", List.of("smell")),
                Map.of("publish", "audio"),
                Map.of("chat", "yes"),
                Map.of("admin", true))) {
            assertEquals(
                    ErrorCode.TOKEN_INVALID,
                    refusal(
                            TestTokens.hs256(
                                    TestTokens.claims("team", NOW, perms).build()),
                            "team"),
                    perms.toString());
        }
        assertEquals(
                ErrorCode.TOKEN_INVALID,
                refusal(
                        TestTokens.hs256(TestTokens.claims("team", NOW, null)
                                .claim("name", "a\u0000b")
                                .build()),
                        "team"));
        assertEquals(
                ErrorCode.TOKEN_INVALID,
                refusal(
                        TestTokens.hs256(TestTokens.claims("team", NOW, null)
                                .claim("room", 7)
                                .build()),
                        "team"));
        assertEquals(
                ErrorCode.TOKEN_INVALID,
                refusal(
                        TestTokens.hs256(TestTokens.claims("team", NOW, null)
                                .notBeforeTime(new Date(NOW + 600_000))
                                .build()),
                        "team"));
    }

    @Test
    void errorMessagesNeverCarryTheToken() {
        String token = TestTokens.hs256(claims("team"));
        ProtocolException e = assertThrows(ProtocolException.class, () -> verifier.verify(token, "other", NOW));
        assertFalse(e.getMessage().contains(token.split("\\.")[1]), e.getMessage());
        assertFalse(e.getMessage().contains(TestTokens.SECRET), e.getMessage());
    }

    @Test
    void nameAndIdentityAreOptional() throws Exception {
        JWTClaimsSet bare = new JWTClaimsSet.Builder()
                .claim("room", "team")
                .expirationTime(new Date(NOW + 60_000))
                .build();
        Grant g = verifier.verify(TestTokens.hs256(bare), "team", NOW);
        assertNull(g.identity());
        assertNull(g.name());
    }

    @Test
    void configRefusesAShortSecretAndAMissingKey() {
        assertThrows(
                IllegalArgumentException.class,
                () -> dev.chorus.signaling.config.ConfigLoader.load(
                        null, Map.of("CHORUS_AUTH_MODE", "token"), new java.util.Properties()));
        assertThrows(
                IllegalArgumentException.class,
                () -> dev.chorus.signaling.config.ConfigLoader.load(
                        null,
                        Map.of("CHORUS_AUTH_MODE", "token", "CHORUS_AUTH_HS256_SECRET", "short"),
                        new java.util.Properties()));
        ServerConfig c = dev.chorus.signaling.config.ConfigLoader.load(
                        null,
                        Map.of("CHORUS_AUTH_MODE", "token", "CHORUS_AUTH_HS256_SECRET", TestTokens.SECRET),
                        new java.util.Properties())
                .config();
        assertTrue(c.auth().tokens());
        assertFalse(c.auth().toString().contains(TestTokens.SECRET), "toString never prints the secret");
        assertEquals(
                "open",
                dev.chorus.signaling.config.ConfigLoader.load(null, Map.of(), new java.util.Properties())
                        .config()
                        .auth()
                        .mode());
    }

    @Test
    void configRefusesAnUnknownModeAndAnUnreadableJwksFile() {
        assertThrows(
                IllegalArgumentException.class,
                () -> dev.chorus.signaling.config.ConfigLoader.load(
                        null, Map.of("CHORUS_AUTH_MODE", "tokens"), new java.util.Properties()));
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> TokenVerifier.from(
                        new ServerConfig.Auth(
                                "token", "", dir.resolve("missing.json").toString(), Duration.ofSeconds(30)),
                        64));
        assertTrue(e.getMessage().contains("chorus.auth.jwks-file"), e.getMessage());
    }

    private static ECDSASigner uncheckedEcSigner(ECKey key) {
        try {
            return new ECDSASigner(key);
        } catch (com.nimbusds.jose.JOSEException e) {
            throw new IllegalStateException(e);
        }
    }
}
