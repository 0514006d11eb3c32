package dev.chorus.sfu.transport;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import java.util.Locale;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.crypto.TlsCertificate;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * The DTLS identity of this process: one ECDSA P-256 key and self-signed certificate, generated at start
 * (WebRTC authenticates it by the fingerprint in SDP, not by a CA). Thread-safe, immutable.
 */
public final class DtlsCertificate {
    private final BcTlsCrypto crypto;
    private final Certificate certificate;
    private final AsymmetricKeyParameter privateKey;
    private final String fingerprint;

    private DtlsCertificate(
            BcTlsCrypto crypto, Certificate certificate, AsymmetricKeyParameter privateKey, String fingerprint) {
        this.crypto = crypto;
        this.certificate = certificate;
        this.privateKey = privateKey;
        this.fingerprint = fingerprint;
    }

    /** Generates a fresh key pair and a 30-day self-signed certificate (~10 ms). */
    public static DtlsCertificate generate() {
        try {
            SecureRandom random = new SecureRandom();
            KeyPairGenerator kpg = KeyPairGenerator.getInstance("EC");
            kpg.initialize(new ECGenParameterSpec("secp256r1"), random);
            KeyPair kp = kpg.generateKeyPair();
            X500Name name = new X500Name("CN=chorus");
            Instant now = Instant.now();
            X509CertificateHolder holder = new JcaX509v3CertificateBuilder(
                            name,
                            new BigInteger(63, random).add(BigInteger.ONE),
                            Date.from(now.minus(Duration.ofDays(1))),
                            Date.from(now.plus(Duration.ofDays(30))),
                            name,
                            kp.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate()));
            byte[] der = holder.getEncoded();
            BcTlsCrypto crypto = new BcTlsCrypto(random);
            Certificate chain = new Certificate(new TlsCertificate[] {crypto.createCertificate(der)});
            AsymmetricKeyParameter key =
                    PrivateKeyFactory.createKey(kp.getPrivate().getEncoded());
            return new DtlsCertificate(crypto, chain, key, fingerprintOf("sha-256", der));
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot generate DTLS certificate", e);
        }
    }

    /** "sha-256 AB:CD:..." as it goes after "a=fingerprint:" in SDP. */
    public String fingerprint() {
        return fingerprint;
    }

    /** The hash function part of {@link #fingerprint()}. */
    public String hashFunction() {
        return "sha-256";
    }

    /** The hex part of {@link #fingerprint()} ("AB:CD:..."). */
    public String fingerprintValue() {
        return fingerprint.substring(fingerprint.indexOf(' ') + 1);
    }

    BcTlsCrypto crypto() {
        return crypto;
    }

    Certificate certificate() {
        return certificate;
    }

    AsymmetricKeyParameter privateKey() {
        return privateKey;
    }

    /**
     * Fingerprint of a DER certificate as "hash AB:CD:..." (RFC 8122).
     *
     * @param hashFunction an SDP hash name: sha-1, sha-256, sha-384, sha-512
     */
    static String fingerprintOf(String hashFunction, byte[] der) throws GeneralSecurityException {
        String h = hashFunction.toLowerCase(Locale.ROOT);
        String jca = switch (h) {
            case "sha-1" -> "SHA-1";
            case "sha-224" -> "SHA-224";
            case "sha-256" -> "SHA-256";
            case "sha-384" -> "SHA-384";
            case "sha-512" -> "SHA-512";
            default -> throw new GeneralSecurityException("unsupported fingerprint hash " + hashFunction);
        };
        byte[] digest = MessageDigest.getInstance(jca).digest(der);
        return h + " " + HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
    }
}
