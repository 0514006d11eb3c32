package dev.chorus.loadtest;

import io.vertx.core.http.WebSocket;
import io.vertx.core.json.JsonObject;

/**
 * What a native bot needs to resume after dropping its signaling socket (signaling/PROTOCOL.md, "Resume"):
 * the current resume token (from {@code joined}, then each {@code resumed}), the {@code msgSeq} of the last
 * numbered message it processed, and which socket it dropped on purpose (so that socket's close is no
 * failure). Counts drops and resumes for the soak's report. Written on the bot's event loop, except
 * {@link #dropping}, which the caller of the drop sets first.
 */
final class BotResume {
    private volatile String token;
    private volatile long lastMsgSeq;
    private volatile WebSocket dropped;
    private volatile long drops;
    private volatile long resumes;
    /** nanoTime of the last drop, and how long its resume took (ns); -1 while one is pending. */
    private volatile long droppedAtNanos;

    private volatile long lastResumeNanos = -1;

    /** Notes a server message's msgSeq and, on joined/resumed, the next token. */
    void note(JsonObject m) {
        Long seq = m.getLong("msgSeq");
        if (seq != null) {
            lastMsgSeq = seq;
        }
        JsonObject r = m.getJsonObject("resume");
        if (r != null && r.getString("token") != null) {
            token = r.getString("token");
        }
    }

    /** Marks {@code socket} as dropped on purpose, before it is closed. */
    void dropping(WebSocket socket) {
        dropped = socket;
        droppedAtNanos = System.nanoTime();
        lastResumeNanos = -1;
        drops++;
    }

    boolean droppedOnPurpose(WebSocket socket) {
        return socket != null && socket == dropped;
    }

    /** The server's {@code resumed}: the bot is the same participant again. */
    void resumed(JsonObject m) {
        note(m);
        lastResumeNanos = System.nanoTime() - droppedAtNanos;
        resumes++;
    }

    /** The {@code resume} message for a new socket, or null when the server gave no token (resume off). */
    JsonObject message(int id) {
        String t = token;
        return t == null
                ? null
                : new JsonObject()
                        .put("type", "resume")
                        .put("id", id)
                        .put("token", t)
                        .put("lastMsgSeq", lastMsgSeq);
    }

    long drops() {
        return drops;
    }

    long resumes() {
        return resumes;
    }

    /** From the last drop to its {@code resumed}, nanoseconds; -1 while waiting. */
    long lastResumeNanos() {
        return lastResumeNanos;
    }
}
