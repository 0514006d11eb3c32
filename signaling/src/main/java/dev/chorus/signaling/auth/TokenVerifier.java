package dev.chorus.signaling.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.chorus.signaling.config.ServerConfig;
import dev.chorus.signaling.protocol.ErrorCode;
import dev.chorus.signaling.protocol.ProtocolException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Verifies join tokens (JWT, {@code chorus.auth.mode = token}): the signature first (HS256 with the shared
 * secret, ES256 or RS256 with a public key of the JWKS file), then expiry, then the room, then the claims
 * (see {@link TokenClaims}). Each failure is a {@link ProtocolException} with its own code; neither the token
 * nor the secret ever goes into a message or a log. Immutable, so sessions share one.
 */
public final class TokenVerifier {

    /** Longer strings are not parsed at all: a real token is a few hundred bytes. */
    public static final int MAX_TOKEN_CHARS = 8192;

    private final byte[] hs256Secret;
    private final JWKSet jwks;
    private final long clockSkewMillis;
    private final int maxNameChars;

    public TokenVerifier(byte[] hs256Secret, JWKSet jwks, long clockSkewMillis, int maxNameChars) {
        this.hs256Secret = hs256Secret == null || hs256Secret.length == 0 ? null : hs256Secret.clone();
        this.jwks = jwks;
        this.clockSkewMillis = clockSkewMillis;
        this.maxNameChars = maxNameChars;
    }

    /** The verifier {@code chorus.auth} configures; reads the JWKS file now, so a bad one fails start-up. */
    public static TokenVerifier from(ServerConfig.Auth auth, int maxNameChars) {
        JWKSet jwks = null;
        if (!auth.jwksFile().isBlank()) {
            try {
                jwks = JWKSet.load(Path.of(auth.jwksFile()).toFile()).toPublicJWKSet();
            } catch (IOException | ParseException e) {
                throw new IllegalArgumentException(
                        "invalid configuration: chorus.auth.jwks-file " + auth.jwksFile() + ": " + e.getMessage(), e);
            }
        }
        return new TokenVerifier(
                auth.hs256Secret().getBytes(StandardCharsets.UTF_8),
                jwks,
                auth.clockSkew().toMillis(),
                maxNameChars);
    }

    /**
     * What {@code token} grants for joining {@code room} at {@code nowMillis}.
     *
     * @throws ProtocolException token_missing, token_invalid (malformed, badly signed, unknown key or algorithm,
     *                           bad claims), token_expired, token_wrong_room
     */
    public Grant verify(String token, String room, long nowMillis) throws ProtocolException {
        if (token == null || token.isBlank()) {
            throw fail(ErrorCode.TOKEN_MISSING, "this server needs a token to join (the join's 'token' field)");
        }
        if (token.length() > MAX_TOKEN_CHARS) {
            throw fail(ErrorCode.TOKEN_INVALID, "the token is longer than " + MAX_TOKEN_CHARS + " characters");
        }
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(token);
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw fail(ErrorCode.TOKEN_INVALID, "the token is not a signed JWT");
        }
        verifySignature(jwt);
        TokenClaims.checkTimes(claims, nowMillis, clockSkewMillis);
        String pattern = TokenClaims.room(claims);
        if (!TokenClaims.roomMatches(pattern, room)) {
            throw fail(ErrorCode.TOKEN_WRONG_ROOM, "the token is not for room " + room);
        }
        return TokenClaims.grant(claims, maxNameChars);
    }

    private void verifySignature(SignedJWT jwt) throws ProtocolException {
        JWSAlgorithm alg = jwt.getHeader().getAlgorithm();
        String kid = jwt.getHeader().getKeyID();
        try {
            if (JWSAlgorithm.HS256.equals(alg)) {
                if (hs256Secret == null) {
                    throw fail(ErrorCode.TOKEN_INVALID, "HS256 tokens are not accepted (no chorus.auth.hs256-secret)");
                }
                if (jwt.verify(new MACVerifier(hs256Secret))) {
                    return;
                }
            } else if (JWSAlgorithm.ES256.equals(alg) || JWSAlgorithm.RS256.equals(alg)) {
                for (JWSVerifier verifier : publicKeyVerifiers(alg, kid)) {
                    if (jwt.verify(verifier)) {
                        return;
                    }
                }
            } else {
                throw fail(
                        ErrorCode.TOKEN_INVALID,
                        "unsupported token algorithm " + TokenClaims.clip(String.valueOf(alg))
                                + " (HS256, ES256, RS256)");
            }
        } catch (JOSEException e) {
            throw fail(ErrorCode.TOKEN_INVALID, "the token's signature cannot be checked");
        }
        throw fail(ErrorCode.TOKEN_INVALID, "the token's signature does not verify");
    }

    private List<JWSVerifier> publicKeyVerifiers(JWSAlgorithm alg, String kid) throws ProtocolException, JOSEException {
        if (jwks == null) {
            throw fail(ErrorCode.TOKEN_INVALID, alg + " tokens are not accepted (no chorus.auth.jwks-file)");
        }
        boolean ec = JWSAlgorithm.ES256.equals(alg);
        JWKMatcher.Builder matcher = new JWKMatcher.Builder()
                .keyType(ec ? KeyType.EC : KeyType.RSA)
                .keyUses(KeyUse.SIGNATURE, null)
                .algorithms(alg, null)
                .publicOnly(true);
        if (ec) {
            matcher.curves(Curve.P_256);
        }
        if (kid != null) {
            matcher.keyID(kid);
        }
        List<JWK> keys = new JWKSelector(matcher.build()).select(jwks);
        if (keys.isEmpty()) {
            throw fail(
                    ErrorCode.TOKEN_INVALID,
                    "no " + alg + " key" + (kid == null ? "" : " with kid " + TokenClaims.clip(kid))
                            + " in chorus.auth.jwks-file");
        }
        List<JWSVerifier> verifiers = new ArrayList<>();
        for (JWK key : keys) {
            verifiers.add(ec ? new ECDSAVerifier((ECKey) key) : new RSASSAVerifier((RSAKey) key));
        }
        return verifiers;
    }

    static ProtocolException fail(ErrorCode code, String message) {
        return new ProtocolException(code, message, code == ErrorCode.TOKEN_MISSING ? "token" : null, null);
    }
}
