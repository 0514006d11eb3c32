package dev.chorus.signaling.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.signaling.ChorusServer;
import dev.chorus.signaling.config.ConfigLoader;
import dev.chorus.signaling.tls.TlsCertificate;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.junit5.VertxExtension;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * https and wss: a self-signed certificate made on first start in the data directory,
 * trusted by the clients here as it would be by someone who accepted it, reused on the
 * next start; and the TURN credentials each client gets in {@code joined}.
 */
@ExtendWith(VertxExtension.class)
class TlsServerTest {

    @TempDir
    Path dataDir;

    private static ChorusServer start(Map<String, String> overrides) throws Exception {
        Properties p = new Properties();
        p.setProperty("chorus.http.host", "127.0.0.1");
        p.setProperty("chorus.http.port", "0");
        p.setProperty("chorus.media.port", "0");
        p.setProperty("chorus.media.workers", "1");
        overrides.forEach(p::setProperty);
        ChorusServer server =
                new ChorusServer(ConfigLoader.load(null, Map.of(), p).config());
        server.start().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        return server;
    }

    @Test
    void selfSignedCertificateServesHttpsAndWssAndIsReused(Vertx vertx) throws Exception {
        Map<String, String> tls = Map.of(
                "chorus.http.tls.enabled",
                "true",
                "chorus.data-dir",
                dataDir.toString(),
                "chorus.ice.turn-urls.0",
                "turn:127.0.0.1:3478?transport=udp",
                "chorus.ice.turn-secret",
                "north",
                "chorus.ice.turn-credential-lifetime",
                "10m");
        Path certFile = dataDir.resolve("tls").resolve(TlsCertificate.CERT_FILE);
        byte[] firstCert;
        String firstFingerprint;

        ChorusServer server = start(tls);
        try {
            assertEquals("https", server.scheme());
            assertTrue(Files.isRegularFile(certFile), "certificate kept in the data directory");
            assertTrue(Files.isRegularFile(dataDir.resolve("tls").resolve(TlsCertificate.KEY_FILE)));
            firstCert = Files.readAllBytes(certFile);
            firstFingerprint = server.tlsCertificate().sha256Fingerprint();
            assertEquals(32 * 3 - 1, firstFingerprint.length(), firstFingerprint);

            // https, by a client that trusts exactly that certificate (and checks the name). The page
            // itself lives in the web module (its TLS test GETs it); here /health answers.
            HttpClient https = HttpClient.newBuilder()
                    .sslContext(trusting(certFile))
                    .connectTimeout(Duration.ofSeconds(10))
                    .build();
            HttpResponse<String> page = https.send(
                    HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.httpPort() + "/health"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, page.statusCode());
            assertEquals("UP", new JsonObject(page.body()).getString("status"));
            SSLSession session = page.sslSession().orElseThrow();
            X509Certificate served = (X509Certificate) session.getPeerCertificates()[0];
            assertEquals(firstFingerprint, TlsCertificate.fingerprint(served));

            // wss: join and get the TURN credentials minted for this participant.
            WsTestClient client = WsTestClient.connect(
                    vertx,
                    server.httpPort(),
                    new WebSocketClientOptions()
                            .setSsl(true)
                            .setVerifyHost(true)
                            .setTrustOptions(new PemTrustOptions().addCertPath(certFile.toString())));
            long before = System.currentTimeMillis() / 1000;
            JsonObject joined = client.join("standup", "Ada");
            long after = System.currentTimeMillis() / 1000;
            assertEquals("joined", joined.getString("type"), joined.encode());
            String id = joined.getJsonObject("you").getString("id");
            JsonArray iceServers = joined.getJsonArray("iceServers");
            assertEquals(1, iceServers.size(), iceServers.encode());
            JsonObject turn = iceServers.getJsonObject(0);
            assertEquals(new JsonArray().add("turn:127.0.0.1:3478?transport=udp"), turn.getJsonArray("urls"));
            String username = turn.getString("username");
            String[] parts = username.split(":", 2);
            assertEquals(id, parts[1]);
            long expiry = Long.parseLong(parts[0]);
            assertTrue(expiry >= before + 600 && expiry <= after + 600, "expiry " + expiry + " = now + 10 min");
            assertEquals(hmacSha1Base64("north", username), turn.getString("credential"));
            client.close();
        } finally {
            server.stopAndWait(Duration.ofSeconds(10));
        }

        ChorusServer again = start(tls);
        try {
            assertArrayEquals(firstCert, Files.readAllBytes(certFile), "the certificate file is reused, not remade");
            assertEquals(firstFingerprint, again.tlsCertificate().sha256Fingerprint());
            HttpClient https =
                    HttpClient.newBuilder().sslContext(trusting(certFile)).build();
            HttpResponse<String> health = https.send(
                    HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + again.httpPort() + "/health"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode());
            assertEquals(firstFingerprint, TlsCertificate.fingerprint((X509Certificate)
                    health.sslSession().orElseThrow().getPeerCertificates()[0]));
        } finally {
            again.stopAndWait(Duration.ofSeconds(10));
        }
    }

    /** A configured PEM pair is served as is and nothing is generated. */
    @Test
    void configuredCertificateIsServed() throws Exception {
        // Make a pair with the generator into another directory and configure it by path.
        Path own = dataDir.resolve("own");
        Properties makerConfig = new Properties();
        makerConfig.setProperty("chorus.http.tls.enabled", "true");
        makerConfig.setProperty("chorus.data-dir", own.toString());
        TlsCertificate.resolve(ConfigLoader.load(null, Map.of(), makerConfig).config());
        Path cert = own.resolve("tls").resolve(TlsCertificate.CERT_FILE);
        Path key = own.resolve("tls").resolve(TlsCertificate.KEY_FILE);
        Path unused = dataDir.resolve("unused");

        ChorusServer server = start(Map.of(
                "chorus.http.tls.enabled",
                "true",
                "chorus.data-dir",
                unused.toString(),
                "chorus.http.tls.cert",
                cert.toString(),
                "chorus.http.tls.key",
                key.toString()));
        try {
            assertTrue(!Files.exists(unused.resolve("tls")), "nothing generated when a certificate is configured");
            HttpClient https =
                    HttpClient.newBuilder().sslContext(trusting(cert)).build();
            HttpResponse<String> health = https.send(
                    HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.httpPort() + "/health"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode());
            assertEquals(TlsCertificate.fingerprint(read(cert)), TlsCertificate.fingerprint((X509Certificate)
                    health.sslSession().orElseThrow().getPeerCertificates()[0]));
        } finally {
            server.stopAndWait(Duration.ofSeconds(10));
        }
    }

    @Test
    void missingConfiguredCertificateFailsStartWithThePath() {
        Path missing = dataDir.resolve("nope.pem");
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(
                Exception.class,
                () -> start(Map.of(
                        "chorus.http.tls.enabled",
                        "true",
                        "chorus.http.tls.cert",
                        missing.toString(),
                        "chorus.http.tls.key",
                        missing.toString())));
        String message = String.valueOf(e.getCause() != null ? e.getCause().getMessage() : e.getMessage());
        assertTrue(message.contains("nope.pem"), message);
    }

    private static X509Certificate read(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    private static SSLContext trusting(Path pem) throws Exception {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        store.setCertificateEntry("chorus", read(pem));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    private static String hmacSha1Base64(String secret, String text) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        return Base64.getEncoder().encodeToString(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
    }
}
