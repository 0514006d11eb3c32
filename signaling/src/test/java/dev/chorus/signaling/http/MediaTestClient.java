package dev.chorus.signaling.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chorus.sfu.codec.MediaKind;
import dev.chorus.sfu.sdp.Direction;
import dev.chorus.sfu.transport.DtlsCertificate;
import dev.chorus.sfu.transport.TransportConfig;
import dev.chorus.testkit.peer.NativePeer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A participant with media, as a browser behaves: signaling over {@link WsTestClient}, media through
 * a {@link NativePeer}. It offers, answers renegotiation requests once no offer is outstanding,
 * applies trickled candidates, and while pumped sends 50 audio packets/s and 30 video frames/s.
 */
final class MediaTestClient implements AutoCloseable {

    private static final long PACKET_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    WsTestClient ws;
    /** The {@code joined} message (with its resume token). */
    JsonObject joined;
    /** The {@code msgSeq} of the newest message handled (for resume). */
    long lastSeq;

    final NativePeer peer;
    final String id;
    private final int sendAudio;
    private final int sendVideo;
    private int wantAudio;
    private int wantVideo;
    private boolean offerOutstanding;
    private boolean offerAgain;
    private int offersSent;
    private JsonObject lastOffer;
    private int answers;
    private String mediaState = "new";
    private JsonArray tracks = new JsonArray();
    /** Messages other than the media ones, in arrival order. */
    final List<JsonObject> others = new ArrayList<>();

    private long nextSendNanos;
    private boolean sentKeyframe;

    private MediaTestClient(WsTestClient ws, NativePeer peer, String id, int sendAudio, int sendVideo) {
        this.ws = ws;
        this.peer = peer;
        this.id = id;
        this.sendAudio = sendAudio;
        this.sendVideo = sendVideo;
    }

    static MediaTestClient join(
            Vertx vertx, int port, DtlsCertificate cert, String room, String name, int sendAudio, int sendVideo)
            throws IOException {
        return join(vertx, port, cert, room, name, "participant", sendAudio, sendVideo);
    }

    /**
     * As {@link #join(Vertx, int, DtlsCertificate, String, String, int, int)} with a {@code role}
     * ("participant" or "viewer"). A client that sends nothing offers one receiving line of each kind.
     */
    static MediaTestClient join(
            Vertx vertx,
            int port,
            DtlsCertificate cert,
            String room,
            String name,
            String role,
            int sendAudio,
            int sendVideo)
            throws IOException {
        WsTestClient ws = WsTestClient.connect(vertx, port);
        JsonObject joined = ws.join(room, name, role);
        assertEquals("joined", joined.getString("type"), joined.encode());
        NativePeer peer = NativePeer.create(TransportConfig.builder().build(), cert, name);
        MediaTestClient client =
                new MediaTestClient(ws, peer, joined.getJsonObject("you").getString("id"), sendAudio, sendVideo);
        if (sendAudio + sendVideo == 0) {
            client.wantAudio = 1;
            client.wantVideo = 1;
        }
        client.joined = joined;
        client.lastSeq = joined.getLong("msgSeq", 0L);
        client.offer();
        return client;
    }

    void offer() {
        String sdp = peer.createOffer(
                sendAudio,
                sendVideo,
                Math.max(
                        wantAudio,
                        peer.mids(MediaKind.AUDIO, Direction.RECVONLY).size()),
                Math.max(
                        wantVideo,
                        peer.mids(MediaKind.VIDEO, Direction.RECVONLY).size()));
        JsonObject sources = new JsonObject();
        peer.mids(MediaKind.AUDIO, Direction.SENDONLY).forEach(mid -> sources.put(mid, "mic"));
        peer.mids(MediaKind.VIDEO, Direction.SENDONLY).forEach(mid -> sources.put(mid, "camera"));
        lastOffer = new JsonObject()
                .put("type", "offer")
                .put("id", ++offersSent)
                .put("sdp", sdp)
                .put("sources", sources);
        ws.send(lastOffer);
        offerOutstanding = true;
    }

    /** Sends the last offer again, as it was (a client whose answer was lost with its socket). */
    void resendLastOffer() {
        ws.send(lastOffer);
        offerOutstanding = true;
    }

    /** Handles messages and sends media until {@code done} holds; false on timeout. */
    boolean pumpUntil(BooleanSupplier done, long timeoutMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (!done.getAsBoolean()) {
            long now = System.nanoTime();
            if (now > deadline) {
                return false;
            }
            sendMediaIfDue(now);
            JsonObject message = ws.poll(5);
            if (message != null) {
                handle(message);
            }
        }
        return true;
    }

    /** Pumps every client a slice at a time until {@code done} holds; false on timeout. */
    static boolean pumpAll(BooleanSupplier done, long timeoutMillis, List<MediaTestClient> clients) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            for (MediaTestClient c : clients) {
                c.pump(10);
            }
        }
        return true;
    }

    /** Pumps for a while regardless. */
    void pump(long millis) {
        pumpUntil(() -> false, millis);
    }

    /** Sends media if due, without reading signaling (a client whose socket is down). */
    void sendMedia() {
        sendMediaIfDue(System.nanoTime());
    }

    private void sendMediaIfDue(long now) {
        if (!"connected".equals(mediaState) || now < nextSendNanos) {
            return;
        }
        nextSendNanos = now + PACKET_INTERVAL_NANOS;
        for (String mid : peer.mids(MediaKind.AUDIO, Direction.SENDONLY)) {
            peer.sendAudioPacket(mid);
        }
        for (String mid : peer.mids(MediaKind.VIDEO, Direction.SENDONLY)) {
            peer.sendVideoFrame(mid, new byte[2500], !sentKeyframe);
        }
        sentKeyframe = true;
    }

    private void handle(JsonObject message) {
        lastSeq = Math.max(lastSeq, message.getLong("msgSeq", 0L));
        switch (message.getString("type")) {
            case "answer" -> {
                try {
                    peer.applyAnswer(message.getString("sdp"));
                } catch (Exception e) {
                    throw new AssertionError("answer not applicable: " + e.getMessage(), e);
                }
                tracks = message.getJsonArray("tracks");
                answers++;
                offerOutstanding = false;
                if (offerAgain) {
                    offerAgain = false;
                    offer();
                }
            }
            case "candidate" -> {
                String candidate = message.getString("candidate");
                if (candidate != null) {
                    peer.addRemoteCandidate(candidate);
                }
            }
            case "renegotiate" -> {
                wantAudio = message.getInteger("audio");
                wantVideo = message.getInteger("video");
                if (offerOutstanding) {
                    offerAgain = true;
                } else {
                    offer();
                }
            }
            case "media-state" -> mediaState = message.getString("state");
            default -> others.add(message);
        }
    }

    String mediaState() {
        return mediaState;
    }

    int answers() {
        return answers;
    }

    /** Mids of the remote tracks the last answer placed, for one publisher. */
    List<String> midsFrom(String participantId) {
        List<String> mids = new ArrayList<>();
        for (int i = 0; i < tracks.size(); i++) {
            JsonObject t = tracks.getJsonObject(i);
            if (participantId.equals(t.getString("participantId"))) {
                mids.add(t.getString("mid"));
            }
        }
        return mids;
    }

    int trackCount() {
        return tracks.size();
    }

    /** Packets received on every mid the last answer placed for {@code participantId} (min over mids). */
    long minPacketsFrom(String participantId) {
        List<String> mids = midsFrom(participantId);
        if (mids.isEmpty()) {
            return 0;
        }
        long min = Long.MAX_VALUE;
        for (String mid : mids) {
            try {
                var stats = peer.received(mid);
                min = Math.min(min, stats == null ? 0 : stats.packets());
            } catch (IllegalArgumentException notSentOnThatLine) {
                return 0;
            }
        }
        return min;
    }

    /** Every non-media message of this type so far, removed from {@link #others}. */
    List<JsonObject> takeOthers(String type) {
        List<JsonObject> taken = new ArrayList<>();
        for (JsonObject m; (m = takeOther(type)) != null; ) {
            taken.add(m);
        }
        return taken;
    }

    /** The first non-media message of this type, removed from {@link #others}, or null. */
    JsonObject takeOther(String type) {
        for (int i = 0; i < others.size(); i++) {
            if (type.equals(others.get(i).getString("type"))) {
                return others.remove(i);
            }
        }
        return null;
    }

    void leave() {
        ws.send(new JsonObject().put("type", "leave"));
    }

    @Override
    public void close() {
        peer.close();
        ws.close();
    }
}
