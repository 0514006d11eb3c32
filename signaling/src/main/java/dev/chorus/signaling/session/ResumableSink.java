package dev.chorus.signaling.session;

import dev.chorus.signaling.room.LeaveReason;
import dev.chorus.signaling.room.MemberControl;
import dev.chorus.signaling.room.MessageSink;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;

/**
 * Where one participant's messages go, across the sockets it uses: the rooms and its media send here, never to a
 * socket directly. Every message gets the next {@code msgSeq} (1, 2, ...) and the most recent {@code capacity} are
 * kept, so a client that resumes after a drop gets exactly the ones after the last it processed, in order, whether
 * they were sent while it was away or went into the dead socket before the server noticed. Signaling thread only.
 *
 * <p>The messages are kept as they were broadcast (one object shared by the room) and the {@code msgSeq} is added as
 * they are written, so the buffer costs references, not copies.
 */
final class ResumableSink implements MessageSink, MemberControl {

    private final int capacity;
    private final Runnable overflowed;
    private final MemberControl control;
    /** Messages {@link #firstSeq()} .. {@link #lastSeq}, oldest first. */
    private final ArrayDeque<JsonObject> recent = new ArrayDeque<>();

    private long lastSeq;
    private SignalingSession attached;
    /** {@link #lastSeq} when the socket dropped; -1 while a socket is attached. */
    private long detachedAtSeq = -1;

    private boolean overflowReported;
    /** Added to the {@code joined} message, which goes through here like every other. */
    private JsonObject resumeForJoined;

    /**
     * @param capacity   messages kept for replay
     * @param overflowed called (once per detachment) when a message the detached client has not seen had to be
     *                   dropped: it can no longer resume
     * @param control    what the server API may do to the member (its {@link Membership})
     */
    ResumableSink(int capacity, Runnable overflowed, MemberControl control) {
        this.capacity = capacity;
        this.overflowed = overflowed;
        this.control = control;
    }

    // The server API reaches the member through the sink its room holds ({@code Participant.control()}): the
    // membership behind it, whichever socket it has now.

    @Override
    public void removeFromRoom(LeaveReason reason) {
        control.removeFromRoom(reason);
    }

    @Override
    public List<MemberControl.Track> publishedTracks() {
        return control.publishedTracks();
    }

    @Override
    public MemberControl.Track setTrackMuted(String trackId, boolean muted) {
        return control.setTrackMuted(trackId, muted);
    }

    @Override
    public void setSubscribing(boolean allowed) {
        control.setSubscribing(allowed);
    }

    @Override
    public JsonObject startCapture(Path file, Duration maxTime, long maxPackets) throws CaptureRefused {
        return control.startCapture(file, maxTime, maxPackets);
    }

    @Override
    public JsonObject capture() {
        return control.capture();
    }

    @Override
    public boolean stopCapture() {
        return control.stopCapture();
    }

    @Override
    public void send(JsonObject message) {
        if (resumeForJoined != null && "joined".equals(message.getString("type"))) {
            message = message.copy().put("resume", resumeForJoined);
            resumeForJoined = null;
        }
        long seq = ++lastSeq;
        recent.addLast(message);
        if (recent.size() > capacity) {
            recent.removeFirst();
            if (attached == null && detachedAtSeq >= 0 && firstSeq() > detachedAtSeq + 1 && !overflowReported) {
                overflowReported = true;
                overflowed.run();
            }
        }
        if (attached != null) {
            attached.sendSequenced(message, seq);
        }
    }

    /** The resume token (and grace) the client gets in its {@code joined}. */
    void announceInJoined(JsonObject resume) {
        resumeForJoined = resume;
    }

    long lastSeq() {
        return lastSeq;
    }

    long firstSeq() {
        return lastSeq - recent.size() + 1;
    }

    /** Whether every message after {@code seq} is still here. */
    boolean canReplayAfter(long seq) {
        return seq >= firstSeq() - 1 && seq <= lastSeq;
    }

    /** Sends the attached socket every kept message after {@code seq}, in order. */
    void replayAfter(long seq) {
        long s = firstSeq();
        // A copy: a write may close a slow socket, and nothing may change the deque while we walk it.
        for (JsonObject message : List.copyOf(recent)) {
            if (s > seq && attached != null) {
                attached.sendSequenced(message, s);
            }
            s++;
        }
    }

    SignalingSession attached() {
        return attached;
    }

    void attach(SignalingSession session) {
        attached = session;
        detachedAtSeq = -1;
        overflowReported = false;
    }

    void detach() {
        attached = null;
        detachedAtSeq = lastSeq;
        overflowReported = false;
    }

    int size() {
        return recent.size();
    }
}
