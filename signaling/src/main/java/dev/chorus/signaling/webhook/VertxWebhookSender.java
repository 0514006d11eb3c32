package dev.chorus.signaling.webhook;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.util.Map;
import java.util.function.Consumer;

/**
 * POSTs with Vert.x's own HTTP client (vertx-core: no extra library). Called on the webhook context, so the
 * client's callbacks and the timeout timer complete there too, as {@link WebhookDispatcher} needs.
 */
final class VertxWebhookSender implements WebhookDispatcher.Sender {

    /** Connections per receiver host; requests beyond wait in the pool (one per room lane at most). */
    private static final int CONNECTIONS_PER_HOST = 8;

    private final Vertx vertx;
    private final HttpClient client;
    private final long timeoutMillis;

    VertxWebhookSender(Vertx vertx, long timeoutMillis) {
        this.vertx = vertx;
        this.timeoutMillis = timeoutMillis;
        this.client = vertx.createHttpClient(
                new HttpClientOptions()
                        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMillis))
                        // https receivers: the JDK's trusted CAs, the host name checked, SNI sent (a
                        // receiver behind a CDN or a shared proxy needs it).
                        .setVerifyHost(true)
                        .setForceSni(true)
                        .setName("chorus-webhooks"),
                new PoolOptions().setHttp1MaxSize(CONNECTIONS_PER_HOST));
    }

    @Override
    public void post(URI url, Map<String, String> headers, String body, Consumer<WebhookDispatcher.Result> done) {
        Attempt attempt = new Attempt(done);
        // One deadline for the whole exchange: connecting, waiting in the pool, sending and the answer.
        long timer = vertx.setTimer(timeoutMillis, id -> {
            attempt.finish(WebhookDispatcher.Result.error("no answer within " + timeoutMillis + " ms"));
            if (attempt.request != null) {
                attempt.request.reset();
            }
        });
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setAbsoluteURI(url.toString())
                .setFollowRedirects(false);
        headers.forEach(options::putHeader);
        client.request(options)
                .compose(request -> {
                    attempt.request = request;
                    return request.send(body);
                })
                // Read the answer to its end (and drop it) so the connection can be reused.
                .compose(response -> response.end().map(v -> response.statusCode()))
                .onComplete(ar -> {
                    vertx.cancelTimer(timer);
                    attempt.finish(
                            ar.succeeded()
                                    ? WebhookDispatcher.Result.status(ar.result())
                                    : WebhookDispatcher.Result.error(String.valueOf(ar.cause())));
                });
    }

    void close() {
        client.close();
    }

    /** One POST's state on the webhook context: {@code done} is called once, by the answer or the deadline. */
    private static final class Attempt {
        final Consumer<WebhookDispatcher.Result> done;
        HttpClientRequest request;
        boolean finished;

        Attempt(Consumer<WebhookDispatcher.Result> done) {
            this.done = done;
        }

        void finish(WebhookDispatcher.Result result) {
            if (!finished) {
                finished = true;
                done.accept(result);
            }
        }
    }
}
