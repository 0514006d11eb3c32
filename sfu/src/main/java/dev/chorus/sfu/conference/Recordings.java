package dev.chorus.sfu.conference;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.chorus.sfu.record.RoomRecording;
import dev.chorus.sfu.worker.Clock;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The media service's room recordings: at most one running per room, each kept (running or ended) until the next
 * one of its room starts, and the {@code chorus-recording-writer} thread that writes them all. Control thread only,
 * but for the writer's own work.
 */
public final class Recordings {
    private static final Logger LOG = LoggerFactory.getLogger(Recordings.class);

    private final Executor control;
    private final Clock clock;
    private final ScheduledExecutorService writer;
    private final Map<String, RoomRecording> byRoom = new LinkedHashMap<>();
    private long started;
    private long endedBeforeStop;
    /** Busy drops of the recordings no longer listed (a room's next recording replaced them). */
    private long droppedBusyForgotten;

    /**
     * @param writerNice the writer thread's nice value (chorus.media.setup-thread-nice): on a saturated core the kernel
     *     runs the media workers first, and the recording, which may fall behind and count its drops, waits
     */
    Recordings(Executor control, Clock clock, int writerNice) {
        this.control = control;
        this.clock = clock;
        this.writer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(
                    () -> {
                        dev.chorus.sfu.worker.ThreadNice.lowerCurrentThread(writerNice);
                        r.run();
                    },
                    "chorus-recording-writer");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts a recording of {@code room} into {@code dir} (which must not exist).
     *
     * @param onEnded told on the control thread once its files are closed (stopped, or failed on its own)
     * @throws MediaException NOT_READY while one of the room runs; UNAVAILABLE when the directory cannot be made
     */
    RoomRecording start(String room, String id, Path dir, Consumer<RoomRecording> onEnded) throws MediaException {
        RoomRecording running = running(room);
        if (running != null) {
            throw new MediaException(MediaException.Kind.NOT_READY, "room " + room + " is being recorded already");
        }
        RoomRecording r;
        try {
            r = RoomRecording.start(
                    room,
                    id,
                    dir,
                    writer,
                    clock,
                    Instant.now(),
                    ended -> control.execute(() -> {
                        if (!ended.isStopRequested()) {
                            endedBeforeStop++;
                        }
                        onEnded.accept(ended);
                    }));
        } catch (IOException e) {
            LOG.warn("[room={}] recording into {} cannot start", room, dir, e);
            throw new MediaException(MediaException.Kind.UNAVAILABLE, "the recording directory cannot be made", e);
        }
        RoomRecording previous = byRoom.put(room, r);
        if (previous != null) {
            droppedBusyForgotten += previous.droppedBusy();
        }
        started++;
        return r;
    }

    /** The room's running recording (not yet asked to stop), or null. */
    public RoomRecording running(String room) {
        RoomRecording r = byRoom.get(room);
        return r != null && !r.isStopRequested() ? r : null;
    }

    /** The room's latest recording, running or ended, or null. */
    public RoomRecording latest(String room) {
        return byRoom.get(room);
    }

    /** Recordings running now. */
    public int runningCount() {
        int n = 0;
        for (RoomRecording r : byRoom.values()) {
            if (!r.isStopRequested()) {
                n++;
            }
        }
        return n;
    }

    public long startedCount() {
        return started;
    }

    /** Packets the recordings' taps could not take, of every recording since the start. */
    public long droppedBusyTotal() {
        long n = droppedBusyForgotten;
        for (RoomRecording r : byRoom.values()) {
            n += r.droppedBusy();
        }
        return n;
    }

    /** Stops every recording, lets the writer close their files (up to 5 s), and ends the writer. */
    void close() {
        List<RoomRecording> all = List.copyOf(byRoom.values());
        for (RoomRecording r : all) {
            r.stop();
        }
        for (RoomRecording r : all) {
            writer.execute(r::drainOnce);
        }
        writer.shutdown();
        try {
            if (!writer.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("recordings still closing after 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    ArrayNode toJson() {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        byRoom.values().forEach(r -> a.add(r.toJson()));
        return a;
    }

    long endedBeforeStop() {
        return endedBeforeStop;
    }
}
