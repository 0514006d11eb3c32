package dev.chorus.loadtest;

import dev.chorus.sfu.codec.MediaKind;
import dev.chorus.sfu.sdp.Direction;
import dev.chorus.sfu.transport.DtlsCertificate;
import dev.chorus.sfu.transport.TransportConfig;
import dev.chorus.testkit.peer.NativePeer;
import dev.chorus.testkit.peer.RemoteLine;
import dev.chorus.testkit.peer.SimulcastOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One native participant: signaling over a WebSocket (Vert.x, callbacks on one event loop), media through a
 * {@link NativePeer}. Like a browser it joins, offers (publishers: one audio + one video line if the
 * profile has video, the video as three simulcast layers with {@code --simulcast}; everyone: receive lines
 * for the room's other publishers), applies the answer and the trickled candidates, reports its view size
 * for every received video after each answer (with {@code --view}, and with {@code --last-n} the most videos
 * it wants), re-offers when the server asks, turns its simulcast layers on and off as the server's
 * {@code layers} say (dynacast), and records the server's {@code speaker} and {@code video-paused} messages.
 * It starts no thread of its own for sending:
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

    /** At most this many lines per {@code view} message ({@code signaling/PROTOCOL.md}). */
    static final int MAX_VIEW_ENTRIES = 256;

    final int index;
    final String room;
    final String name;
    final boolean publisher;
    final BotReceiver receiver;
    private final Profile profile;
    private final int roomPublishers;
    private final boolean simulcast;
    private final LoadTestConfig.ViewSize view;
    /** This publisher's place among its room's publishers (who speaks when), -1 for a subscriber. */
    final int publisherOrdinal;

    private final Speech speech;
    private final int lastN;

    private volatile State state = State.NEW;
    private volatile String failure;
    private volatile NativePeer peer;
    /** A receive-only bot's transport decrypts one RTP packet in this many per SSRC (see BotReceiver). */
    private volatile int decryptOneIn = 1;

    private volatile WebSocket ws;
    /** Cluster mode: joins of this bot the server redirected to another node (the page's limit: 3 in a row). */
    private int redirects;

    private WebSocketClient client;
    private volatile long startNanos;
    private volatile long connectedAfterNanos;
    /** The welcome's media.simulcastFrom (0: the server takes no simulcast); -1 until the welcome. */
    private volatile int serverSimulcastFrom = -1;

    private volatile boolean simulcastAccepted;
    private volatile long viewMessagesSent;
    private volatile long serverErrors;
    private volatile String participantId;
    private volatile Set<String> pausedMids = Set.of();
    private volatile long layersMessages;
    /** A broadcast room's viewer ({@code --broadcast}): joins with role viewer. */
    private volatile boolean viewer;
    /** Presence messages received (participant-joined/left, viewers): what a crowd costs each member. */
    private volatile long presenceMessages;
    /** The {@code speaker} messages received. */
    private final SpeakerLog speakers = new SpeakerLog();
    /** Token and last message number for resuming after {@link #dropSignaling}; drops and resumes. */
    final BotResume resume = new BotResume();

    private volatile Pacer pacer;

    // signaling state: event loop only
    private int wantAudio;
    private int wantVideo;
    private boolean offerOutstanding;
    private boolean offerAgain;
    private int nextId = 1;

    Bot(int index, String room, String name, boolean publisher, Profile profile, int roomPublishers) {
        this(index, room, name, publisher, profile, roomPublishers, false, null);
    }

    Bot(
            int index,
            String room,
            String name,
            boolean publisher,
            Profile profile,
            int roomPublishers,
            boolean simulcast,
            LoadTestConfig.ViewSize view) {
        this(index, room, name, publisher, profile, roomPublishers, simulcast, view, -1, null, 0);
    }

    /**
     * @param simulcast a publisher offers its video as {@link SimulcastOptions#DEFAULT} layers whose key frames
     *                  announce the profile's size at the top
     * @param view      after each answer, the size to report for every received video line; null: none
     * @param publisherOrdinal this publisher's place among its room's publishers, -1 for a subscriber
     * @param speech    who speaks when; null: this bot's audio is silence, 50 packets a second
     * @param lastN     the most videos to ask for (a {@code view} message's lastN); 0: the server's
     */
    Bot(
            int index,
            String room,
            String name,
            boolean publisher,
            Profile profile,
            int roomPublishers,
            boolean simulcast,
            LoadTestConfig.ViewSize view,
            int publisherOrdinal,
            Speech speech,
            int lastN) {
        this.simulcast = simulcast && publisher && profile.hasVideo();
        this.view = view;
        this.publisherOrdinal = publisher ? publisherOrdinal : -1;
        this.speech = speech;
        this.lastN = lastN;
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
        this.pacer = pacer;
        startNanos = System.nanoTime();
        state = State.CONNECTING;
        try {
            NativePeer p = NativePeer.create(transport, cert, name);
            p.stampSendTimes(System::nanoTime);
            if (simulcast) {
                p.videoFrameSize(profile.frameWidth(), profile.frameHeight());
            }
            p.onRtp(receiver);
            if (!publisher && decryptOneIn > 1) {
                p.transport().decryptRtpOneIn(decryptOneIn); // publishers keep everything: they answer NACKs, PLIs
            }
            peer = p;
        } catch (Exception e) {
            fail("peer: " + e);
            return;
        }
        this.client = client;
        connectAndJoin(wsUri);
    }

    private void connectAndJoin(URI wsUri) {
        connect(client, wsUri, () -> {
            state = State.JOINING;
            receiver.joinSent(System.nanoTime());
            JsonObject join = new JsonObject()
                    .put("type", "join")
                    .put("id", nextId++)
                    .put("room", room)
                    .put("name", name)
                    .put("role", viewer ? "viewer" : "participant");
            send(redirects > 0 ? join.put("redirects", redirects) : join);
        });
    }

    /**
     * Drops the signaling socket as a network would (close code 4000: neither 1000 nor 1001, so the server
     * keeps the participant for its grace period); media goes on. {@link #resume} takes the participant back.
     */
    void dropSignaling() {
        WebSocket socket = ws;
        if (socket != null && state == State.CONNECTED) {
            resume.dropping(socket);
            socket.close((short) 4000, "dropped");
        }
    }

    /** On a new socket, resumes the participant whose socket {@link #dropSignaling} dropped. */
    void resume(WebSocketClient client, URI wsUri) {
        connect(client, wsUri, () -> {
            JsonObject m = resume.message(nextId++);
            if (m == null) {
                fail("no resume token (resume off on the server?)");
            } else {
                send(m);
            }
        });
    }

    /** Connects a WebSocket, installs the handlers and runs {@code first} on its event loop. */
    private void connect(WebSocketClient client, URI wsUri, Runnable first) {
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
                if (state != State.CLOSED && !resume.droppedOnPurpose(socket)) {
                    fail("websocket closed by the server (" + socket.closeStatusCode() + " " + socket.closeReason()
                            + ")");
                }
            });
            socket.exceptionHandler(e -> {
                if (!resume.droppedOnPurpose(socket)) {
                    fail("websocket: " + e);
                }
            });
            first.run();
        });
    }

    private void onMessage(JsonObject m, Pacer pacer) {
        if (state == State.CLOSED || state == State.FAILED) {
            return;
        }
        try {
            resume.note(m);
            switch (m.getString("type", "")) {
                case "resumed" -> {
                    resume.resumed(m);
                    if (offerOutstanding) { // its answer may have been lost with the old socket
                        offerOutstanding = false;
                        offerAgain = false;
                        offer();
                    }
                }
                case "joined" -> {
                    JsonObject you = m.getJsonObject("you");
                    participantId = you == null ? null : you.getString("id");
                    state = State.NEGOTIATING;
                    offer();
                }
                case "answer" -> {
                    NativePeer p = peer;
                    p.applyAnswer(m.getString("sdp"));
                    receiver.ignore(PeerLines.rtxSsrcs(p));
                    if (simulcast) {
                        simulcastAccepted = PeerLines.simulcastAccepted(p);
                    }
                    if (view != null || lastN > 0) {
                        sendView(p);
                    }
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
                case "welcome" -> {
                    JsonObject media = m.getJsonObject("media");
                    serverSimulcastFrom = media == null ? 0 : media.getInteger("simulcastFrom", 0);
                }
                case "error" -> {
                    serverErrors++;
                    String what = "server error " + m.getString("code") + ": " + m.getString("message");
                    if (state == State.JOINING || "bad_sdp".equals(m.getString("code"))) {
                        fail(what);
                    }
                }
                case "speaker" -> speakers.add(System.nanoTime(), m.getString("id"));
                case "video-paused" ->
                    pausedMids = Set.copyOf(m.getJsonArray("mids").getList().stream()
                            .map(String::valueOf)
                            .toList());
                case "layers" -> followLayers(m);
                case "left" -> fail("removed by the server (" + m.getString("reason") + ")");
                case "redirect" -> followRedirect(m);
                case "participant-joined", "participant-left", "viewers" -> presenceMessages++;
                default -> {
                    // mute, chat: nothing to do
                }
            }
        } catch (Exception e) {
            fail(m.getString("type") + ": " + e);
        }
    }

    /** Cluster mode: the room is served on another node; join there, as the page does (at most 3 times). */
    private void followRedirect(JsonObject m) {
        String url = m.getString("url", "");
        if (++redirects > 3 || !(url.startsWith("http://") || url.startsWith("https://"))) {
            fail("redirect " + redirects + " to '" + url + "' not followed");
            return;
        }
        resume.dropping(ws); // the server closes this socket (4002): expected
        connectAndJoin(URI.create(url.replaceFirst("^http", "ws") + "/ws"));
    }

    private void offer() {
        NativePeer p = peer;
        int sendVideo = publisher && profile.hasVideo() ? 1 : 0;
        int recvAudio =
                Math.max(wantAudio, p.mids(MediaKind.AUDIO, Direction.RECVONLY).size());
        int recvVideo =
                Math.max(wantVideo, p.mids(MediaKind.VIDEO, Direction.RECVONLY).size());
        String sdp = simulcast
                ? p.createOffer(publisher ? 1 : 0, sendVideo, recvAudio, recvVideo, SimulcastOptions.DEFAULT)
                : p.createOffer(publisher ? 1 : 0, sendVideo, recvAudio, recvVideo);
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

    /**
     * Dynacast: turns the layers of line {@code mid} on and off as the server says, as the web client does
     * with {@code encodings[i].active}. A layer the message does not mention keeps its state.
     */
    private void followLayers(JsonObject m) {
        io.vertx.core.json.JsonArray active = m.getJsonArray("active");
        var stream = peer.sendStream(m.getString("mid"));
        for (int i = 0; i < Math.min(active.size(), stream.layers().size()); i++) {
            stream.layer(i).setActive(active.getBoolean(i));
        }
        layersMessages++;
    }

    /**
     * The level of this bot's audio packet number {@code packet}, sent at {@code nanos} (pacer thread): 0..127
     * as -dBov, or {@link Speech#SKIP} for a packet Opus DTX would not send.
     */
    int audioLevel(long nanos, long packet) {
        Speech s = speech;
        return s == null || publisherOrdinal < 0
                ? Speech.SILENT
                : s.level(publisherOrdinal, roomPublishers, nanos, packet);
    }

    /**
     * Tells the server that every video line it sends us on is shown at {@link #view}: one {@code view}
     * message, or several of at most {@link #MAX_VIEW_ENTRIES} lines each (the protocol's bound).
     */
    private void sendView(NativePeer p) {
        JsonObject videos = new JsonObject();
        if (view == null) {
            sendViewMessage(videos); // last-N only
            return;
        }
        for (String mid : p.mids(MediaKind.VIDEO, Direction.RECVONLY)) {
            if (p.remoteLine(mid).map(RemoteLine::sfuSends).orElse(false)) {
                videos.put(mid, new JsonObject().put("width", view.width()).put("height", view.height()));
                if (videos.size() == MAX_VIEW_ENTRIES) {
                    sendViewMessage(videos);
                    videos = new JsonObject();
                }
            }
        }
        if (!videos.isEmpty()) {
            sendViewMessage(videos);
        }
    }

    private void sendViewMessage(JsonObject videos) {
        JsonObject m = new JsonObject().put("type", "view").put("videos", videos);
        if (lastN > 0) {
            m.put("lastN", lastN);
        }
        send(m);
        viewMessagesSent++;
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

    /** Before {@link #start}: a subscriber decrypts one RTP packet in {@code n} (1: all); publishers ignore it. */
    void decryptOneIn(int n) {
        this.decryptOneIn = n;
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

    /** Whether the room has video for this bot to receive (another publisher, and a profile with video). */
    boolean receivesVideo() {
        return profile.hasVideo() && (publisher ? roomPublishers - 1 : roomPublishers) > 0;
    }

    /** Whether this bot publishes its video as simulcast layers. */
    boolean simulcast() {
        return simulcast;
    }

    /** The server's welcome.media.simulcastFrom (0: it takes no simulcast), -1 before the welcome. */
    int serverSimulcastFrom() {
        return serverSimulcastFrom;
    }

    /** A simulcast publisher: whether the last answer took its layers (the rid extension was accepted). */
    boolean simulcastAccepted() {
        return simulcastAccepted;
    }

    /** The participant id the server gave this bot ({@code joined}), null before. */
    String participantId() {
        return participantId;
    }

    /** The receiving lines whose video the server says it pauses (its last {@code video-paused}). */
    Set<String> pausedMids() {
        return pausedMids;
    }

    long layersMessages() {
        return layersMessages;
    }

    /** Makes this subscriber join as a broadcast room's viewer (or not); returns this bot. */
    Bot asViewer(boolean asViewer) {
        this.viewer = asViewer && !publisher;
        return this;
    }

    long presenceMessages() {
        return presenceMessages;
    }

    /** {@code speaker} messages received so far. */
    int speakerEvents() {
        return speakers.events();
    }

    /**
     * When this bot first heard that {@code id} holds the floor at or after {@code fromNanos} and before
     * {@code toNanos}, or -1. Read after the run (the event loop has stopped writing).
     */
    long firstSpeakerNanos(String id, long fromNanos, long toNanos) {
        return speakers.first(id, fromNanos, toNanos);
    }

    long viewMessagesSent() {
        return viewMessagesSent;
    }

    /** Error messages the server sent this bot (the ones that did not fail it included). */
    long serverErrors() {
        return serverErrors;
    }

    /** See {@link PeerLines#videoBytesReceived}. */
    long videoBytesReceived() {
        return PeerLines.videoBytesReceived(peer);
    }

    /** See {@link PeerLines#countReceivedVideoLayers}. */
    void countReceivedVideoLayers(long[] counts) {
        PeerLines.countReceivedVideoLayers(peer, counts);
    }
}
