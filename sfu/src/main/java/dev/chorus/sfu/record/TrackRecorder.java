package dev.chorus.sfu.record;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.codec.MediaKind;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records one published track into its own WebM file (Matroska for H.264), on the recording writer: takes what its
 * {@link TrackTap} queued, assembles frames (video through a {@link VideoDepacketizer} for its codec; an Opus packet
 * is a frame), places each frame on
 * the server's clock through the publisher's sender reports ({@link ParticipantClock}) and writes it. The file is
 * made at the first frame that can be written: a video's first keyframe (the tap asks the publisher for one). Frames
 * wait for the track's first sender report (up to {@link #HOLD_NANOS}; a publisher that sends none has its frames timed
 * by their arrival). Video frames before the first keyframe, and after a loss until the next one, are counted and
 * left out.
 */
final class TrackRecorder implements FrameSink {
    private static final Logger LOG = LoggerFactory.getLogger(TrackRecorder.class);
    /** How long a missing video packet is waited for (NACK retransmissions take a round trip or two). */
    static final long REORDER_WAIT_NANOS = 300_000_000L;

    enum State {
        WAITING,
        RECORDING,
        ENDED,
        FAILED
    }

    private final TrackInfo info;
    private final Path file;
    private final TrackTap tap;
    private final ParticipantClock clock;
    private final long recordingStartNanos;
    private final Runnable onFileStarted;
    private VideoDepacketizer depacketizer;
    /** The depacketizer's payload format: it knows the picture size (and H.264's parameter sets) a file starts with. */
    private VideoPayload payload;

    private final boolean video;
    private final int clockRate;

    /** A frame that came before anything placed the track's RTP times on the server's clock. */
    private record Held(long rtpTimestamp, boolean keyframe, byte[] data, long arrivalNanos) {}

    /** How long frames wait for the first sender report before they are timed by their arrival instead. */
    static final long HOLD_NANOS = 3_000_000_000L;

    private final ArrayDeque<Held> held = new ArrayDeque<>();
    private WebmWriter writer;
    private volatile State state = State.WAITING;
    /** The track's RTP time {@link #mapRtp} is {@link #mapNanos} on the server's clock; unknown until set. */
    private boolean mapped;
    /** The mapping came from arrival times (no sender report within {@link #HOLD_NANOS}), not from a report. */
    private volatile boolean mappedByArrival;

    private long mapRtp;
    private long mapNanos;
    /** When the packet being handled arrived (a frame's time, should it be timed by arrival). */
    private long arrivalNanos;

    private boolean waitingForKeyframe;
    private long fileStartNanos;
    /** The file's first frame on the server's clock, from the recording's start; valid once recording. */
    private volatile long startOffsetNanos;

    private long lastMillis = -1;
    private volatile long framesWritten;
    private volatile long framesHeld;
    private volatile long layerSwitches;
    private volatile long audioLate;
    private long lastAudioRtp;
    private long framesLostBefore;
    private long packetsLateBefore;
    private long packetsMalformedBefore;
    private long framesMalformedBefore;
    private volatile long framesBeforeKeyframe;
    private volatile long durationMillis;
    private long nowNanos;

    TrackRecorder(
            TrackInfo info,
            Path file,
            TrackTap tap,
            ParticipantClock clock,
            long recordingStartNanos,
            Runnable onFileStarted) {
        this.info = info;
        this.file = file;
        this.tap = tap;
        this.clock = clock;
        this.recordingStartNanos = recordingStartNanos;
        this.onFileStarted = onFileStarted;
        this.video = info.codec().kind() == MediaKind.VIDEO;
        this.clockRate = info.codec().clockRate();
        newDepacketizer();
        this.waitingForKeyframe = video;
        tap.wantKeyframe(video);
    }

    TrackInfo info() {
        return info;
    }

    TrackTap tap() {
        return tap;
    }

    State state() {
        return state;
    }

    /** Writes what the tap queued; false once the track is done with (ended or failed). */
    void drain(long now) {
        this.nowNanos = now;
        TrackTap.Slot s;
        while ((s = tap.poll()) != null) {
            if (state == State.WAITING || state == State.RECORDING) {
                take(s);
            }
            tap.release(s);
        }
        if (depacketizer != null && (state == State.WAITING || state == State.RECORDING)) {
            depacketizer.poll(now);
        }
        if (!mapped && !held.isEmpty() && now - held.peekFirst().arrivalNanos() >= HOLD_NANOS) {
            // The publisher sends no sender reports: its frames are timed by when they came.
            Held first = held.peekFirst();
            mapTo(first.rtpTimestamp(), first.arrivalNanos(), true);
        }
    }

    private void mapTo(long rtp, long serverNanos, boolean byArrival) {
        mapped = true;
        mappedByArrival = byArrival;
        mapRtp = rtp;
        mapNanos = serverNanos;
        Held h;
        while ((h = held.pollFirst()) != null) {
            onFrame(h.rtpTimestamp(), h.keyframe(), h.data(), 0, h.data().length);
        }
    }

    private void take(TrackTap.Slot s) {
        arrivalNanos = s.nanos;
        if (s.layerSwitch) {
            switchLayer();
        } else if (s.senderReport) {
            clock.onSenderReport(s.ntp, s.nanos);
            mapTo(s.rtpTimestamp, clock.serverNanos(ParticipantClock.ntpToNanos(s.ntp)), false);
        } else if (video) {
            if (depacketizer != null) {
                depacketizer.push(s.extSeq, s.rtpTimestamp, s.marker, s.data, 0, s.length, s.nanos);
            }
        } else {
            onFrame(s.rtpTimestamp, true, s.data, 0, s.length);
        }
    }

    /**
     * The producer records another simulcast layer from here on: frames are assembled afresh, wait for that layer's
     * sender report (its RTP clock is its own; the publisher's NTP clock is the same) and start on its keyframe.
     */
    private void switchLayer() {
        if (depacketizer != null) {
            keepCounts();
            newDepacketizer();
        }
        mapped = false;
        held.clear();
        layerSwitches++;
        if (video) {
            waitingForKeyframe = true;
            tap.wantKeyframe(true);
        }
    }

    @Override
    public void onFrame(long rtpTimestamp, boolean keyframe, byte[] b, int off, int len) {
        if (state == State.FAILED || state == State.ENDED) {
            return;
        }
        if (!mapped) {
            held.addLast(new Held(rtpTimestamp, keyframe, Arrays.copyOfRange(b, off, off + len), arrivalNanos));
            framesHeld++;
            return;
        }
        if (waitingForKeyframe) {
            if (!keyframe || writer == null && !canStartFile()) {
                framesBeforeKeyframe++;
                return;
            }
            waitingForKeyframe = false;
            tap.wantKeyframe(false);
        }
        if (!video && framesWritten > 0 && (int) (rtpTimestamp - lastAudioRtp) <= 0) {
            audioLate++; // reordered or repeated: an Opus frame stands alone, so a late one is left out, not misplaced
            return;
        }
        lastAudioRtp = rtpTimestamp;
        long ticks = (int) (rtpTimestamp - mapRtp); // signed: a frame may come just before its report's instant
        long at = mapNanos + ticks * 1_000_000_000L / clockRate;
        try {
            if (writer == null) {
                writer = WebmWriter.create(file, format(b, off, len));
                fileStartNanos = at;
                startOffsetNanos = at - recordingStartNanos;
                state = State.RECORDING;
                LOG.info(
                        "[room={} participant={}] recording {} into {} (starts {} ms into the recording)",
                        info.room(),
                        info.participantId(),
                        info.trackId(),
                        file.getFileName(),
                        startOffsetNanos / 1_000_000);
                onFileStarted.run();
            }
            long millis = Math.max(0, (at - fileStartNanos) / 1_000_000);
            long frameMillis = video
                    ? (lastMillis < 0 ? 0 : Math.max(0, millis - lastMillis))
                    : OpusToc.durationMicros(b, off, len) / 1000;
            writer.write(millis, frameMillis, keyframe, b, off, len);
            lastMillis = Math.max(lastMillis, millis);
            framesWritten++;
            durationMillis = writer.durationMillis();
        } catch (IOException e) {
            fail(e);
        }
    }

    private WebmWriter.Format format(byte[] b, int off, int len) {
        if (!video) {
            return new WebmWriter.Opus(2);
        }
        if (payload instanceof Vp9Frames v) {
            return new WebmWriter.Vp9(v.width(), v.height());
        }
        if (payload instanceof H264Frames h) {
            return new WebmWriter.H264(h.width(), h.height(), h.avcDecoderConfiguration());
        }
        // A VP8 keyframe's header: 3-byte frame tag, start code, then 14-bit width and height (RFC 6386, 9.1).
        int w = len >= 10 ? ((b[off + 6] & 0xFF) | (b[off + 7] & 0xFF) << 8) & 0x3FFF : 0;
        int h = len >= 10 ? ((b[off + 8] & 0xFF) | (b[off + 9] & 0xFF) << 8) & 0x3FFF : 0;
        return new WebmWriter.Vp8(w, h);
    }

    @Override
    public void onLoss() {
        if (video && !waitingForKeyframe) {
            waitingForKeyframe = true;
            tap.wantKeyframe(true);
        }
    }

    private void fail(IOException e) {
        LOG.warn(
                "[room={} participant={}] recording of {} into {} failed; the file keeps what it has",
                info.room(),
                info.participantId(),
                info.trackId(),
                file,
                e);
        state = State.FAILED;
        tap.close();
        closeWriter();
    }

    /** Ends the track: its file gets its last cluster, duration and size. */
    void finish() {
        tap.close();
        drainAfterClose();
        tap.dispose();
        if (!mapped && !held.isEmpty() && state == State.WAITING) {
            // Ended before any sender report came: what waited for one is timed by its arrival.
            Held first = held.peekFirst();
            mapTo(first.rtpTimestamp(), first.arrivalNanos(), true);
        }
        if (state == State.WAITING || state == State.RECORDING) {
            state = State.ENDED;
        }
        closeWriter();
        if (depacketizer != null) {
            keepCounts();
            depacketizer =
                    null; // its 800 KB ring goes: an ended recording stays listed (the API's GET) for its state only
        }
        held.clear();
    }

    private void drainAfterClose() {
        TrackTap.Slot s;
        while ((s = tap.poll()) != null) {
            tap.release(s);
        }
    }

    private void closeWriter() {
        if (writer == null) {
            return;
        }
        try {
            writer.close();
        } catch (IOException e) {
            LOG.warn("[room={} participant={}] {} cannot be closed", info.room(), info.participantId(), file, e);
        }
        writer = null; // its cluster buffer goes with it: an ended recording stays listed for its state
    }

    /** Moves the depacketizer's counts here, before it is replaced or let go. */
    private void keepCounts() {
        framesLostBefore += depacketizer.framesLost();
        packetsLateBefore += depacketizer.packetsLate();
        packetsMalformedBefore += depacketizer.packetsMalformed();
        framesMalformedBefore += depacketizer.framesMalformed();
    }

    /** A fresh depacketizer for the track's codec (none for audio). */
    private void newDepacketizer() {
        payload = switch (info.codec()) {
            case VP8 -> new Vp8Frames();
            case VP9 -> new Vp9Frames();
            case H264 -> new H264Frames();
            case OPUS -> null;
            case AV1 -> throw new IllegalArgumentException("AV1 is not recorded (RoomRecording.canRecord)");
        };
        depacketizer = payload == null ? null : new VideoDepacketizer(payload, this, REORDER_WAIT_NANOS);
    }

    /** A video file needs what its header describes: H.264's avcC needs an SPS and a PPS first. */
    private boolean canStartFile() {
        return !(payload instanceof H264Frames h) || h.hasParameterSets();
    }

    /** The manifest's entry for the track, with its counters (also /debug). */
    ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("track", info.trackId());
        n.put("kind", info.codec().kind().token());
        n.put("codec", info.codec().name().toLowerCase(java.util.Locale.ROOT));
        n.put("source", info.source());
        n.put("state", state.name().toLowerCase(java.util.Locale.ROOT));
        boolean hasFile = state != State.WAITING && framesWritten > 0;
        n.put("file", hasFile ? file.getFileName().toString() : null);
        if (hasFile) {
            n.put("startOffsetMillis", startOffsetNanos / 1_000_000.0);
        }
        n.put("durationMillis", durationMillis);
        n.put("frames", framesWritten);
        ObjectNode dropped = n.putObject("dropped");
        dropped.put("busy", tap.droppedBusy());
        n.put("timedBy", !mapped ? null : mappedByArrival ? "arrival" : "senderReport");
        n.put("framesHeldForSenderReport", framesHeld);
        if (video) {
            n.put("layerSwitches", layerSwitches);
        }
        dropped.put("beforeKeyframe", framesBeforeKeyframe);
        if (!video) {
            dropped.put("late", audioLate);
        }
        if (video) {
            VideoDepacketizer d = depacketizer;
            dropped.put("framesLost", framesLostBefore + (d == null ? 0 : d.framesLost()));
            dropped.put("framesMalformed", framesMalformedBefore + (d == null ? 0 : d.framesMalformed()));
            dropped.put("packetsLate", packetsLateBefore + (d == null ? 0 : d.packetsLate()));
            dropped.put("packetsMalformed", packetsMalformedBefore + (d == null ? 0 : d.packetsMalformed()));
        }
        return n;
    }
}
