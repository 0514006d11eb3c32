package dev.chorus.sfu.forward;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Dynacast for one simulcast track: how many of its layers (lowest first) the publisher is asked to
 * send. Its subscribers each want the layer that fits the size they show it at ({@link
 * Consumer#preferredLayer()}); a layer above every such want only costs the publisher CPU and
 * uplink, so it is paused at the source. The lowest layer always stays on: a new subscriber starts
 * on it. Wants are preferences, not bandwidth: a subscriber on a thin link still wants its layer
 * (and climbs to it when the link allows), so the layer stays on for it. Going up takes effect at
 * once; going down only after the lower want held for {@link #LOWER_AFTER_NANOS}, so a tile resized
 * back and forth does not make the publisher's encoder flap. Worker-thread only.
 */
final class PublisherLayers {
    static final long LOWER_AFTER_NANOS = 3_000_000_000L;

    private final Producer producer;
    private int asked;
    private long lowerSinceNanos = -1;
    private long changes;

    PublisherLayers(Producer producer) {
        this.producer = producer;
        this.asked = producer.layerCount();
    }

    /** Layers the publisher is asked to send (all of them until a decision said otherwise). */
    int asked() {
        return asked;
    }

    /** Layers the subscribers want now: up to the highest preferred layer of a consumer that forwards. */
    int wanted(List<Consumer> consumers) {
        int top = 0;
        for (int i = 0; i < consumers.size(); i++) {
            Consumer c = consumers.get(i);
            if (!c.isPaused() && c.isSelected()) {
                top = Math.max(top, c.preferredLayer());
            }
        }
        // A room recording wants the top layer: it stays on while the recording runs.
        top = Math.max(top, producer.recordLayer());
        // So does a relay to another node: that node's subscribers choose among all of them.
        top = Math.max(top, producer.relayLayer());
        return Math.min(producer.layerCount(), top + 1);
    }

    /** Decides again; true when {@link #asked()} changed (the publisher must be told). */
    boolean update(List<Consumer> consumers, long nowNanos) {
        if (producer.layerCount() < 2) {
            return false;
        }
        int wanted = wanted(consumers);
        if (wanted >= asked) {
            lowerSinceNanos = -1;
            if (wanted == asked) {
                return false;
            }
        } else if (lowerSinceNanos < 0) {
            lowerSinceNanos = nowNanos;
            return false;
        } else if (nowNanos - lowerSinceNanos < LOWER_AFTER_NANOS) {
            return false;
        }
        asked = wanted;
        lowerSinceNanos = -1;
        changes++;
        return true;
    }

    void addJson(ObjectNode n) {
        n.put("layersAskedOfPublisher", asked);
        n.put("layersAskedChanges", changes);
    }
}
