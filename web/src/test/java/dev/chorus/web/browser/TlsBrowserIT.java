package dev.chorus.web.browser;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.signaling.tls.TlsCertificate;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web client over https and wss with the self-signed certificate the server makes on
 * first run: an HTTPS client trusting exactly that certificate gets the page, and Chromium,
 * told to accept that one key (--ignore-certificate-errors-spki-list), joins from a secure
 * context and connects media. A second start reuses the same certificate.
 */
class TlsBrowserIT {

    @TempDir
    Path dataDir;

    @Test
    void pageAndSignalingOverTlsWithTheGeneratedCertificate() throws Exception {
        // Keepalive is not under test here: a generous timeout keeps a loaded machine from dropping the page.
        Map<String, String> tls = Map.of(
                "chorus.http.tls.enabled",
                "true",
                "chorus.data-dir",
                dataDir.toString(),
                "chorus.signaling.keepalive-timeout",
                "20s");
        Path certFile = dataDir.resolve("tls").resolve(TlsCertificate.CERT_FILE);
        byte[] firstCert;
        try (TestServer server = TestServer.start(tls)) {
            String url = server.url("/r/secure?name=Ada");
            assertTrue(url.startsWith("https://"), url);
            firstCert = Files.readAllBytes(certFile);
            X509Certificate cert = read(certFile);
            assertEquals(
                    TlsCertificate.fingerprint(cert),
                    server.server().tlsCertificate().sha256Fingerprint());

            HttpResponse<String> page = HttpClient.newBuilder()
                    .sslContext(trusting(cert))
                    .build()
                    .send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, page.statusCode());
            assertTrue(page.body().contains("id=\"join-form\""), "the web client's page");

            String spki = Base64.getEncoder()
                    .encodeToString(MessageDigest.getInstance("SHA-256")
                            .digest(cert.getPublicKey().getEncoded()));
            try (RoomPage ada = RoomPage.open(url, List.of("--ignore-certificate-errors-spki-list=" + spki))) {
                try {
                    ada.awaitState("joined");
                    assertEquals(Boolean.TRUE, ada.script("return window.isSecureContext"));
                    // An https page may only open wss:// (ws:// is blocked as mixed content), so
                    // "joined" means signaling ran over TLS too.
                    assertEquals("https:", ada.script("return location.protocol"));
                    ada.awaitMediaConnected();
                } finally {
                    ada.screenshot("tls-join");
                }
            }
        }
        try (TestServer again = TestServer.start(tls)) {
            assertArrayEquals(firstCert, Files.readAllBytes(certFile), "the certificate is reused on the next start");
            X509Certificate cert = read(certFile);
            HttpResponse<String> health = HttpClient.newBuilder()
                    .sslContext(trusting(cert))
                    .build()
                    .send(
                            HttpRequest.newBuilder(URI.create(again.url("/health")))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode());
            assertEquals(TlsCertificate.fingerprint(cert), TlsCertificate.fingerprint((X509Certificate)
                    health.sslSession().orElseThrow().getPeerCertificates()[0]));
        }
    }

    private static X509Certificate read(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    private static SSLContext trusting(X509Certificate cert) throws Exception {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        store.setCertificateEntry("chorus", cert);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }
}
