package dev.chorus.sfu.forward;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.codec.MediaKind;
import java.util.ArrayList;
import java.util.List;

/**
 * Last-N for one subscriber: which of its camera videos the SFU forwards. A video is a candidate
 * unless the subscriber said it does not show it (a 0 x 0 view); candidates are ranked by how
 * recently their publisher held the floor (the router's speaker order), then by subscription
 * order, and the first N are forwarded; the rest are paused at the SFU. Screen shares are always
 * forwarded and never counted. Decided again when speakers, subscriptions or views change (not
 * per packet). The subscriber's client is told which videos are paused, so its tiles can show
 * who it is instead of a frozen picture. Worker-thread only.
 */
final class VideoSelection {
    private final Endpoint endpoint;
    private final Router router;
    /** The subscriber's own limit (from its client), 0: the router's. */
    private int clientLastN;

    private final List<Consumer> ranked = new ArrayList<>();
    private final List<String> pausedIds = new ArrayList<>();
    private long changes;

    VideoSelection(Endpoint endpoint, Router router) {
        this.endpoint = endpoint;
        this.router = router;
    }

    /** The subscriber's own N (0: the server's); it can only lower the server's. */
    void setClientLastN(int n) {
        clientLastN = Math.max(0, n);
    }

    /** N in effect: the smaller positive of the server's and the client's; 0 means no limit. */
    int lastN() {
        int server = router.config().lastN();
        if (clientLastN == 0) {
            return server;
        }
        return server == 0 ? clientLastN : Math.min(server, clientLastN);
    }

    /** Re-decides; tells the router's listener when the paused set changed. */
    void update(long nowNanos) {
        List<Consumer> consumers = endpoint.consumers();
        ranked.clear();
        for (int i = 0; i < consumers.size(); i++) {
            Consumer c = consumers.get(i);
            if (c.producer().kind() == MediaKind.VIDEO && !c.producer().params().screen()) {
                ranked.add(c);
            }
        }
        List<String> order = router.speakerOrderView();
        ranked.sort((a, b) -> Integer.compare(rank(a, order), rank(b, order)));
        int n = lastN();
        int forwarded = 0;
        boolean changed = false;
        for (int i = 0; i < ranked.size(); i++) {
            Consumer c = ranked.get(i);
            boolean select = !c.isHiddenByView() && (n == 0 || forwarded < n);
            if (select) {
                forwarded++;
            }
            changed |= c.setSelected(select, nowNanos);
        }
        if (changed) {
            changes++;
            pausedIds.clear();
            for (int i = 0; i < ranked.size(); i++) {
                if (!ranked.get(i).isSelected()) {
                    pausedIds.add(ranked.get(i).id());
                }
            }
            router.videoSelectionChanged(endpoint.id(), List.copyOf(pausedIds));
        }
    }

    /** Speakers first, most recent first; then everyone else in subscription order. */
    private int rank(Consumer c, List<String> speakerOrder) {
        int spoke = speakerOrder.indexOf(c.producer().publisher().id());
        return spoke >= 0 ? spoke : speakerOrder.size() + endpoint.consumers().indexOf(c);
    }

    ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("lastN", lastN());
        n.put("clientLastN", clientLastN);
        n.put("changes", changes);
        ArrayNode paused = n.putArray("paused");
        pausedIds.forEach(paused::add);
        return n;
    }
}
