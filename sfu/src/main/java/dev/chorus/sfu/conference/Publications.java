package dev.chorus.sfu.conference;

import dev.chorus.sfu.codec.Codec;
import dev.chorus.sfu.codec.MediaKind;
import dev.chorus.sfu.forward.ProducerParams;
import dev.chorus.sfu.sdp.Answer;
import dev.chorus.sfu.sdp.NegotiatedSection;
import dev.chorus.sfu.sdp.Publication;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tracks one participant publishes, by the mid of the sending m= line that carries each. Read
 * from each answer: a line that still sends the same SSRC (or, simulcast, the same rids), source
 * and codec keeps its track (and producer); anything else is a new track. Pure bookkeeping: the
 * caller wires the changes to the router and tells the room. Control thread only.
 */
final class Publications {
    /** The session's logger: this line is part of the participant's media log. */
    private static final Logger LOG = LoggerFactory.getLogger(MediaSession.class);

    /** What applying the tracks of an answer changes: tracks to withdraw, then tracks to publish. */
    record Changes(List<PublishedTrack> removed, List<PublishedTrack> added) {}

    private final String participantId;
    private final String log;
    private final Map<String, PublishedTrack> byMid = new LinkedHashMap<>();
    private int trackCounter;

    /** @param log the log context, "[room=.. participant=..]" */
    Publications(String participantId, String log) {
        this.participantId = participantId;
        this.log = log;
    }

    /**
     * The tracks {@code answer} accepts from the participant's sending lines, not yet applied.
     * New tracks take their ids at once, even if they are never applied.
     *
     * @param sources what each sending line carries, by mid ("mic", "camera", "screen"); a missing or
     *                unfitting one means mic for audio and camera for video
     */
    Map<String, PublishedTrack> fromAnswer(Answer answer, Map<String, String> sources) {
        Map<String, PublishedTrack> next = new LinkedHashMap<>();
        for (NegotiatedSection s : answer.sections()) {
            if (s.rejected()
                    || s.mid().isEmpty()
                    || s.publication().isEmpty()
                    || s.codecs().isEmpty()) {
                continue;
            }
            String mid = s.mid().get();
            Publication p = s.publication().get();
            Codec codec = Codec.fromSdpName(s.codecs().get().media().name());
            List<String> rids = s.simulcastRids();
            s.simulcastDeclined()
                    .ifPresent(why ->
                            LOG.info("{} m= line {} offers simulcast, answered as one stream: {}", log, mid, why));
            if (codec == null || (rids.isEmpty() && p.streams().isEmpty())) {
                // E.g. Chrome's simulcast declined: it sends one stream, but its offer named it by rid only.
                LOG.warn("{} m= line {} sends without an SSRC the server can use; not published", log, mid);
                continue;
            }
            TrackSource source = source(sources.get(mid), s.kind());
            long ssrc = rids.isEmpty() ? p.streams().get(0).ssrc() : ProducerParams.NONE;
            PublishedTrack existing = byMid.get(mid);
            if (existing != null
                    && existing.ssrc() == ssrc
                    && existing.rids().equals(rids)
                    && existing.source() == source
                    && existing.codec() == codec) {
                next.put(mid, existing);
            } else {
                next.put(
                        mid,
                        new PublishedTrack(
                                participantId + "-t" + (++trackCounter),
                                participantId,
                                mid,
                                s.kind(),
                                source,
                                codec,
                                ssrc,
                                rids));
            }
        }
        return next;
    }

    private static TrackSource source(String wire, MediaKind kind) {
        TrackSource s = TrackSource.fromWire(wire);
        boolean fits = s != null && (s == TrackSource.MIC) == (kind == MediaKind.AUDIO);
        return fits ? s : kind == MediaKind.AUDIO ? TrackSource.MIC : TrackSource.CAMERA;
    }

    /**
     * Makes {@code next} (from {@link #fromAnswer}) what the participant publishes and says what
     * changed. Kept tracks keep their place; new ones go last (the order /debug shows).
     */
    Changes apply(Map<String, PublishedTrack> next) {
        List<PublishedTrack> removed = new ArrayList<>();
        for (PublishedTrack old : List.copyOf(byMid.values())) {
            if (next.get(old.mid()) != old) {
                byMid.remove(old.mid());
                removed.add(old);
            }
        }
        List<PublishedTrack> added = new ArrayList<>();
        for (PublishedTrack t : next.values()) {
            if (byMid.get(t.mid()) != t) {
                byMid.put(t.mid(), t);
                added.add(t);
            }
        }
        return new Changes(removed, added);
    }

    /** Everything published now, in line order. */
    Collection<PublishedTrack> tracks() {
        return byMid.values();
    }

    /** Withdraws everything (the session ended) and returns what was published. */
    List<PublishedTrack> clear() {
        List<PublishedTrack> all = List.copyOf(byMid.values());
        byMid.clear();
        return all;
    }

    int size() {
        return byMid.size();
    }
}
