package dev.chorus.signaling.api;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.chorus.signaling.config.ServerConfig;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.Date;

/**
 * Checks a server API call's bearer token: a JWT signed HS256 with {@code chorus.api.secret}, whose header names
 * {@code chorus.api.key} as its {@code kid}, with {@code iat} and {@code exp} at most
 * {@code chorus.api.max-token-lifetime} apart and {@code exp} not passed. Each failure has its own code; neither the
 * token nor the secret goes into a message or a log. Immutable.
 */
final class ApiAuth {

    /** A real bearer token is a few hundred bytes: longer is not parsed at all. */
    static final int MAX_TOKEN_CHARS = 4096;

    private final String key;
    private final MACVerifier verifier;
    private final long maxLifetimeMillis;
    private final long skewMillis;

    ApiAuth(ServerConfig.Api api) {
        this.key = api.key();
        try {
            this.verifier = new MACVerifier(api.secret().getBytes(StandardCharsets.UTF_8));
        } catch (JOSEException e) {
            throw new IllegalArgumentException("invalid configuration: chorus.api.secret: " + e.getMessage(), e);
        }
        this.maxLifetimeMillis = api.maxTokenLifetime().toMillis();
        this.skewMillis = api.clockSkew().toMillis();
    }

    /** @param authorization the request's Authorization header, or null */
    void check(String authorization, long nowMillis) throws ApiException {
        if (authorization == null || authorization.isBlank()) {
            throw new ApiException(
                    ApiError.TOKEN_MISSING,
                    "send 'Authorization: Bearer <token>' (README, Integrating: the server API)");
        }
        if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new ApiException(ApiError.TOKEN_MISSING, "the Authorization header must be 'Bearer <token>'");
        }
        String token = authorization.substring(7).strip();
        if (token.length() > MAX_TOKEN_CHARS) {
            throw new ApiException(
                    ApiError.TOKEN_INVALID, "the token is longer than " + MAX_TOKEN_CHARS + " characters");
        }
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(token);
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw new ApiException(ApiError.TOKEN_INVALID, "the token is not a signed JWT");
        }
        if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm())) {
            throw new ApiException(ApiError.TOKEN_INVALID, "the token must be signed HS256");
        }
        if (!key.equals(jwt.getHeader().getKeyID())) {
            // The key names which secret signs; an unknown one is not worth a signature check.
            throw new ApiException(ApiError.KEY_UNKNOWN, "the token's kid is not this server's API key");
        }
        try {
            if (!jwt.verify(verifier)) {
                throw new ApiException(ApiError.TOKEN_INVALID, "the token's signature does not verify");
            }
        } catch (JOSEException e) {
            throw new ApiException(ApiError.TOKEN_INVALID, "the token's signature cannot be checked");
        }
        Date exp;
        Date iat;
        try {
            exp = claims.getExpirationTime();
            iat = claims.getIssueTime();
        } catch (RuntimeException e) {
            throw new ApiException(ApiError.TOKEN_INVALID, "exp and iat must be NumericDate (seconds since 1970)");
        }
        if (exp == null || iat == null) {
            throw new ApiException(ApiError.TOKEN_INVALID, "the token needs both 'iat' and 'exp'");
        }
        if (exp.getTime() + skewMillis <= nowMillis) {
            throw new ApiException(ApiError.TOKEN_EXPIRED, "the token has expired");
        }
        if (iat.getTime() - skewMillis > nowMillis) {
            throw new ApiException(ApiError.TOKEN_INVALID, "the token was issued in the future (iat)");
        }
        if (exp.getTime() - iat.getTime() > maxLifetimeMillis
                || exp.getTime() - nowMillis > maxLifetimeMillis + skewMillis) {
            throw new ApiException(
                    ApiError.TOKEN_LIFETIME,
                    "the token lives longer than chorus.api.max-token-lifetime (" + maxLifetimeMillis / 1000 + " s)");
        }
    }
}
