package dev.chorus.signaling.api;

import dev.chorus.sfu.conference.MediaService;
import dev.chorus.sfu.conference.ServerData;
import dev.chorus.signaling.room.Room;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The server's own messages on the room data relay (PROTOCOL.md "Data channels"): {@code {"to"?, "data",
 * "reliable"?}} reaches the room's participants and viewers, or those named, as {@code {"from": "server", "data"}} on
 * their {@code chorus} channel (or {@code chorus-unreliable} with {@code "reliable": false}). Like a relayed
 * message it has no history: who has no channel open gets nothing, and the answer says who that was. Signaling
 * thread only.
 */
final class DataApi {
    private final RoomApi rooms;
    private final Supplier<MediaService> media;

    DataApi(RoomApi rooms, Supplier<MediaService> media) {
        this.rooms = rooms;
        this.media = media;
    }

    JsonObject send(String roomName, JsonObject body) throws ApiException {
        RoomApi.only(body, Set.of("to", "data", "reliable"));
        if (!body.containsKey("data")) {
            throw RoomApi.invalid("missing field 'data' (any JSON value)", "data");
        }
        boolean reliable = RoomApi.flag(body, "reliable", true);
        Room room = rooms.room(roomName);
        List<String> recipients = recipients(room, body.getValue("to"));
        MediaService m = media.get();
        String data = Json.encode(body.getValue("data"));
        ServerData result = m == null
                ? new ServerData(List.of(), recipients, List.of())
                : m.sendData(room.name(), recipients, reliable, data);
        return new JsonObject()
                .put("room", room.name())
                .put("from", ServerData.SENDER)
                .put("reliable", reliable)
                .put("sent", new JsonArray(result.sent()))
                .put("noChannel", new JsonArray(result.noChannel()))
                .put("tooLarge", new JsonArray(result.tooLarge()));
    }

    /** The ids named in {@code to}, each of them in the room, or everyone in it. */
    private static List<String> recipients(Room room, Object to) throws ApiException {
        List<String> everyone = new ArrayList<>();
        room.members().forEach(p -> everyone.add(p.id()));
        room.viewers().forEach(p -> everyone.add(p.id()));
        if (to == null) {
            return everyone;
        }
        if (!(to instanceof JsonArray named) || named.isEmpty()) {
            throw RoomApi.invalid("to must be a non-empty array of participant ids", "to");
        }
        List<String> out = new ArrayList<>();
        for (Object id : named) {
            if (!(id instanceof String s)) {
                throw RoomApi.invalid("to must be a non-empty array of participant ids", "to");
            }
            if (!everyone.contains(s)) {
                throw new ApiException(
                        ApiError.PARTICIPANT_NOT_FOUND,
                        "no participant " + RoomApi.clip(s) + " in room " + room.name());
            }
            if (!out.contains(s)) {
                out.add(s);
            }
        }
        return out;
    }
}
