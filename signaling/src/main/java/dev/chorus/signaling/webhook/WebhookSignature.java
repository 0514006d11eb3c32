package dev.chorus.signaling.webhook;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The webhook signature: hex HMAC-SHA256, under the configured secret, of {@code timestamp + "." + body}, where
 * timestamp is the {@value #TIMESTAMP_HEADER} header (Unix seconds of the attempt). Signing the timestamp lets a
 * receiver refuse old requests replayed; the body is signed as sent, byte for byte. Not thread-safe (one
 * {@link Mac}): one instance per thread.
 */
public final class WebhookSignature {

    public static final String TIMESTAMP_HEADER = "Chorus-Webhook-Timestamp";
    public static final String SIGNATURE_HEADER = "Chorus-Webhook-Signature";
    /** The signature header's value is this prefix and the hex HMAC, so another scheme can follow later. */
    public static final String SCHEME = "v1=";

    private final Mac mac;

    public WebhookSignature(String secret) {
        try {
            mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** The signature header's value for {@code body} sent at {@code timestampSeconds}. */
    public String sign(long timestampSeconds, String body) {
        mac.update((timestampSeconds + ".").getBytes(StandardCharsets.UTF_8));
        return SCHEME + HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    }

    /** What a receiver does (tests, and a reference for the README's recipe): constant-time comparison. */
    public boolean verify(long timestampSeconds, String body, String signatureHeader) {
        if (signatureHeader == null) {
            return false;
        }
        return MessageDigest.isEqual(
                sign(timestampSeconds, body).getBytes(StandardCharsets.UTF_8),
                signatureHeader.getBytes(StandardCharsets.UTF_8));
    }
}
