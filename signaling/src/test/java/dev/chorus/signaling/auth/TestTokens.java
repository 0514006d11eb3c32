package dev.chorus.signaling.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.List;
import java.util.Map;

/** Makes join tokens for tests, as an application's backend would. */
public final class TestTokens {

    /** 32 bytes: the least HS256 takes. */
    public static final String SECRET = "test-secret-of-at-least-32-bytes!";

    private TestTokens() {}

    /** Claims for {@code room}, expiring in an hour from {@code nowMillis}, with {@code perms} (null: none). */
    public static JWTClaimsSet.Builder claims(String room, long nowMillis, Map<String, Object> perms) {
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder()
                .subject("user-42")
                .claim("name", "Ada")
                .claim("room", room)
                .expirationTime(new Date(nowMillis + 3_600_000));
        if (perms != null) {
            b.claim("perms", perms);
        }
        return b;
    }

    public static String hs256(JWTClaimsSet claims) {
        return sign(claims, JWSAlgorithm.HS256, null, hmac(SECRET));
    }

    public static MACSigner hmac(String secret) {
        try {
            return new MACSigner(secret.getBytes(StandardCharsets.UTF_8));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String sign(JWTClaimsSet claims, JWSAlgorithm alg, String kid, JWSSigner signer) {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(kid).build(), claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }

    /** A token for {@code room} with {@code perms}, HS256, valid for an hour from now. */
    public static String hs256(String room, Map<String, Object> perms) {
        return hs256(claims(room, System.currentTimeMillis(), perms).build());
    }

    public static Map<String, Object> publish(String... kinds) {
        return Map.of("publish", List.of(kinds));
    }
}
