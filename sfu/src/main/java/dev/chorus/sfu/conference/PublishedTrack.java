package dev.chorus.sfu.conference;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.codec.Codec;
import dev.chorus.sfu.codec.MediaKind;

/** One track a participant sends into its room: the producer behind it and what it is. */
public record PublishedTrack(
        String producerId, String publisherId, String mid, MediaKind kind, TrackSource source, Codec codec, long ssrc) {

    public ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("producerId", producerId);
        n.put("publisherId", publisherId);
        n.put("mid", mid);
        n.put("kind", kind.token());
        n.put("source", source.wire());
        n.put("codec", codec.name());
        n.put("ssrc", ssrc);
        return n;
    }
}
