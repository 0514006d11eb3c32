package dev.chorus.signaling.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.sfu.conference.MediaException;
import dev.chorus.sfu.conference.MediaRoom;
import dev.chorus.sfu.conference.MediaService;
import dev.chorus.sfu.conference.RelayedTrack;
import dev.chorus.sfu.relay.RelayLink;
import dev.chorus.sfu.relay.RelayPort;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The media of rooms that span nodes, wired between nodes: when another node describes a member of a room that this
 * node serves too, and that member publishes, this node asks that node for its streams. The asking node registers a
 * remote publisher (its tag for the streams) and sends the tag and its relay address in a request; the publisher's
 * node starts a relay sender and answers with its own tag, for this node's NACKs and keyframe requests. Then the
 * member's tracks are offered to this node's participants. A member that leaves, a node that goes and a room that
 * ends here undo it (the publisher's node is told to stop). A request that fails is tried again at the next
 * description. Signaling thread (the media service's control thread).
 */
public final class MediaRelays {
    private static final Logger log = LoggerFactory.getLogger(MediaRelays.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final long REQUEST_TIMEOUT_MILLIS = 2000;

    private final Vertx vertx;
    private final String selfId;
    private final MediaService media;
    private final RelayPort port;
    private final Function<String, NodeInfo> nodes;
    /** Relay hosts whose datagrams are read. */
    private final Set<InetAddress> allowed = new HashSet<>();
    /** Room, then remote publisher: what this node receives. */
    private final Map<String, Map<String, Incoming>> incoming = new HashMap<>();

    private long requestsFailed;
    private long tracksRefused;

    /** One remote publisher's streams coming here. */
    private static final class Incoming {
        final String node;
        final MediaRoom mediaRoom;
        final RelayLink link;
        JsonArray tracks;
        JsonArray applied;
        boolean ready;

        Incoming(String node, MediaRoom mediaRoom, RelayLink link, JsonArray tracks) {
            this.node = node;
            this.mediaRoom = mediaRoom;
            this.link = link;
            this.tracks = tracks;
        }
    }

    /** @param nodes the live node of an id, or null */
    public MediaRelays(
            Vertx vertx, String selfId, MediaService media, RelayPort port, Function<String, NodeInfo> nodes) {
        this.vertx = vertx;
        this.selfId = selfId;
        this.media = media;
        this.port = port;
        this.nodes = nodes;
    }

    static String requestAddress(String node) {
        return "chorus.cluster.relay." + node;
    }

    static String stopAddress(String node) {
        return "chorus.cluster.relay-stop." + node;
    }

    public void start() {
        vertx.eventBus().<JsonObject>consumer(requestAddress(selfId), this::onRequest);
        vertx.eventBus().<JsonObject>consumer(stopAddress(selfId), this::onStop);
    }

    /** This node's relay address as other nodes reach it. */
    String relayAddress() {
        InetSocketAddress a = port.localAddress();
        String host = a.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /**
     * Datagrams from the live nodes' relay hosts are read from now on. A host is not dropped when its node's entry
     * lapses for a moment (a slow heartbeat), only when its member leaves ({@link #departed}).
     */
    void liveNodes(Map<String, NodeInfo> live) {
        if (allowed.addAll(hosts(live))) {
            port.allowSources(allowed);
        }
    }

    /** A node's member left: only the live nodes' hosts are read. */
    void departed(Map<String, NodeInfo> live) {
        allowed.clear();
        allowed.addAll(hosts(live));
        port.allowSources(allowed);
    }

    private static Set<InetAddress> hosts(Map<String, NodeInfo> live) {
        Set<InetAddress> hosts = new HashSet<>();
        for (NodeInfo n : live.values()) {
            InetSocketAddress a = parse(n.relayAddress());
            if (a != null) {
                hosts.add(a.getAddress());
            }
        }
        return hosts;
    }

    // ------------------------------------------------------------------ receiving side

    /** {@code node}'s latest description of its members of {@code room} (each with its {@code tracks}). */
    void described(String room, String node, List<JsonObject> members) {
        Map<String, Incoming> byPublisher = incoming.computeIfAbsent(room, r -> new LinkedHashMap<>());
        Set<String> publishing = new HashSet<>();
        for (JsonObject m : members) {
            String id = m.getString("id");
            JsonArray tracks = m.getJsonArray("tracks", new JsonArray());
            if (id == null || tracks.isEmpty()) {
                continue;
            }
            publishing.add(id);
            Incoming in = byPublisher.get(id);
            if (in != null && (in.mediaRoom.isClosed() || media.existingRoom(room) != in.mediaRoom)) {
                byPublisher.remove(id); // the media room here ended and began again: start over
                in = null;
            }
            if (in == null) {
                setUp(room, node, id, tracks);
            } else {
                in.tracks = tracks;
                offer(room, id, in);
            }
        }
        for (Map.Entry<String, Incoming> e : List.copyOf(byPublisher.entrySet())) {
            if (e.getValue().node.equals(node) && !publishing.contains(e.getKey())) {
                remove(room, e.getKey(), true);
            }
        }
    }

    private void setUp(String room, String node, String publisher, JsonArray tracks) {
        NodeInfo n = nodes.apply(node);
        InetSocketAddress to = n == null ? null : parse(n.relayAddress());
        if (to == null) {
            return; // not read from the directory yet: the next description tries again
        }
        MediaRoom mediaRoom;
        RelayLink link;
        int tag;
        try {
            mediaRoom = media.room(room);
            link = port.link(to);
            tag = mediaRoom.relays().receiveFrom(publisher, link);
        } catch (MediaException | IOException | RuntimeException e) {
            log.warn("[room={} participant={}] cannot receive from node {}: {}", room, publisher, node, e.toString());
            return;
        }
        Incoming in = new Incoming(node, mediaRoom, link, tracks);
        incoming.computeIfAbsent(room, r -> new LinkedHashMap<>()).put(publisher, in);
        JsonObject request = new JsonObject()
                .put("room", room)
                .put("publisher", publisher)
                .put("to", relayAddress())
                .put("tag", tag);
        vertx.eventBus()
                .<JsonObject>request(
                        requestAddress(node), request, new DeliveryOptions().setSendTimeout(REQUEST_TIMEOUT_MILLIS))
                .onComplete(ar -> {
                    Map<String, Incoming> now = incoming.get(room);
                    if (now == null || now.get(publisher) != in) {
                        return; // undone meanwhile
                    }
                    if (ar.failed() || !(ar.result().body().getValue("tag") instanceof Number back)) {
                        requestsFailed++;
                        log.warn(
                                "[room={} participant={}] node {} did not start its relay: {}",
                                room,
                                publisher,
                                node,
                                ar.failed()
                                        ? ar.cause().toString()
                                        : ar.result().body());
                        remove(room, publisher, false);
                        return;
                    }
                    in.mediaRoom.relays().setReturnTag(publisher, back.intValue());
                    in.ready = true;
                    log.info("[room={} participant={}] relayed here from node {}", room, publisher, node);
                    offer(room, publisher, in);
                });
    }

    /** Offers the publisher's tracks here, when the relay is up and they changed since last time. */
    private void offer(String room, String publisher, Incoming in) {
        if (!in.ready || in.tracks.equals(in.applied) || in.mediaRoom.isClosed()) {
            return;
        }
        List<RelayedTrack> list = new ArrayList<>();
        for (Object o : in.tracks) {
            try {
                list.add(RelayedTrack.fromJson(JSON.readTree(((JsonObject) o).encode())));
            } catch (IOException | RuntimeException e) {
                tracksRefused++;
                log.warn("[room={} participant={}] a relayed track refused: {}", room, publisher, e.getMessage());
            }
        }
        in.mediaRoom.relays().publishRemote(publisher, list);
        in.applied = in.tracks;
    }

    private void remove(String room, String publisher, boolean tellNode) {
        Map<String, Incoming> byPublisher = incoming.get(room);
        Incoming in = byPublisher == null ? null : byPublisher.remove(publisher);
        if (in == null) {
            return;
        }
        if (!in.mediaRoom.isClosed()) {
            in.mediaRoom.relays().removeRemote(publisher);
        }
        if (tellNode) {
            vertx.eventBus()
                    .send(
                            stopAddress(in.node),
                            new JsonObject()
                                    .put("room", room)
                                    .put("publisher", publisher)
                                    .put("to", relayAddress()));
        }
    }

    /** Every publisher of {@code node} in {@code room} (or every room, with null) goes: the node is gone or silent. */
    void nodeLost(String room, String node) {
        for (String r : room == null ? List.copyOf(incoming.keySet()) : List.of(room)) {
            Map<String, Incoming> byPublisher = incoming.getOrDefault(r, Map.of());
            for (Map.Entry<String, Incoming> e : List.copyOf(byPublisher.entrySet())) {
                if (e.getValue().node.equals(node)) {
                    remove(r, e.getKey(), false);
                }
            }
        }
    }

    /** The room ended here: nothing more comes for it, and a media room kept only for relayed publishers closes. */
    void roomEnded(String room) {
        for (String publisher :
                List.copyOf(incoming.getOrDefault(room, Map.of()).keySet())) {
            remove(room, publisher, true);
        }
        incoming.remove(room);
        MediaRoom m = media.existingRoom(room);
        if (m != null) {
            m.closeIfUnused();
        }
    }

    // ------------------------------------------------------------------ publishing side

    private void onRequest(Message<JsonObject> m) {
        JsonObject r = m.body();
        String room = r.getString("room");
        String publisher = r.getString("publisher");
        InetSocketAddress to = parse(r.getString("to"));
        MediaRoom mediaRoom = room == null ? null : media.existingRoom(room);
        if (mediaRoom == null || publisher == null || to == null || !(r.getValue("tag") instanceof Number tag)) {
            m.fail(404, "no media of room " + room + " here, or a malformed request: " + r.encode());
            return;
        }
        try {
            int back = mediaRoom.relays().relayTo(publisher, port.link(to), tag.intValue());
            m.reply(new JsonObject().put("tag", back));
            log.info("[room={} participant={}] relayed to {}", room, publisher, to);
        } catch (IOException | RuntimeException e) {
            m.fail(400, e.getMessage());
        }
    }

    private void onStop(Message<JsonObject> m) {
        JsonObject r = m.body();
        String room = r.getString("room");
        InetSocketAddress to = parse(r.getString("to"));
        MediaRoom mediaRoom = room == null ? null : media.existingRoom(room);
        if (mediaRoom != null && to != null && r.getString("publisher") != null) {
            try {
                mediaRoom.relays().stopRelay(r.getString("publisher"), port.link(to));
            } catch (IOException e) {
                // the port is closing: nothing is sent anyway
            }
        }
    }

    /** {@code host:port} (IPv6 in brackets), or null. */
    static InetSocketAddress parse(String address) {
        if (address == null || address.isBlank()) {
            return null;
        }
        int colon = address.lastIndexOf(':');
        if (colon <= 0) {
            return null;
        }
        try {
            String host = address.substring(0, colon).replace("[", "").replace("]", "");
            int p = Integer.parseInt(address.substring(colon + 1));
            return p > 0 && p < 65536 ? new InetSocketAddress(InetAddress.getByName(host), p) : null;
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }

    JsonObject toJson() {
        JsonObject o = new JsonObject()
                .put("relayAddress", relayAddress())
                .put("requestsFailed", requestsFailed)
                .put("tracksRefused", tracksRefused);
        JsonArray in = new JsonArray();
        incoming.forEach((room, m) -> m.forEach((p, x) -> in.add(new JsonObject()
                .put("room", room)
                .put("publisher", p)
                .put("node", x.node)
                .put("ready", x.ready))));
        return o.put("incoming", in);
    }
}
