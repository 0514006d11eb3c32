package dev.chorus.fuzz;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.MACSigner;
import dev.chorus.signaling.auth.TokenVerifier;
import dev.chorus.signaling.protocol.Limits;
import dev.chorus.signaling.protocol.MessageParser;
import dev.chorus.signaling.protocol.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Signaling's parsers of client input: a WebSocket text frame, and a join token. A token's claims are only
 * read once its signature holds, which random bytes never do; so half the token inputs are claims the
 * fuzzer writes, signed here with the verifier's own secret, and the other half whole tokens as they come.
 */
final class SignalingTargets {

    /** 32 bytes: HS256 needs a 256-bit secret. */
    private static final byte[] SECRET = "chorus-fuzz-secret-of-32-bytes!!".getBytes(StandardCharsets.US_ASCII);

    private static final long NOW_MILLIS = 1_765_000_000_000L;
    private static final MessageParser MESSAGES = new MessageParser(new Limits(65_536, 64, 2_000));
    private static final TokenVerifier TOKENS = new TokenVerifier(SECRET, null, 30_000, 64);
    private static final MACSigner SIGNER = signer();

    private static long sink;

    private SignalingTargets() {}

    static void message(byte[] b) {
        try {
            sink += MESSAGES.parse(new String(b, StandardCharsets.UTF_8)).hashCode();
        } catch (ProtocolException refused) {
            sink++; // refused, as it may be
        }
    }

    static void token(byte[] b) {
        if (b.length == 0) {
            return;
        }
        String text = new String(Arrays.copyOfRange(b, 1, b.length), StandardCharsets.UTF_8);
        String token = (b[0] & 1) == 0 ? text : signed(text);
        try {
            sink += TOKENS.verify(token, "standup", NOW_MILLIS).hashCode();
        } catch (ProtocolException refused) {
            sink++; // refused, as it may be
        }
    }

    /** {@code claims} (any text: the verifier must cope with a payload that is not JSON) as a signed token. */
    private static String signed(String claims) {
        JWSObject jws = new JWSObject(new JWSHeader(JWSAlgorithm.HS256), new Payload(claims));
        try {
            jws.sign(SIGNER);
        } catch (JOSEException e) {
            throw new IllegalStateException("signing with a fixed 256-bit secret cannot fail", e);
        }
        return jws.serialize();
    }

    private static MACSigner signer() {
        try {
            return new MACSigner(SECRET);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }
}
