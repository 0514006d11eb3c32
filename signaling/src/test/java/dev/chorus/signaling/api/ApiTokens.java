package dev.chorus.signaling.api;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.util.Date;

/** Bearer tokens for the server API, as an application's backend makes them. */
public final class ApiTokens {

    public static final String KEY = "app-backend";
    public static final String SECRET = "api-secret-of-at-least-32-bytes!!";

    private ApiTokens() {}

    /** A token issued now, valid for a minute. */
    public static String valid() {
        long now = System.currentTimeMillis();
        return sign(KEY, SECRET, now, now + 60_000);
    }

    public static String sign(String kid, String secret, long iatMillis, long expMillis) {
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issueTime(new Date(iatMillis))
                .expirationTime(new Date(expMillis))
                .build();
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(kid).build(), claims);
        try {
            jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }
}
