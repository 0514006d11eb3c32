package dev.chorus.web.browser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One WebDriver BiDi session over the JDK's WebSocket client: commands out as {@code {id, method,
 * params}}, each answered by the message with its id; events ({@code type: "event"}) go to one
 * listener. No driver binary in between (Debian has no geckodriver), and no new dependency.
 *
 * <p>Threads: {@link #send} blocks the calling (test) thread; answers and events arrive on the
 * WebSocket client's thread, which only completes futures and calls the event listener.
 */
final class BidiConnection implements AutoCloseable {
    private final ObjectMapper json = new ObjectMapper();
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final Consumer<JsonNode> onEvent;
    private final WebSocket socket;
    /** Why the connection ended, once it has; every command then fails with it. */
    private volatile String closedBecause;

    private BidiConnection(URI endpoint, Consumer<JsonNode> onEvent, Duration timeout) {
        this.onEvent = onEvent;
        try {
            this.socket = HttpClient.newHttpClient()
                    .newWebSocketBuilder()
                    .connectTimeout(timeout)
                    .buildAsync(endpoint, new Listener())
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted connecting to " + endpoint, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot open the WebDriver BiDi socket " + endpoint, e);
        }
    }

    /** Connects to a browser's BiDi endpoint ({@code ws://host:port/session}). */
    static BidiConnection open(URI endpoint, Consumer<JsonNode> onEvent, Duration timeout) {
        return new BidiConnection(endpoint, onEvent, timeout);
    }

    /**
     * Sends a command and waits for its result; an error answer, a closed socket or no answer within
     * {@code timeout} throws with the method, the error and its message.
     */
    JsonNode send(String method, ObjectNode params, Duration timeout) {
        String ended = closedBecause;
        if (ended != null) throw new IllegalStateException("BiDi " + method + ": connection closed (" + ended + ")");
        long id = ids.incrementAndGet();
        ObjectNode command = json.createObjectNode();
        command.put("id", id);
        command.put("method", method);
        command.set("params", params);
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(id, answer);
        try {
            synchronized (socket) { // one text message at a time: sendText must not overlap
                socket.sendText(command.toString(), true).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            }
            JsonNode reply = answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if ("error".equals(reply.path("type").asText())) {
                throw new BidiException(method + ": " + reply.path("error").asText() + ": "
                        + reply.path("message").asText());
            }
            return reply.path("result");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during BiDi " + method, e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("BiDi " + method + " got no answer within " + timeout.toSeconds() + " s");
        } catch (ExecutionException e) {
            throw new IllegalStateException("BiDi " + method + " failed: " + e.getCause(), e.getCause());
        } finally {
            pending.remove(id);
        }
    }

    ObjectNode params() {
        return json.createObjectNode();
    }

    private void received(String text) {
        JsonNode message;
        try {
            message = json.readTree(text);
        } catch (Exception e) {
            System.err.println("firefox: unreadable BiDi message: " + text);
            return;
        }
        if ("event".equals(message.path("type").asText())) {
            try {
                onEvent.accept(message);
            } catch (RuntimeException e) {
                System.err.println("firefox: BiDi event listener failed: " + e);
            }
            return;
        }
        CompletableFuture<JsonNode> waiting = pending.get(message.path("id").asLong(-1));
        if (waiting != null) {
            waiting.complete(message);
        } else if ("error".equals(message.path("type").asText())) {
            System.err.println("firefox: BiDi error without a command: " + text);
        }
    }

    private void ended(String why) {
        closedBecause = why;
        IllegalStateException e = new IllegalStateException("BiDi connection closed: " + why);
        pending.values().forEach(f -> f.completeExceptionally(e));
    }

    /** Closes the socket (the browser may already be gone). Never throws. */
    @Override
    public void close() {
        if (closedBecause == null) ended("closed by the test");
        socket.abort();
    }

    /** A command the browser answered with an error (e.g. a script that threw). */
    static final class BidiException extends RuntimeException {
        BidiException(String message) {
            super(message);
        }
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                received(text);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            ended("closed by the browser (" + statusCode + " " + reason + ")");
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            ended(String.valueOf(error));
        }
    }
}
