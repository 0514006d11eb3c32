package dev.chorus.signaling.cluster;

import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * One node as the cluster directory knows it: where browsers and media reach it, and its load when it last
 * published (every heartbeat).
 *
 * @param memberId     its process's member id in the cluster engine (a node restarted under the same id is a new
 *                     member)
 * @param url          the public URL of its page and WebSocket
 * @param participants participants and viewers in its rooms
 * @param joinsWaiting joins waiting in its join queue (its join-rate cap is reached)
 * @param packetsPerSecond packets it sent per second (forwarded media and RTCP) since its previous entry
 * @param cpu          its process's CPU load, 0-1 of the whole machine (negative: unknown)
 * @param draining     it refuses new joins (graceful shutdown)
 * @param relayAddress {@code host:port} other nodes relay media to; empty when unknown
 * @param roomParticipants its own participants (not viewers, not other nodes') per room it serves
 */
public record NodeInfo(
        String id,
        String memberId,
        String url,
        String mediaAddress,
        int mediaPort,
        int participants,
        int rooms,
        int joinsWaiting,
        long packetsPerSecond,
        double cpu,
        boolean draining,
        long updatedMillis,
        String relayAddress,
        Map<String, Integer> roomParticipants) {

    public NodeInfo {
        roomParticipants = Map.copyOf(roomParticipants);
    }

    /** Its own participants in {@code room}; 0 when it does not serve it. */
    public int participantsIn(String room) {
        return roomParticipants.getOrDefault(room, 0);
    }

    /** Whether it serves {@code room} (has participants of it). */
    public boolean serves(String room) {
        return roomParticipants.containsKey(room);
    }

    public JsonObject toJson() {
        return new JsonObject()
                .put("id", id)
                .put("memberId", memberId)
                .put("url", url)
                .put("mediaAddress", mediaAddress)
                .put("mediaPort", mediaPort)
                .put("participants", participants)
                .put("rooms", rooms)
                .put("joinsWaiting", joinsWaiting)
                .put("packetsPerSecond", packetsPerSecond)
                .put("cpu", cpu)
                .put("draining", draining)
                .put("updatedMillis", updatedMillis)
                .put("relayAddress", relayAddress)
                .put("roomParticipants", new JsonObject(new java.util.HashMap<>(roomParticipants)));
    }

    /** From {@link #toJson()}; null when {@code o} is not a node entry (another version, a foreign writer). */
    public static NodeInfo fromJson(JsonObject o) {
        if (o == null
                || !(o.getValue("id") instanceof String id)
                || !(o.getValue("memberId") instanceof String memberId)
                || !(o.getValue("url") instanceof String url)) {
            return null;
        }
        try {
            return new NodeInfo(
                    id,
                    memberId,
                    url,
                    o.getString("mediaAddress", ""),
                    o.getInteger("mediaPort", 0),
                    o.getInteger("participants", 0),
                    o.getInteger("rooms", 0),
                    o.getInteger("joinsWaiting", 0),
                    o.getLong("packetsPerSecond", 0L),
                    o.getDouble("cpu", -1.0),
                    o.getBoolean("draining", false),
                    o.getLong("updatedMillis", 0L),
                    o.getString("relayAddress", ""),
                    roomParticipants(o.getJsonObject("roomParticipants")));
        } catch (ClassCastException e) {
            return null;
        }
    }

    private static Map<String, Integer> roomParticipants(JsonObject o) {
        Map<String, Integer> m = new java.util.HashMap<>();
        if (o != null) {
            o.forEach(e -> {
                if (e.getValue() instanceof Number n) {
                    m.put(e.getKey(), n.intValue());
                }
            });
        }
        return m;
    }
}
