package dev.chorus.sfu.record;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.codec.Codec;
import dev.chorus.sfu.codec.MediaKind;
import dev.chorus.sfu.worker.Clock;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One recording of a room: a directory with one WebM file (Matroska for H.264) per recorded track and {@code manifest.json}, which lists
 * the participants, their tracks, the files and where each file starts in the recording. The room's control thread
 * adds tracks (each gets a {@link TrackTap} for its producer) and ends them; everything else runs on the recording
 * writer, every {@link #DRAIN_INTERVAL_MS} ms: the taps' queues into the files, and the manifest rewritten (a new
 * file, then a rename) whenever a file starts or ends, so a crash leaves a manifest of every file begun.
 */
public final class RoomRecording {
    private static final Logger LOG = LoggerFactory.getLogger(RoomRecording.class);
    static final long DRAIN_INTERVAL_MS = 20;
    static final String MANIFEST = "manifest.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** Slots per track: about 2 s of a 2.5 Mbit/s camera, 2.5 s of audio, if the writer stalls that long. */
    static final int VIDEO_SLOTS = 512;

    static final int AUDIO_SLOTS = 128;

    private final String room;
    private final String id;
    private final Path dir;
    private final Clock clock;
    private final long startNanos;
    private final Instant startedAt;
    private final Consumer<RoomRecording> onEnd;
    /** Written by the writer only; a copy-on-write list so the control thread's toJson can read it. */
    private final List<TrackRecorder> tracks = new CopyOnWriteArrayList<>();

    private final ConcurrentLinkedQueue<Runnable> commands = new ConcurrentLinkedQueue<>();
    /** Writer-owned: one clock per publisher. */
    private final Map<String, ParticipantClock> clocks = new LinkedHashMap<>();

    private volatile boolean stopRequested;
    private volatile Instant stoppedAt;
    private volatile ScheduledFuture<?> drain;
    private boolean manifestDirty = true;
    private volatile long manifestWrites;
    private volatile boolean manifestFailed;

    private RoomRecording(
            String room, String id, Path dir, Clock clock, Instant startedAt, Consumer<RoomRecording> onEnd) {
        this.room = room;
        this.id = id;
        this.dir = dir;
        this.clock = clock;
        this.startNanos = clock.nowNanos();
        this.startedAt = startedAt;
        this.onEnd = onEnd;
    }

    /**
     * Makes {@code dir} (it must not exist) and starts draining on {@code writer}.
     *
     * @param onEnd told once, on the writer, after the last file and the manifest are closed
     */
    public static RoomRecording start(
            String room,
            String id,
            Path dir,
            ScheduledExecutorService writer,
            Clock clock,
            Instant startedAt,
            Consumer<RoomRecording> onEnd)
            throws IOException {
        Files.createDirectories(dir.getParent());
        Files.createDirectory(dir);
        RoomRecording r = new RoomRecording(room, id, dir, clock, startedAt, onEnd);
        r.writeManifest();
        r.drain = writer.scheduleWithFixedDelay(
                r::drainOnce, DRAIN_INTERVAL_MS, DRAIN_INTERVAL_MS, TimeUnit.MILLISECONDS);
        LOG.info("[room={}] recording {} started into {}", room, id, dir);
        return r;
    }

    /** Whether the recorder can write this codec: VP8, VP9, H.264 and Opus; not AV1 yet (its track is left out, logged). */
    public static boolean canRecord(Codec codec) {
        return codec != null && codec != Codec.AV1;
    }

    /**
     * Starts recording a track; returns the tap its producer must feed. Control thread. A track the writer cannot
     * write ({@link #canRecord}) is refused with an exception.
     */
    public TrackTap addTrack(TrackInfo info) {
        if (!canRecord(info.codec())) {
            throw new IllegalArgumentException("cannot record " + info.codec());
        }
        boolean video = info.codec().kind() == MediaKind.VIDEO;
        TrackTap tap = new TrackTap(video ? VIDEO_SLOTS : AUDIO_SLOTS);
        String name = safe(info.participantId()) + "_" + info.codec().kind().token() + "_" + safe(info.trackId())
                + fileExtension(info.codec());
        commands.add(() -> {
            ParticipantClock c = clocks.computeIfAbsent(info.participantId(), p -> new ParticipantClock());
            tracks.add(new TrackRecorder(info, dir.resolve(name), tap, c, startNanos, this::manifestChanged));
            manifestChanged();
        });
        return tap;
    }

    /** The track's publisher stopped sending it: its file is finished. Control thread. */
    public void trackEnded(String trackId) {
        commands.add(() -> {
            for (TrackRecorder t : tracks) {
                if (t.info().trackId().equals(trackId) && !t.tap().isClosed()) {
                    t.drain(clock.nowNanos());
                    t.finish();
                    manifestChanged();
                }
            }
        });
    }

    /** Ends the recording: what is queued is still written, then every file and the manifest are closed. */
    public void stop() {
        stopRequested = true;
    }

    public boolean isEnded() {
        return stoppedAt != null;
    }

    public boolean isStopRequested() {
        return stopRequested;
    }

    public String id() {
        return id;
    }

    public String room() {
        return room;
    }

    public Path directory() {
        return dir;
    }

    private void manifestChanged() {
        manifestDirty = true;
    }

    /**
     * The writer's task, every {@link #DRAIN_INTERVAL_MS} ms: commands, then every track's queue; the manifest when it
     * changed; the end when asked. Run it once more on the writer after {@link #stop} to close the files at once.
     */
    public void drainOnce() {
        if (stoppedAt != null) {
            return;
        }
        try {
            Runnable c;
            while ((c = commands.poll()) != null) {
                c.run();
            }
            long now = clock.nowNanos();
            for (TrackRecorder t : tracks) {
                t.drain(now);
            }
            if (stopRequested) {
                for (TrackRecorder t : tracks) {
                    t.finish();
                }
                stoppedAt = Instant.now();
                manifestDirty = true;
            }
            if (manifestDirty) {
                manifestDirty = false;
                writeManifest();
            }
        } catch (RuntimeException e) {
            LOG.error("[room={}] recording {} failed; stopped", room, id, e);
            stopRequested = true;
        }
        if (stoppedAt != null) {
            ScheduledFuture<?> task = drain;
            if (task != null) {
                task.cancel(false);
            }
            LOG.info("[room={}] recording {} stopped: {}", room, id, summary());
            onEnd.accept(this);
        }
    }

    private String summary() {
        StringBuilder b = new StringBuilder();
        for (TrackRecorder t : tracks) {
            ObjectNode n = t.toJson();
            b.append(n.path("file").asText("-"))
                    .append(' ')
                    .append(n.get("frames"))
                    .append(" frames ")
                    .append(n.get("durationMillis"))
                    .append(" ms; ");
        }
        return b.toString();
    }

    private void writeManifest() {
        Path tmp = dir.resolve(MANIFEST + ".tmp");
        try {
            Files.write(tmp, JSON.writeValueAsBytes(manifest()));
            try {
                Files.move(tmp, dir.resolve(MANIFEST), StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, dir.resolve(MANIFEST), StandardCopyOption.REPLACE_EXISTING);
            }
            manifestWrites++;
        } catch (IOException e) {
            if (!manifestFailed) {
                LOG.warn("[room={}] recording {}: the manifest cannot be written", room, id, e);
            }
            manifestFailed = true;
        }
    }

    /** The manifest: the recording, then each participant with its tracks, files and start offsets. */
    public ObjectNode manifest() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("room", room);
        n.put("recording", id);
        n.put("startedAt", startedAt.toString());
        Instant stopped = stoppedAt;
        n.put("stoppedAt", stopped == null ? null : stopped.toString());
        n.put("state", stopped != null ? "stopped" : stopRequested ? "stopping" : "recording");
        ObjectNode byParticipant = JsonNodeFactory.instance.objectNode();
        ArrayNode participants = n.putArray("participants");
        for (TrackRecorder t : tracks) {
            String p = t.info().participantId();
            ObjectNode entry = (ObjectNode) byParticipant.get(p);
            if (entry == null) {
                entry = participants.addObject();
                entry.put("id", p);
                entry.putArray("tracks");
                byParticipant.set(p, entry);
            }
            ((ArrayNode) entry.get("tracks")).add(t.toJson());
        }
        return n;
    }

    /** State for the API and /debug: the manifest plus the directory and the writer's counters. */
    public ObjectNode toJson() {
        ObjectNode n = manifest();
        n.put("directory", dir.toString());
        n.put("manifestWrites", manifestWrites);
        n.put("manifestFailed", manifestFailed);
        long busy = 0;
        for (TrackRecorder t : tracks) {
            busy += t.tap().droppedBusy();
        }
        n.put("droppedBusy", busy);
        return n;
    }

    /** Packets and reports the taps could not take (the writer fell behind), all tracks. */
    public long droppedBusy() {
        long busy = 0;
        for (TrackRecorder t : tracks) {
            busy += t.tap().droppedBusy();
        }
        return busy;
    }

    /** WebM holds VP8, VP9 and Opus; H.264 goes into plain Matroska. */
    static String fileExtension(Codec codec) {
        return codec == Codec.H264 ? ".mkv" : ".webm";
    }

    private static String safe(String s) {
        return s.replaceAll("[^A-Za-z0-9_-]", "_");
    }
}
