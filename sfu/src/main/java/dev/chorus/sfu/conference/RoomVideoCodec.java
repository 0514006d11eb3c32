package dev.chorus.sfu.conference;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one video codec of a room (sfu/CODECS.md "One video codec per room"). The SFU never transcodes, so
 * every publisher must send what every subscriber decodes: the room answers all its video lines with one
 * codec, the first of the configured preference ({@code chorus.media.video-codecs}) that every participant
 * who offered video can take. It stays while everyone can; a participant who cannot decode it makes the room
 * switch to the first codec everyone (with the newcomer) can, and the others are asked for a new offer, whose
 * answer moves their lines to it. A participant for whom no such codec exists is refused, and the room keeps
 * its codec. Pure bookkeeping: {@link #decide} changes nothing, {@link #accept} records an answered offer.
 * Control thread only.
 */
final class RoomVideoCodec {
    /**
     * The room's codec for an offer that can take {@code takes} (null: no video line). {@code switched}: the codec
     * changes, and the others must move to it.
     */
    record Decision(String codec, boolean switched, List<String> takes) {}

    private final List<String> preference;
    /** What each participant's latest offer with video lines can take, in the SFU's codec order. */
    private final Map<String, List<String>> decodable = new LinkedHashMap<>();
    /** Null until someone offered video. */
    private String current;

    private long switches;

    /** @param preference the video codecs the room may use, preferred first ({@code CodecPolicy} names) */
    RoomVideoCodec(List<String> preference) {
        if (preference.isEmpty()) {
            throw new IllegalArgumentException("a room needs at least one video codec");
        }
        this.preference = List.copyOf(preference);
    }

    /**
     * The codec the room uses once {@code participantId}'s offer is answered.
     *
     * @param takes the video codecs its offer can take on every video line; null when it offers no video
     *     line (it then constrains nothing, and its earlier offers still count)
     * @throws MediaException UNSUPPORTED_CODEC when no codec suits the participant and everyone else
     */
    Decision decide(String participantId, List<String> takes) throws MediaException {
        Map<String, List<String>> after = new HashMap<>(decodable);
        if (takes != null) {
            after.put(participantId, takes);
        }
        if (current != null && after.values().stream().allMatch(t -> t.contains(current))) {
            return new Decision(current, false, takes);
        }
        for (String codec : preference) {
            if (after.values().stream().allMatch(t -> t.contains(codec))) {
                return new Decision(codec, current != null && !codec.equals(current), takes);
            }
        }
        List<String> others = new ArrayList<>();
        decodable.forEach((id, t) -> {
            if (!id.equals(participantId)) {
                others.add(id + " " + t);
            }
        });
        throw new MediaException(
                MediaException.Kind.UNSUPPORTED_CODEC,
                "no video codec that this browser and everyone in the room can decode: it offers "
                        + (takes == null ? "no video" : takes.isEmpty() ? "none the server forwards" : takes)
                        + ", the others decode " + String.join(", ", others) + " (the server forwards "
                        + preference + "; it never transcodes)");
    }

    /** {@code participantId}'s offer was answered under {@code decision}. */
    void accept(String participantId, Decision decision) {
        if (decision.takes() != null) {
            decodable.put(participantId, List.copyOf(decision.takes()));
        }
        if (decodable.isEmpty()) {
            return; // no one offered video yet: no codec to keep to
        }
        if (decision.switched()) {
            switches++;
        }
        current = decision.codec();
    }

    /** The participant left: it constrains the room no more (the room keeps its codec). */
    void left(String participantId) {
        decodable.remove(participantId);
    }

    /** The room's codec, or null before anyone offered video. */
    String current() {
        return current;
    }

    ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("codec", current);
        preference.forEach(n.putArray("preference")::add);
        ObjectNode d = n.putObject("decodable");
        decodable.forEach((id, t) -> t.forEach(d.putArray(id)::add));
        n.put("switches", switches);
        return n;
    }
}
