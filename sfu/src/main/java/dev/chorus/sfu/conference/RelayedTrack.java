package dev.chorus.sfu.conference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.codec.Codec;
import dev.chorus.sfu.codec.MediaKind;
import dev.chorus.sfu.forward.HeaderExtensionIds;
import dev.chorus.sfu.forward.ProducerParams;
import dev.chorus.sfu.rtp.RtpExtension;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A track as another cluster node needs it to receive it over the relay: what the room shows ({@link PublishedTrack})
 * and how its packets look (the publisher's SSRCs or rids, payload types and extension ids, which the relay keeps).
 * Travels between nodes as JSON ({@link #toJson}, {@link #fromJson}).
 */
public record RelayedTrack(PublishedTrack track, ProducerParams params) {
    public RelayedTrack {
        if (!track.producerId().equals(params.id())) {
            throw new IllegalArgumentException(
                    "track and params name different producers: " + track.producerId() + " " + params.id());
        }
    }

    public ObjectNode toJson() {
        ObjectNode n = track.toJson();
        n.put("payloadType", params.payloadType());
        n.put("rtxPayloadType", params.rtxPayloadType());
        n.put("redPayloadType", params.redPayloadType());
        n.put("screen", params.screen());
        if (params.mid() != null) {
            n.put("paramsMid", params.mid());
        }
        n.set("extensions", params.extensions().toJson());
        ArrayNode e = n.putArray("encodings");
        for (ProducerParams.Encoding enc : params.encodings()) {
            ObjectNode o = e.addObject();
            if (enc.rid() != null) {
                o.put("rid", enc.rid());
            }
            o.put("ssrc", enc.ssrc());
            o.put("rtxSsrc", enc.rtxSsrc());
        }
        return n;
    }

    /**
     * From {@link #toJson}; throws IllegalArgumentException, with what is wrong, for anything else (another node's
     * message is input like any other).
     */
    public static RelayedTrack fromJson(JsonNode n) {
        try {
            Codec codec = Codec.valueOf(text(n, "codec"));
            List<String> rids = new ArrayList<>();
            n.path("rids").forEach(r -> rids.add(r.asText()));
            PublishedTrack track = new PublishedTrack(
                    text(n, "producerId"),
                    text(n, "publisherId"),
                    text(n, "mid"),
                    MediaKind.fromToken(text(n, "kind")),
                    source(text(n, "source")),
                    codec,
                    n.path("ssrc").asLong(ProducerParams.NONE),
                    rids);
            HeaderExtensionIds ext = HeaderExtensionIds.NONE;
            for (Iterator<Map.Entry<String, JsonNode>> it = n.path("extensions").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                ext = ext.with(RtpExtension.valueOf(e.getKey()), e.getValue().asInt());
            }
            List<ProducerParams.Encoding> encodings = new ArrayList<>();
            for (JsonNode o : n.path("encodings")) {
                encodings.add(new ProducerParams.Encoding(
                        o.hasNonNull("rid") ? o.get("rid").asText() : null,
                        o.path("ssrc").asLong(ProducerParams.NONE),
                        o.path("rtxSsrc").asLong(ProducerParams.NONE)));
            }
            ProducerParams params = new ProducerParams(
                    track.producerId(),
                    codec,
                    n.path("payloadType").asInt(-1),
                    n.path("rtxPayloadType").asInt(ProducerParams.NONE),
                    ext,
                    n.hasNonNull("paramsMid") ? n.get("paramsMid").asText() : null,
                    encodings,
                    n.path("screen").asBoolean(false),
                    n.path("redPayloadType").asInt(ProducerParams.NONE));
            return new RelayedTrack(track, params);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a relayed track: " + e.getMessage() + " in " + n, e);
        }
    }

    private static TrackSource source(String wire) {
        TrackSource s = TrackSource.fromWire(wire);
        if (s == null) {
            throw new IllegalArgumentException("unknown source " + wire);
        }
        return s;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) {
            throw new IllegalArgumentException("no " + field);
        }
        return v.asText();
    }

    /** A list of tracks as one JSON array. */
    public static ArrayNode toJson(List<RelayedTrack> tracks) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        tracks.forEach(t -> a.add(t.toJson()));
        return a;
    }
}
