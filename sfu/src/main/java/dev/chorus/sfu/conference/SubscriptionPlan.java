package dev.chorus.sfu.conference;

import dev.chorus.sfu.codec.Codec;
import dev.chorus.sfu.codec.MediaKind;
import dev.chorus.sfu.forward.ProducerParams;
import dev.chorus.sfu.sdp.RemoteTrack;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Which remote track sits on which of one participant's receiving m= lines, with the consumer id
 * and SSRCs each placement sends with. Placing keeps every track on the line it already has, so a
 * renegotiation never moves a stream the browser is showing. Also hands out the participant's
 * SSRCs, so the SSRCs it sends with never clash. Pure bookkeeping: the caller wires the changes
 * to the router. Control thread only.
 */
final class SubscriptionPlan {

    /** A remote track on one of this participant's receiving m= lines, and its consumer. */
    record Subscription(String mid, PublishedTrack track, String consumerId, long ssrc, long rtxSsrc) {

        /** What the answer sends on this subscription's line. */
        RemoteTrack remoteTrack() {
            String cname = "chorus-" + track.publisherId();
            return track.kind() == MediaKind.VIDEO
                    ? RemoteTrack.video(track.publisherId(), track.producerId(), ssrc, rtxSsrc, cname)
                    : RemoteTrack.audio(track.publisherId(), track.producerId(), ssrc, cname);
        }
    }

    /** What applying a placement changes: consumers to remove, then consumers to add. */
    record Changes(List<Subscription> removed, List<Subscription> added) {}

    private final String participantId;
    private final Random random;
    private Map<String, Subscription> byMid = new LinkedHashMap<>();
    private final Set<Long> usedSsrcs = new HashSet<>();
    private int consumerCounter;

    /** @param random where SSRCs come from (a SecureRandom in service; seeded in tests) */
    SubscriptionPlan(String participantId, Random random) {
        this.participantId = participantId;
        this.random = random;
    }

    /**
     * The next placement, not yet applied: keeps every subscription whose line still receives its
     * codec and whose track is still {@code available}, then puts each other available track on the
     * first free line of its codec. Tracks that find no line are left out (see {@link #unplaced}).
     * New placements take their consumer ids and SSRCs at once, even if they are never applied.
     *
     * @param receivingLines the lines of the offer this participant receives on, by mid in offer
     *                       order, with the codec each can receive
     * @param available      the tracks this participant may receive, in publication order
     */
    Map<String, Subscription> place(Map<String, Codec> receivingLines, List<PublishedTrack> available) {
        Map<String, Codec> freeLines = new LinkedHashMap<>(receivingLines);
        Set<String> availableIds = producerIds(available);
        Map<String, Subscription> next = new LinkedHashMap<>();
        Set<String> subscribed = new HashSet<>();
        for (Subscription s : byMid.values()) {
            if (freeLines.get(s.mid()) == s.track().codec()
                    && availableIds.contains(s.track().producerId())) {
                next.put(s.mid(), s);
                subscribed.add(s.track().producerId());
                freeLines.remove(s.mid());
            }
        }
        for (PublishedTrack t : available) {
            if (subscribed.contains(t.producerId())) {
                continue;
            }
            String mid = freeLines.entrySet().stream()
                    .filter(e -> e.getValue() == t.codec())
                    .map(Map.Entry::getKey)
                    .findFirst()
                    .orElse(null);
            if (mid == null) {
                continue; // counted by unplaced(): the participant is asked for more lines
            }
            freeLines.remove(mid);
            long rtx = t.kind() == MediaKind.VIDEO ? newSsrc() : ProducerParams.NONE;
            next.put(mid, new Subscription(mid, t, participantId + "-c" + (++consumerCounter), newSsrc(), rtx));
        }
        return next;
    }

    /** Makes {@code next} (from {@link #place}) the current placement and says what changed. */
    Changes apply(Map<String, Subscription> next) {
        List<Subscription> removed = new ArrayList<>();
        for (Subscription old : byMid.values()) {
            if (next.get(old.mid()) != old) {
                removed.add(old);
                usedSsrcs.remove(old.ssrc());
                usedSsrcs.remove(old.rtxSsrc());
            }
        }
        List<Subscription> added = new ArrayList<>();
        for (Subscription s : next.values()) {
            if (byMid.get(s.mid()) != s) {
                added.add(s);
            }
        }
        byMid = next;
        return new Changes(removed, added);
    }

    /** How many of the {@code available} tracks have no line in the current placement. */
    int unplaced(List<PublishedTrack> available) {
        Set<String> subscribed = new HashSet<>();
        byMid.values().forEach(s -> subscribed.add(s.track().producerId()));
        return (int) available.stream()
                .filter(t -> !subscribed.contains(t.producerId()))
                .count();
    }

    /** True when a placed track is no longer {@code available} (its line must be freed). */
    boolean anyGone(List<PublishedTrack> available) {
        Set<String> availableIds = producerIds(available);
        return byMid.values().stream()
                .anyMatch(s -> !availableIds.contains(s.track().producerId()));
    }

    /** The current placement, in line order. */
    Collection<Subscription> subscriptions() {
        return byMid.values();
    }

    /** Forgets every placement (the session ended); their consumers went with the endpoint. */
    void clear() {
        byMid = new LinkedHashMap<>();
    }

    /** A fresh non-zero SSRC for this participant, unlike any it has now. */
    long newSsrc() {
        long ssrc;
        do {
            ssrc = random.nextInt() & 0xFFFF_FFFFL;
        } while (ssrc == 0 || !usedSsrcs.add(ssrc));
        return ssrc;
    }

    private static Set<String> producerIds(List<PublishedTrack> tracks) {
        Set<String> ids = new HashSet<>();
        tracks.forEach(t -> ids.add(t.producerId()));
        return ids;
    }
}
