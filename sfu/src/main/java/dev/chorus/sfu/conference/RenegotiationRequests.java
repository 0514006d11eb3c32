package dev.chorus.sfu.conference;

import dev.chorus.sfu.codec.MediaKind;
import dev.chorus.sfu.worker.Clock;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Asks one participant for a new offer when the room's tracks no longer fit its receiving lines, at most one
 * request at a time. Requests made in one control-thread turn become one, sent in a later turn: after the reply
 * that is being built now, and counting the tracks as they are then. Once asked, the participant is not asked again
 * until its next offer is answered (that answer places every track there is then, and asks again if lines are still
 * short), so a crowd publishing at once costs each participant one offer per round trip, not one per newcomer.
 * A participant that has not offered within {@link #ANSWER_WAIT_NANOS} is asked again at the next change. Control
 * thread only.
 */
final class RenegotiationRequests {
    /** How long an unanswered request holds back the next: a client's offer takes well under a second. */
    static final long ANSWER_WAIT_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final Executor control;
    private final Clock clock;
    private final BooleanSupplier sessionClosed;
    private final Supplier<List<PublishedTrack>> available;
    private final MediaSessionListener listener;
    private boolean scheduled;
    /** When the unanswered request went out; -1 when none is. */
    private long askedAtNanos = -1;

    private long requests;
    private long heldBack;

    /**
     * @param control   runs tasks on the control thread, after the current one
     * @param available the tracks the participant may receive (it needs a line for each)
     */
    RenegotiationRequests(
            Executor control,
            Clock clock,
            BooleanSupplier sessionClosed,
            Supplier<List<PublishedTrack>> available,
            MediaSessionListener listener) {
        this.control = control;
        this.clock = clock;
        this.sessionClosed = sessionClosed;
        this.available = available;
        this.listener = listener;
    }

    /** Schedules one request, unless one is scheduled already or one sent is still unanswered. */
    void schedule() {
        if (scheduled) {
            return;
        }
        if (askedAtNanos >= 0 && clock.nowNanos() - askedAtNanos < ANSWER_WAIT_NANOS) {
            heldBack++; // the answer to the coming offer will count the tracks as they are then
            return;
        }
        scheduled = true;
        control.execute(() -> {
            scheduled = false;
            if (sessionClosed.getAsBoolean()) {
                return;
            }
            int audio = 0;
            int video = 0;
            for (PublishedTrack t : available.get()) {
                if (t.kind() == MediaKind.AUDIO) {
                    audio++;
                } else {
                    video++;
                }
            }
            askedAtNanos = clock.nowNanos();
            requests++;
            listener.renegotiationNeeded(audio, video);
        });
    }

    /** An offer of the participant was answered: it carries whatever was asked so far. */
    void offerAnswered() {
        askedAtNanos = -1;
    }

    /** Requests sent. */
    long requests() {
        return requests;
    }

    /** Changes that waited for an unanswered request instead of sending one more. */
    long heldBack() {
        return heldBack;
    }
}
