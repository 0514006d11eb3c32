package dev.chorus.signaling.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The HTTP side on real sockets (127.0.0.1): statuses, the deadline, and that https checks certificates. */
@ExtendWith(VertxExtension.class)
class VertxWebhookSenderTest {

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    /** Posts from a context of its own, as the dispatcher does, and returns the outcome. */
    private static WebhookDispatcher.Result post(Vertx vertx, VertxWebhookSender sender, String url) throws Exception {
        Promise<WebhookDispatcher.Result> result = Promise.promise();
        vertx.getOrCreateContext()
                .runOnContext(v -> sender.post(
                        URI.create(url), Map.of("Content-Type", "application/json"), "{}", result::complete));
        return await(result.future());
    }

    @Test
    void statusesComeBackAndTheBodyArrives(Vertx vertx) throws Exception {
        StringBuilder got = new StringBuilder();
        HttpServer server = await(vertx.createHttpServer()
                .requestHandler(req -> req.body().onSuccess(b -> {
                    got.append(b);
                    req.response()
                            .setStatusCode(req.path().equals("/ok") ? 204 : 500)
                            .end("nope");
                }))
                .listen(0, "127.0.0.1"));
        VertxWebhookSender sender = new VertxWebhookSender(vertx, 5000);
        String base = "http://127.0.0.1:" + server.actualPort();
        assertEquals(204, post(vertx, sender, base + "/ok").status());
        assertEquals(500, post(vertx, sender, base + "/fail").status());
        assertEquals("{}{}", got.toString());
    }

    @Test
    void aReceiverThatNeverAnswersFailsAtTheDeadline(Vertx vertx) throws Exception {
        HttpServer server =
                await(vertx.createHttpServer().requestHandler(req -> {}).listen(0, "127.0.0.1"));
        WebhookDispatcher.Result r =
                post(vertx, new VertxWebhookSender(vertx, 300), "http://127.0.0.1:" + server.actualPort() + "/");
        assertEquals(-1, r.status());
        assertTrue(r.error().contains("no answer within 300 ms"), r.error());
    }

    @Test
    void noListenerIsAFailureNotAnException(Vertx vertx) throws Exception {
        HttpServer server =
                await(vertx.createHttpServer().requestHandler(req -> {}).listen(0, "127.0.0.1"));
        int port = server.actualPort();
        await(server.close());
        assertEquals(
                -1,
                post(vertx, new VertxWebhookSender(vertx, 2000), "http://127.0.0.1:" + port + "/")
                        .status());
    }

    @Test
    void httpsRefusesACertificateNoOneTrusts(Vertx vertx) throws Exception {
        SelfSignedCertificate cert = SelfSignedCertificate.create("localhost");
        HttpServer server = await(
                vertx.createHttpServer(new HttpServerOptions().setSsl(true).setKeyCertOptions(cert.keyCertOptions()))
                        .requestHandler(req -> req.response().setStatusCode(204).end())
                        .listen(0, "127.0.0.1"));
        WebhookDispatcher.Result r =
                post(vertx, new VertxWebhookSender(vertx, 5000), "https://localhost:" + server.actualPort() + "/");
        assertEquals(-1, r.status(), "a self-signed certificate must not be accepted: " + r);
        assertTrue(r.error().contains("SSLHandshakeException"), r.error());
    }
}
