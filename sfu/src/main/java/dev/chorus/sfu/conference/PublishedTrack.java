package dev.chorus.sfu.conference;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.codec.Codec;
import dev.chorus.sfu.codec.MediaKind;
import dev.chorus.sfu.forward.ProducerParams;
import java.util.List;

/**
 * One track a participant sends into its room: the producer behind it and what it is. Subscribers
 * get it as one stream with their own SSRC whatever the publisher sends.
 *
 * @param ssrc the publisher's media SSRC as its offer announced it; {@link ProducerParams#NONE} for a
 *             simulcast track, whose layers' SSRCs the forwarder learns from the packets
 * @param rids the simulcast layers, lowest resolution first; empty for a one-stream track
 */
public record PublishedTrack(
        String producerId,
        String publisherId,
        String mid,
        MediaKind kind,
        TrackSource source,
        Codec codec,
        long ssrc,
        List<String> rids) {

    public PublishedTrack {
        rids = List.copyOf(rids);
        if (rids.isEmpty() == (ssrc == ProducerParams.NONE)) {
            throw new IllegalArgumentException("a track has either an ssrc or simulcast rids: " + ssrc + " " + rids);
        }
    }

    public boolean isSimulcast() {
        return !rids.isEmpty();
    }

    /** How the publisher's packets of this track are recognised, for logs. */
    String streams() {
        return isSimulcast() ? "rids " + String.join(",", rids) : "ssrc " + ssrc;
    }

    public ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("producerId", producerId);
        n.put("publisherId", publisherId);
        n.put("mid", mid);
        n.put("kind", kind.token());
        n.put("source", source.wire());
        n.put("codec", codec.name());
        n.put("ssrc", ssrc);
        ArrayNode r = n.putArray("rids");
        rids.forEach(r::add);
        return n;
    }
}
