package dev.chorus.signaling.api;

import dev.chorus.sfu.conference.MediaException;
import dev.chorus.sfu.conference.MediaService;
import dev.chorus.sfu.record.RoomRecording;
import dev.chorus.signaling.protocol.ErrorCode;
import dev.chorus.signaling.protocol.ProtocolException;
import dev.chorus.signaling.room.Participant;
import dev.chorus.signaling.room.Room;
import dev.chorus.signaling.room.RoomListener;
import dev.chorus.signaling.room.RoomRecorder;
import dev.chorus.signaling.room.RoomRegistry;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Room recordings through the server API (and a moderator's signaling message): start, look at and stop the
 * recording of a room. Each recording is a directory {@code <data-dir>/recordings/<room>/<UTC time>/} with one WebM
 * file per track and {@code manifest.json} (see {@code dev.chorus.sfu.record}); no caller-chosen path reaches the
 * file system. Everyone in the room is told when its recording starts and stops. A room that ends stops its
 * recording. Signaling thread only.
 */
public final class RecordingApi implements RoomRecorder {
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);

    private final RoomRegistry rooms;
    private final Path dir;
    private final Supplier<MediaService> media;
    private final LongSupplier wallClockMillis;

    public RecordingApi(RoomRegistry rooms, Path dir, Supplier<MediaService> media, LongSupplier wallClockMillis) {
        this.rooms = rooms;
        this.dir = dir;
        this.media = media;
        this.wallClockMillis = wallClockMillis;
        rooms.setRecorder(this);
        rooms.addListener(new RoomListener() {
            @Override
            public void roomEnded(Room room) {
                MediaService m = media.get();
                if (m != null && room.recording() != null) {
                    m.stopRecording(room.name());
                }
            }
        });
    }

    /** Starts recording {@code room} (an existing room); its state. */
    public JsonObject start(Room room, JsonObject body) throws ApiException {
        RoomApi.only(body, Set.of());
        RoomRecording r = startRecording(room);
        rooms.recordingChanged(room, r.id());
        return describe(r);
    }

    @Override
    public void start(Participant by, Object re) throws ProtocolException {
        try {
            RoomRecording r = startRecording(by.room());
            rooms.recordingChanged(by.room(), r.id(), by, re);
        } catch (ApiException e) {
            throw protocolError(e, re);
        }
    }

    @Override
    public void stop(Participant by, Object re) throws ProtocolException {
        try {
            stopRecording(by.room());
            rooms.recordingChanged(by.room(), null, by, re);
        } catch (ApiException e) {
            throw protocolError(e, re);
        }
    }

    private static ProtocolException protocolError(ApiException e, Object re) {
        ErrorCode code = switch (e.error()) {
            case RECORDING_RUNNING -> ErrorCode.RECORDING_RUNNING;
            case RECORDING_NOT_FOUND -> ErrorCode.NOT_RECORDING;
            default -> ErrorCode.MEDIA_UNAVAILABLE;
        };
        return new ProtocolException(code, e.getMessage(), null, re);
    }

    private RoomRecording startRecording(Room room) throws ApiException {
        MediaService m = mediaOrFail();
        String id =
                STAMP.format(Instant.ofEpochMilli(wallClockMillis.getAsLong())).replace('.', '-');
        if (!RoomApi.ROOM_NAME.matcher(room.name()).matches()) { // room names are of these characters already
            throw new ApiException(ApiError.INTERNAL_ERROR, "internal error");
        }
        Path target = dir.resolve(room.name()).resolve(id);
        RoomRecording r;
        try {
            r = m.startRecording(room.name(), id, target, ended -> ended(room, ended));
        } catch (MediaException e) {
            throw switch (e.kind()) {
                case NOT_READY -> new ApiException(ApiError.RECORDING_RUNNING, e.getMessage());
                default -> new ApiException(ApiError.RECORDING_FAILED, e.getMessage());
            };
        }
        return r;
    }

    /** The room's latest recording, running or stopped. */
    public JsonObject get(Room room) throws ApiException {
        RoomRecording r = mediaOrFail().recordings().latest(room.name());
        if (r == null) {
            throw new ApiException(ApiError.RECORDING_NOT_FOUND, "room " + room.name() + " has no recording");
        }
        return describe(r);
    }

    /** Stops the room's running recording; its state (its files close within tens of milliseconds). */
    public JsonObject stop(Room room) throws ApiException {
        stopRecording(room);
        rooms.recordingChanged(room, null);
        return describe(mediaOrFail().recordings().latest(room.name()));
    }

    private void stopRecording(Room room) throws ApiException {
        if (!mediaOrFail().stopRecording(room.name())) {
            throw new ApiException(ApiError.RECORDING_NOT_FOUND, "room " + room.name() + " is not being recorded");
        }
    }

    /** A recording ended on its own (its writer failed) or after a stop: the room no longer shows it. */
    private void ended(Room room, RoomRecording r) {
        if (r.id().equals(room.recording())) {
            rooms.recordingChanged(room, null);
        }
    }

    private MediaService mediaOrFail() throws ApiException {
        MediaService m = media.get();
        if (m == null) {
            throw new ApiException(ApiError.RECORDING_FAILED, "the media server is not running");
        }
        return m;
    }

    private static JsonObject describe(RoomRecording r) {
        return new JsonObject(r.toJson().toString());
    }
}
