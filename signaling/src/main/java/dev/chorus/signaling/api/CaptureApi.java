package dev.chorus.signaling.api;

import dev.chorus.signaling.room.MemberControl;
import dev.chorus.signaling.room.Participant;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * Packet captures through the server API: start, look at and stop a capture of what one participant sends, and find
 * a capture file to download. The files are pcap (see {@code dev.chorus.sfu.capture}) in {@code <data-dir>/captures},
 * named {@code <room>_<participant>_<UTC time>.pcap}: no caller-chosen path ever reaches the file system. Signaling
 * thread only, like {@link RoomApi}.
 */
final class CaptureApi {
    static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9_-]{1,200}\\.pcap");
    static final long DEFAULT_SECONDS = 10;
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);

    private final RoomApi rooms;
    private final Path dir;
    private final Duration maxTime;
    private final long maxPackets;
    private final LongSupplier wallClockMillis;

    CaptureApi(RoomApi rooms, Path dir, Duration maxTime, long maxPackets, LongSupplier wallClockMillis) {
        this.rooms = rooms;
        this.dir = dir;
        this.maxTime = maxTime;
        this.maxPackets = maxPackets;
        this.wallClockMillis = wallClockMillis;
    }

    JsonObject start(String roomName, String participantId, JsonObject body) throws ApiException {
        RoomApi.only(body, Set.of("seconds", "maxPackets"));
        long seconds = RoomApi.integer(
                body, "seconds", 1, maxTime.toSeconds(), Math.min(DEFAULT_SECONDS, maxTime.toSeconds()));
        long packets = RoomApi.integer(body, "maxPackets", 1, maxPackets, maxPackets);
        Participant p = rooms.participant(roomName, participantId);
        MemberControl control = control(p);
        String name = p.room().name() + "_" + p.id() + "_"
                + STAMP.format(Instant.ofEpochMilli(wallClockMillis.getAsLong()))
                        .replace('.', '-') + ".pcap";
        if (!FILE_NAME.matcher(name).matches()) { // room names and participant ids are of these characters already
            throw new ApiException(ApiError.INTERNAL_ERROR, "internal error");
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new ApiException(ApiError.CAPTURE_FAILED, "the capture directory cannot be made: " + e.getMessage());
        }
        try {
            return describe(control.startCapture(dir.resolve(name), Duration.ofSeconds(seconds), packets));
        } catch (MemberControl.CaptureRefused e) {
            ApiError error = switch (e.why()) {
                case NO_MEDIA -> ApiError.NO_MEDIA;
                case RUNNING -> ApiError.CAPTURE_RUNNING;
                case FILE_FAILED -> ApiError.CAPTURE_FAILED;
            };
            throw new ApiException(error, e.getMessage());
        }
    }

    JsonObject get(String roomName, String participantId) throws ApiException {
        JsonObject state = control(rooms.participant(roomName, participantId)).capture();
        if (state == null) {
            throw new ApiException(ApiError.CAPTURE_NOT_FOUND, "participant " + participantId + " has no capture");
        }
        return describe(state);
    }

    JsonObject stop(String roomName, String participantId) throws ApiException {
        MemberControl control = control(rooms.participant(roomName, participantId));
        if (!control.stopCapture()) {
            throw new ApiException(
                    ApiError.CAPTURE_NOT_FOUND, "participant " + participantId + " has no running capture");
        }
        return describe(control.capture());
    }

    /** The file of a capture this server made, by the name the API gave it. */
    Path file(String name) throws ApiException {
        Path file = name != null && FILE_NAME.matcher(name).matches() ? dir.resolve(name) : null;
        if (file == null || !Files.isRegularFile(file)) {
            throw new ApiException(ApiError.CAPTURE_NOT_FOUND, "no capture " + RoomApi.clip(String.valueOf(name)));
        }
        return file;
    }

    private static MemberControl control(Participant p) throws ApiException {
        MemberControl control = p.control();
        if (control == null) {
            throw new ApiException(ApiError.NO_MEDIA, "participant " + p.id() + " has no media session");
        }
        return control;
    }

    /** The capture's state with its file's name and where to download it. */
    private static JsonObject describe(JsonObject state) {
        String name = Path.of(state.getString("file")).getFileName().toString();
        return state.put("name", name).put("download", ApiRoutes.PREFIX + "/captures/" + name);
    }
}
