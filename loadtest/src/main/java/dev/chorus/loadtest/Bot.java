package dev.chorus.loadtest;

import dev.chorus.sfu.codec.MediaKind;
import dev.chorus.sfu.sdp.Direction;
import dev.chorus.sfu.transport.DtlsCertificate;
import dev.chorus.sfu.transport.TransportConfig;
import dev.chorus.testkit.peer.NativePeer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One native participant: signaling over a WebSocket (Vert.x, callbacks on one event loop), media through a
 * {@link NativePeer}. Like a browser it joins, offers (publishers: one audio + one video line if the
 * profile has video; everyone: receive lines for the room's other publishers), applies the answer and the
 * trickled candidates, and re-offers when the server asks. It starts no thread of its own for sending:
 * the shared {@link Pacer} sends its media (publishers) and its receiver reports (every bot) once the
 * server reports the media transport connected.
 */
final class Bot {
    enum State {
        NEW,
        CONNECTING,
        JOINING,
        NEGOTIATING,
        CONNECTED,
        FAILED,
        CLOSED
    }

    final int index;
    final String room;
    final String name;
    final boolean publisher;
    final BotReceiver receiver;
    private final Profile profile;
    private final int roomPublishers;

    private volatile State state = State.NEW;
    private volatile String failure;
    private volatile NativePeer peer;
    private volatile WebSocket ws;
    private volatile long startNanos;
    private volatile long connectedAfterNanos;

    // signaling state: event loop only
    private int wantAudio;
    private int wantVideo;
    private boolean offerOutstanding;
    private boolean offerAgain;
    private int nextId = 1;

    Bot(int index, String room, String name, boolean publisher, Profile profile, int roomPublishers) {
        this.index = index;
        this.room = room;
        this.name = name;
        this.publisher = publisher;
        this.profile = profile;
        this.roomPublishers = roomPublishers;
        int others = publisher ? roomPublishers - 1 : roomPublishers;
        this.receiver = new BotReceiver(others * (profile.hasVideo() ? 2 : 1));
        this.wantAudio = others;
        this.wantVideo = profile.hasVideo() ? others : 0;
    }

    /**
     * Creates the peer (blocking: binds a UDP socket) and connects the WebSocket; the rest runs on the
     * event loop of {@code context}. Failures end in {@link State#FAILED}, never in an exception.
     */
    void start(WebSocketClient client, URI wsUri, TransportConfig transport, DtlsCertificate cert, Pacer pacer) {
        startNanos = System.nanoTime();
        state = State.CONNECTING;
        try {
            NativePeer p = NativePeer.create(transport, cert, name);
            p.stampSendTimes(System::nanoTime);
            p.onRtp(receiver);
            peer = p;
        } catch (Exception e) {
            fail("peer: " + e);
            return;
        }
        WebSocketConnectOptions options = new WebSocketConnectOptions()
                .setHost(wsUri.getHost().replace("[", "").replace("]", ""))
                .setPort(
                        wsUri.getPort() > 0
                                ? wsUri.getPort()
                                : (wsUri.getScheme().equals("wss") ? 443 : 80))
                .setSsl(wsUri.getScheme().equals("wss"))
                .setURI(wsUri.getRawPath())
                .setTimeout(10_000);
        client.connect(options).onComplete(ar -> {
            if (ar.failed()) {
                fail("websocket: " + ar.cause());
                return;
            }
            WebSocket socket = ar.result();
            ws = socket;
            if (state == State.CLOSED) {
                socket.close();
                return;
            }
            socket.textMessageHandler(text -> onMessage(new JsonObject(text), pacer));
            socket.closeHandler(v -> {
                if (state != State.CLOSED) {
                    fail("websocket closed by the server (" + socket.closeStatusCode() + " " + socket.closeReason()
                            + ")");
                }
            });
            socket.exceptionHandler(e -> fail("websocket: " + e));
            state = State.JOINING;
            receiver.joinSent(System.nanoTime());
            send(new JsonObject()
                    .put("type", "join")
                    .put("id", nextId++)
                    .put("room", room)
                    .put("name", name));
        });
    }

    private void onMessage(JsonObject m, Pacer pacer) {
        if (state == State.CLOSED || state == State.FAILED) {
            return;
        }
        try {
            switch (m.getString("type", "")) {
                case "joined" -> {
                    state = State.NEGOTIATING;
                    offer();
                }
                case "answer" -> {
                    NativePeer p = peer;
                    p.applyAnswer(m.getString("sdp"));
                    receiver.ignore(rtxSsrcs(p));
                    offerOutstanding = false;
                    if (offerAgain) {
                        offerAgain = false;
                        offer();
                    }
                }
                case "candidate" -> {
                    String c = m.getString("candidate");
                    if (c != null && !c.isEmpty()) {
                        peer.addRemoteCandidate(c);
                    }
                }
                case "renegotiate" -> {
                    wantAudio = Math.max(wantAudio, m.getInteger("audio", 0));
                    wantVideo = Math.max(wantVideo, m.getInteger("video", 0));
                    if (offerOutstanding) {
                        offerAgain = true;
                    } else {
                        offer();
                    }
                }
                case "media-state" -> {
                    if ("connected".equals(m.getString("state"))) {
                        if (state != State.CONNECTED) {
                            connectedAfterNanos = System.nanoTime() - startNanos;
                            state = State.CONNECTED;
                            pacer.add(this);
                        }
                    } else if ("failed".equals(m.getString("state"))) {
                        fail("media " + m.getString("reason"));
                    }
                }
                case "error" -> {
                    String what = "server error " + m.getString("code") + ": " + m.getString("message");
                    if (state == State.JOINING || "bad_sdp".equals(m.getString("code"))) {
                        fail(what);
                    }
                }
                case "left" -> fail("removed by the server (" + m.getString("reason") + ")");
                default -> {
                    // welcome, participant-joined/left, mute, chat: nothing to do
                }
            }
        } catch (Exception e) {
            fail(m.getString("type") + ": " + e);
        }
    }

    private void offer() {
        NativePeer p = peer;
        int sendVideo = publisher && profile.hasVideo() ? 1 : 0;
        String sdp = p.createOffer(
                publisher ? 1 : 0,
                sendVideo,
                Math.max(wantAudio, p.mids(MediaKind.AUDIO, Direction.RECVONLY).size()),
                Math.max(wantVideo, p.mids(MediaKind.VIDEO, Direction.RECVONLY).size()));
        JsonObject sources = new JsonObject();
        p.mids(MediaKind.AUDIO, Direction.SENDONLY).forEach(mid -> sources.put(mid, "mic"));
        p.mids(MediaKind.VIDEO, Direction.SENDONLY).forEach(mid -> sources.put(mid, "camera"));
        send(new JsonObject()
                .put("type", "offer")
                .put("id", nextId++)
                .put("sdp", sdp)
                .put("sources", sources));
        offerOutstanding = true;
    }

    private static long[] rtxSsrcs(NativePeer p) {
        List<Long> out = new ArrayList<>();
        for (MediaKind kind : MediaKind.values()) {
            for (String mid : p.mids(kind, Direction.RECVONLY)) {
                p.remoteLine(mid).ifPresent(l -> l.rtxSsrc().ifPresent(out::add));
            }
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    private void send(JsonObject m) {
        WebSocket socket = ws;
        if (socket != null && !socket.isClosed()) {
            socket.writeTextMessage(m.encode());
        }
    }

    private void fail(String why) {
        if (state == State.CLOSED || state == State.FAILED) {
            return;
        }
        failure = why;
        state = State.FAILED;
    }

    /**
     * Fails the bot if it started more than {@code timeoutNanos} before {@code nowNanos} and its media is not
     * connected yet, naming the step it is stuck in, so a stuck join is counted and explained instead of
     * waiting forever. Called by the sampler thread.
     */
    void failIfNotConnectedWithin(long nowNanos, long timeoutNanos) {
        State s = state;
        if ((s == State.CONNECTING || s == State.JOINING || s == State.NEGOTIATING)
                && nowNanos - startNanos > timeoutNanos) {
            NativePeer p = peer;
            fail("not connected within " + TimeUnit.NANOSECONDS.toSeconds(timeoutNanos) + " s (stuck in " + s
                    + (p == null ? "" : ", transport " + p.lastEvent()) + ")");
        }
    }

    /** Leaves, closes the socket and the peer. Idempotent; quick (no waiting for answers). */
    void close() {
        State before = state;
        state = State.CLOSED;
        WebSocket socket = ws;
        if (socket != null && !socket.isClosed()) {
            if (before != State.FAILED) {
                socket.writeTextMessage(new JsonObject().put("type", "leave").encode());
            }
            socket.close();
        }
        NativePeer p = peer;
        if (p != null) {
            p.close();
        }
    }

    State state() {
        return state;
    }

    String failure() {
        return failure;
    }

    NativePeer peer() {
        return peer;
    }

    /** Start to server-reported media connection, nanoseconds; 0 until then. */
    long connectedAfterNanos() {
        return connectedAfterNanos;
    }

    Profile profile() {
        return profile;
    }

    int roomPublishers() {
        return roomPublishers;
    }
}
