package dev.chorus.signaling.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A blocking WebSocket client for tests: queues every message it receives. */
final class WsTestClient {

    // Generous: a busy 2-core CI machine running browsers next to these tests can stall a few seconds.
    static final long TIMEOUT_MS = 15_000;

    private final ClientWebSocket socket;
    // Vert.x 5 closes a client, and its sockets, once the client object is unreachable.
    private WebSocketClient owner;
    private final LinkedBlockingQueue<JsonObject> inbox = new LinkedBlockingQueue<>();
    private final CompletableFuture<Short> closed = new CompletableFuture<>();

    private WsTestClient(ClientWebSocket socket) {
        this.socket = socket;
        socket.textMessageHandler(text -> inbox.add(new JsonObject(text)));
        socket.closeHandler(v -> closed.complete(socket.closeStatusCode()));
    }

    static WsTestClient connect(Vertx vertx, int port) {
        return connect(vertx, port, new WebSocketClientOptions());
    }

    /** As {@link #connect(Vertx, int)} with client options (e.g. wss and the certificate to trust). */
    static WsTestClient connect(Vertx vertx, int port, WebSocketClientOptions options) {
        // The handlers are set before connecting, so the server's immediate welcome cannot
        // arrive before anyone listens (setting them once connect() completed lost it now and then).
        WebSocketClient owner = vertx.createWebSocketClient(options);
        WsTestClient client = new WsTestClient(owner.webSocket());
        client.owner = owner;
        await(client.socket.connect(port, "127.0.0.1", "/ws"));
        assertEquals("welcome", client.next().getString("type"));
        return client;
    }

    static <T> T await(Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("future did not complete: " + e, e);
        }
    }

    void send(String text) {
        await(socket.writeTextMessage(text));
    }

    void send(JsonObject message) {
        send(message.encode());
    }

    void sendBinary(byte[] bytes) {
        await(socket.writeBinaryMessage(Buffer.buffer(bytes)));
    }

    /** Sends join and returns the answer (joined or error), past any "queued" (the server's join rate). */
    JsonObject join(String room, String name) {
        send(new JsonObject().put("type", "join").put("room", room).put("name", name));
        return answerToJoin();
    }

    private JsonObject answerToJoin() {
        JsonObject m = next();
        while ("queued".equals(m.getString("type"))) {
            m = next();
        }
        return m;
    }

    /** Joins with a role ("participant" or "viewer") and returns the answer. */
    JsonObject join(String room, String name, String role) {
        send(new JsonObject()
                .put("type", "join")
                .put("room", room)
                .put("name", name)
                .put("role", role));
        return answerToJoin();
    }

    /** Every message that arrives within {@code millis}, in order. */
    java.util.List<JsonObject> drain(long millis) {
        java.util.List<JsonObject> messages = new java.util.ArrayList<>();
        long deadline = System.currentTimeMillis() + millis;
        for (JsonObject m = poll(millis); m != null; m = poll(deadline - System.currentTimeMillis())) {
            messages.add(m);
        }
        return messages;
    }

    JsonObject next() {
        try {
            JsonObject message = inbox.poll(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            assertNotNull(message, "no message within " + TIMEOUT_MS + " ms");
            return message;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The next message within {@code millis}, or null. */
    JsonObject poll(long millis) {
        try {
            return inbox.poll(Math.max(0, millis), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The next message, which must be of this type. */
    JsonObject next(String type) {
        JsonObject message = next();
        assertEquals(type, message.getString("type"), "unexpected message " + message);
        return message;
    }

    /** The next error, which must carry this code. */
    JsonObject nextError(String code) {
        JsonObject error = next("error");
        assertEquals(code, error.getString("code"), error.encode());
        return error;
    }

    /** Asserts nothing arrives for a while. */
    void expectSilence(long millis) {
        try {
            JsonObject message = inbox.poll(millis, TimeUnit.MILLISECONDS);
            if (message != null) {
                fail("expected no message, got " + message);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    short awaitClose() {
        try {
            return closed.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("socket not closed within " + TIMEOUT_MS + " ms", e);
        }
    }

    /** Waits for the socket to close, however it closed (a reset connection has no close code). */
    void awaitClosed() {
        try {
            closed.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("socket not closed within " + TIMEOUT_MS + " ms", e);
        }
    }

    void close() {
        socket.close();
    }
}
