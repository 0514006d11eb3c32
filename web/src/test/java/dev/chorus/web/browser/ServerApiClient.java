package dev.chorus.web.browser;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Date;
import java.util.Map;

/** Calls a test server's API as an application's backend would: a fresh HS256 bearer token per call. */
final class ServerApiClient {
    static final String KEY = "app";
    static final String SECRET = "browser-test-api-secret-of-32-bytes";

    private final TestServer server;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    ServerApiClient(TestServer server) {
        this.server = server;
    }

    /** The server settings that turn the API on with this client's key and secret. */
    static Map<String, String> settings() {
        return Map.of("chorus.api.key", KEY, "chorus.api.secret", SECRET);
    }

    /** One call; {@code body} null for none. */
    HttpResponse<String> call(String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = request(path)
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A GET whose answer is a file. */
    HttpResponse<byte[]> download(String path) throws IOException, InterruptedException {
        return http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(server.url(path)))
                .timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + bearer());
    }

    private static String bearer() {
        long now = System.currentTimeMillis();
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(KEY).build(),
                new JWTClaimsSet.Builder()
                        .issueTime(new Date(now))
                        .expirationTime(new Date(now + 60_000))
                        .build());
        try {
            jwt.sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }
}
