package dev.chorus.sfu.forward;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.speaker.DominantSpeaker;
import dev.chorus.sfu.speaker.SpeechActivity;
import dev.chorus.sfu.worker.Timer;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who speaks in one router's room: the audio producers whose packets carry audio levels feed
 * their {@link SpeechActivity}; every {@link #TICK_NANOS} a {@link DominantSpeaker} decides, and
 * a change goes to the router's {@link Router.Listener}. Also keeps the order in which
 * participants last held the floor, most recent first (what last-N ranks by). Worker-thread only.
 */
final class RoomSpeakers implements DominantSpeaker.Candidates {
    private static final Logger LOG = LoggerFactory.getLogger(RoomSpeakers.class);
    static final long TICK_NANOS = 100_000_000L;

    private final Router router;
    private final Timer timer;
    private final DominantSpeaker dominant = new DominantSpeaker();
    /** Audio producers with an audio-level extension, in the order they were added. */
    private final List<Producer> producers = new ArrayList<>();
    /** Endpoint ids, most recent dominant speaker first. */
    private final List<String> order = new ArrayList<>();

    private String current;

    RoomSpeakers(Router router) {
        this.router = router;
        this.timer = new Timer("speakers:" + router.id(), this::tick);
    }

    void add(Producer p) {
        if (p.speech() == null) {
            return;
        }
        producers.add(p);
        if (!timer.isScheduled()) {
            router.worker().timers().schedule(timer, router.worker().clock().nowNanos() + TICK_NANOS);
        }
    }

    void remove(Producer p) {
        int i = producers.indexOf(p);
        if (i < 0) {
            return;
        }
        producers.remove(i);
        dominant.onRemoved(i);
        String endpoint = p.publisher().id();
        boolean stillPublishes = false;
        for (int j = 0; j < producers.size(); j++) {
            stillPublishes |= producers.get(j).publisher().id().equals(endpoint);
        }
        if (!stillPublishes) {
            order.remove(endpoint);
            if (endpoint.equals(current)) {
                current = null;
            }
        }
        if (producers.isEmpty()) {
            router.worker().timers().cancel(timer);
        }
    }

    @Override
    public int count() {
        return producers.size();
    }

    @Override
    public SpeechActivity activity(int i) {
        return producers.get(i).speech();
    }

    private void tick(long now) {
        if (producers.isEmpty() || router.isClosed()) {
            return;
        }
        for (int i = 0; i < producers.size(); i++) {
            producers.get(i).speech().decayTo(now);
        }
        int d = dominant.tick(this);
        String endpoint = d < 0 ? null : producers.get(d).publisher().id();
        if (endpoint != null && !endpoint.equals(current)) {
            current = endpoint;
            order.remove(endpoint);
            order.add(0, endpoint);
            LOG.debug("[router={} endpoint={}] dominant speaker", router.id(), endpoint);
            router.dominantSpeakerChanged(endpoint);
        }
        router.worker().timers().schedule(timer, now + TICK_NANOS);
    }

    /** The dominant speaker's endpoint id, or null before anyone spoke. */
    String current() {
        return current;
    }

    /** Endpoint ids in the order they last held the floor, most recent first. */
    List<String> order() {
        return order;
    }

    void close() {
        router.worker().timers().cancel(timer);
    }

    ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("dominant", current);
        n.put("changes", dominant.changes());
        ArrayNode o = n.putArray("order");
        order.forEach(o::add);
        ArrayNode a = n.putArray("activity");
        for (Producer p : producers) {
            a.addObject()
                    .put("endpoint", p.publisher().id())
                    .put("producer", p.id())
                    .put("recent", Math.round(p.speech().recent() * 1000) / 1000.0)
                    .put("sustained", Math.round(p.speech().sustained() * 1000) / 1000.0)
                    .put("floorDb", Math.round(p.speech().floorDb() * 10) / 10.0)
                    .put("levels", p.speech().levels());
        }
        return n;
    }
}
