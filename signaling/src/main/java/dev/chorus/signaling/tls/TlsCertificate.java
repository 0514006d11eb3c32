package dev.chorus.signaling.tls;

import dev.chorus.signaling.config.ServerConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The https/wss certificate: the configured PEM pair, or a self-signed one made on first
 * run in {@code <data-dir>/tls/} and reused on later runs (remade only when it expires).
 * Its SHA-256 fingerprint is logged, so people can check what their browser shows.
 * Separate from the media plane's DTLS certificate, which is made per process.
 */
public record TlsCertificate(Path certPath, Path keyPath, String sha256Fingerprint, boolean selfSigned) {

    private static final Logger log = LoggerFactory.getLogger(TlsCertificate.class);

    static final Duration SELF_SIGNED_VALIDITY = Duration.ofDays(397);
    /** A self-signed certificate this close to expiry is remade at start-up. */
    static final Duration RENEW_BEFORE = Duration.ofDays(7);

    public static final String CERT_FILE = "cert.pem";
    public static final String KEY_FILE = "key.pem";

    /** The certificate to serve, making the self-signed one when none is configured. */
    public static TlsCertificate resolve(ServerConfig config) throws IOException {
        ServerConfig.Tls tls = config.http().tls();
        if (tls.hasConfiguredCertificate()) {
            Path cert = Path.of(tls.cert());
            Path key = Path.of(tls.key());
            for (Path p : List.of(cert, key)) {
                if (!Files.isReadable(p)) {
                    throw new IOException("TLS file not readable: " + p.toAbsolutePath()
                            + " (chorus.http.tls.cert / chorus.http.tls.key)");
                }
            }
            X509Certificate x509 = readFirstCertificate(cert);
            TlsCertificate result = new TlsCertificate(cert, key, fingerprint(x509), false);
            log.info(
                    "TLS certificate {} (subject {}, expires {}), SHA-256 fingerprint {}",
                    cert,
                    x509.getSubjectX500Principal().getName(),
                    x509.getNotAfter().toInstant(),
                    result.sha256Fingerprint());
            return result;
        }
        return selfSigned(
                Path.of(config.dataDir()).resolve("tls"), config.http().host(), Instant.now());
    }

    /** The self-signed pair in {@code dir}, made (or remade when about to expire) as needed. */
    static TlsCertificate selfSigned(Path dir, String host, Instant now) throws IOException {
        Path cert = dir.resolve(CERT_FILE);
        Path key = dir.resolve(KEY_FILE);
        if (Files.isRegularFile(cert) && Files.isRegularFile(key)) {
            X509Certificate existing = readFirstCertificate(cert);
            if (existing.getNotAfter().toInstant().isAfter(now.plus(RENEW_BEFORE))) {
                TlsCertificate result = new TlsCertificate(cert, key, fingerprint(existing), true);
                log.info(
                        "TLS: reusing self-signed certificate {} (expires {}), SHA-256 fingerprint {}",
                        cert.toAbsolutePath(),
                        existing.getNotAfter().toInstant(),
                        result.sha256Fingerprint());
                return result;
            }
            log.info(
                    "TLS: self-signed certificate {} expires {}; making a new one",
                    cert,
                    existing.getNotAfter().toInstant());
        }
        Files.createDirectories(dir);
        X509Certificate made = generate(dir, host, now);
        TlsCertificate result = new TlsCertificate(cert, key, fingerprint(made), true);
        log.info(
                "TLS: made a self-signed certificate {} for {} (expires {}), SHA-256 fingerprint {}",
                cert.toAbsolutePath(),
                subjectNames(host),
                made.getNotAfter().toInstant(),
                result.sha256Fingerprint());
        log.info("TLS: browsers will warn about it; for a public server configure chorus.http.tls.cert and key");
        return result;
    }

    private static X509Certificate generate(Path dir, String host, Instant now) throws IOException {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            KeyPair pair = generator.generateKeyPair();
            List<GeneralName> names = new ArrayList<>();
            for (String name : subjectNames(host)) {
                boolean ip = name.indexOf(':') >= 0 || name.matches("[0-9.]+");
                names.add(new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, name));
            }
            X500Name subject = new X500Name("CN=Chorus self-signed");
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    subject,
                    new BigInteger(64, new SecureRandom()).abs().add(BigInteger.ONE),
                    Date.from(now.minus(Duration.ofHours(1))),
                    Date.from(now.plus(SELF_SIGNED_VALIDITY)),
                    subject,
                    pair.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(
                    Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            builder.addExtension(
                    Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
            X509Certificate cert = new JcaX509CertificateConverter()
                    .getCertificate(
                            builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));

            // Key first, owner-only, then the certificate: a crash in between leaves no usable pair.
            Path key = dir.resolve(KEY_FILE);
            Path tmpKey = dir.resolve(KEY_FILE + ".tmp");
            Files.deleteIfExists(tmpKey);
            try {
                Files.createFile(
                        tmpKey, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(tmpKey);
            }
            Files.writeString(
                    tmpKey, pem(new JcaPKCS8Generator(pair.getPrivate(), null).generate()), StandardCharsets.US_ASCII);
            Files.move(tmpKey, key, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Path tmpCert = dir.resolve(CERT_FILE + ".tmp");
            Files.writeString(tmpCert, pem(cert), StandardCharsets.US_ASCII);
            Files.move(tmpCert, dir.resolve(CERT_FILE), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return cert;
        } catch (GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException e) {
            throw new IOException("cannot make a self-signed TLS certificate: " + e.getMessage(), e);
        }
    }

    /** localhost, loopback addresses, this host's name and the configured listen address. */
    static List<String> subjectNames(String host) {
        Set<String> names = new LinkedHashSet<>(List.of("localhost", "127.0.0.1", "::1"));
        try {
            String hostname = InetAddress.getLocalHost().getHostName();
            if (hostname != null && !hostname.isBlank() && !hostname.matches("[0-9.:]+")) {
                names.add(hostname);
            }
        } catch (IOException e) {
            // No resolvable host name: localhost and the addresses still serve.
        }
        if (host != null && !host.isBlank() && !host.equals("0.0.0.0") && !host.equals("::")) {
            names.add(host);
        }
        return List.copyOf(names);
    }

    private static String pem(Object object) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        }
        return out.toString();
    }

    static X509Certificate readFirstCertificate(Path pem) throws IOException {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (GeneralSecurityException e) {
            throw new IOException("not a PEM certificate: " + pem + ": " + e.getMessage(), e);
        }
    }

    /** SHA-256 of the DER certificate as upper-case hex pairs joined by colons. */
    public static String fingerprint(X509Certificate cert) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(cert.getEncoded());
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}
