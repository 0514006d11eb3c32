package dev.chorus.sfu.conference;

import dev.chorus.sfu.codec.MediaKind;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Asks one participant for a new offer when the room's tracks no longer fit its receiving lines.
 * Requests made in one control-thread turn become one, sent in a later turn: after the reply that
 * is being built now, and counting the tracks as they are then. Control thread only.
 */
final class RenegotiationRequests {
    private final Executor control;
    private final BooleanSupplier sessionClosed;
    private final Supplier<List<PublishedTrack>> available;
    private final MediaSessionListener listener;
    private boolean scheduled;

    /**
     * @param control   runs tasks on the control thread, after the current one
     * @param available the tracks the participant may receive (it needs a line for each)
     */
    RenegotiationRequests(
            Executor control,
            BooleanSupplier sessionClosed,
            Supplier<List<PublishedTrack>> available,
            MediaSessionListener listener) {
        this.control = control;
        this.sessionClosed = sessionClosed;
        this.available = available;
        this.listener = listener;
    }

    /** Schedules one request, unless one is scheduled already. */
    void schedule() {
        if (scheduled) {
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
            listener.renegotiationNeeded(audio, video);
        });
    }
}
