package dev.chorus.signaling.cluster;

import dev.chorus.signaling.room.Participant;
import dev.chorus.signaling.room.Room;
import dev.chorus.signaling.room.RoomListener;
import dev.chorus.signaling.session.JoinPlacement;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's view of the cluster, kept in two cluster-wide maps: {@code chorus.cluster.nodes} (node id to its
 * {@link NodeInfo}) and {@code chorus.cluster.rooms} (room name to the id of the node that serves it). Every
 * heartbeat the node publishes its own entry, renews the entries of the rooms it serves (both expire after the
 * entry TTL, so a dead node's rooms become free to place again) and reads the other nodes' entries.
 *
 * <p>A join is routed ({@link #route}) to the node that serves its room; a room nobody serves is claimed for the
 * node {@link Placement} chooses, by an atomic put-if-absent, so two nodes placing the same new room at once agree
 * on one owner. When the directory cannot be read the join is served here: a cluster map outage must not stop
 * joins, and neither must one that does not answer (after {@link #ROUTE_TIMEOUT_MILLIS}). Runs on the signaling
 * thread: the maps' futures complete on the context that called them.
 */
public final class ClusterDirectory implements RoomListener, JoinPlacement {

    private static final Logger log = LoggerFactory.getLogger(ClusterDirectory.class);
    static final String NODES_MAP = "chorus.cluster.nodes";
    static final String ROOMS_MAP = "chorus.cluster.rooms";
    /** How long a join waits for the directory before it is served here. */
    static final long ROUTE_TIMEOUT_MILLIS = 2000;

    private final Vertx vertx;
    private final ClusterConfig config;
    private final ClusterMembers members;
    /** Told the node list whenever it changes; see {@link #nodesMessage()}. */
    private final Consumer<JsonObject> onNodesChanged;

    private final Supplier<NodeInfo> self;
    private final String selfId;
    private AsyncMap<String, JsonObject> nodes;
    private AsyncMap<String, String> rooms;
    private long timer = -1;
    private boolean stopped;
    private boolean heartbeatInFlight;
    private boolean heartbeatAgain;
    /** This node refuses joins (graceful shutdown): its rooms' joins go to other nodes. */
    private boolean draining;

    /** The live nodes as last read (this one included once it has published). */
    private Map<String, NodeInfo> live = Map.of();
    /** New rooms placed per node since its entry was last read; see {@link Placement}. */
    private final Map<String, Integer> placedSinceRefresh = new HashMap<>();
    /** Rooms this node serves, renewed every heartbeat. */
    private final Set<String> localRooms = new LinkedHashSet<>();
    /** Joins this node sent to a node of a spanning room since that node last published: "node room" to count. */
    private final Map<String, Integer> spannedSinceRefresh = new HashMap<>();
    /** Told the ids of nodes whose cluster member left (killed, cut off, stopped). */
    private final List<Consumer<List<String>>> departureListeners = new ArrayList<>();
    /** Told the live nodes after every read of the directory and every departure. */
    private final List<Consumer<Map<String, NodeInfo>>> liveListeners = new ArrayList<>();
    /** Other parts of cluster mode's state for /debug, by key. */
    private final Map<String, Supplier<JsonObject>> debugParts = new TreeMap<>();
    /** Joins routed here whose participant has not joined yet: a burst must not all see room for one more. */
    private final PendingJoins joining = new PendingJoins();
    /** This node's own participants per room, read live for its own routing decisions. */
    private ToIntFunction<String> localParticipants = room -> 0;

    private final ClusterStats stats = new ClusterStats();

    /**
     * @param self           this node's entry as of now (its load changes); called on the signaling thread
     * @param onNodesChanged gets {@link #nodesMessage()} when a node comes or goes (to tell clients where else to go)
     */
    public ClusterDirectory(
            Vertx vertx,
            ClusterConfig config,
            ClusterMembers members,
            Supplier<NodeInfo> self,
            Consumer<JsonObject> onNodesChanged) {
        this.vertx = vertx;
        this.config = config;
        this.members = members;
        this.onNodesChanged = onNodesChanged;
        this.self = self;
        this.selfId = self.get().id();
    }

    public String nodeId() {
        return selfId;
    }

    /** Opens the maps, publishes this node and starts the heartbeat. */
    public Future<Void> start() {
        return vertx.sharedData()
                .<String, JsonObject>getAsyncMap(NODES_MAP)
                .compose(n -> {
                    nodes = n;
                    return vertx.sharedData().<String, String>getAsyncMap(ROOMS_MAP);
                })
                .compose(r -> {
                    rooms = r;
                    return heartbeat();
                })
                .onSuccess(v -> {
                    // Hazelcast's thread says who left; the directory is this thread's.
                    Context context = vertx.getOrCreateContext();
                    members.onRemoved(member -> context.runOnContext(x -> departed(member)));
                    timer = vertx.setPeriodic(config.heartbeatInterval().toMillis(), id -> heartbeat());
                    log.info(
                            "[node={}] in cluster '{}' with {} node(s): {}",
                            selfId,
                            config.name(),
                            live.size(),
                            live.keySet());
                });
    }

    /** Leaves the directory: this node's entry and its rooms' entries go at once instead of expiring. */
    public Future<Void> stop() {
        stopped = true;
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        if (nodes == null) {
            return Future.succeededFuture();
        }
        Future<?> all = nodes.remove(selfId);
        for (String room : localRooms) {
            all = all.compose(v -> rooms.removeIfPresent(room, selfId));
        }
        return all.<Void>mapEmpty().recover(e -> Future.succeededFuture());
    }

    private Future<Void> heartbeat() {
        if (stopped || heartbeatInFlight) {
            // A cluster that hangs gets one heartbeat at a time, not a pile; one asked for meanwhile follows.
            heartbeatAgain = heartbeatInFlight;
            return Future.succeededFuture();
        }
        heartbeatInFlight = true;
        long ttl = config.entryTtl().toMillis();
        NodeInfo me = self.get();
        Future<?> renewed = nodes.put(selfId, me.toJson(), ttl);
        // A draining node lets its rooms go: their participants move to other nodes, which take the rooms over.
        for (String room : me.draining() ? List.<String>of() : localRooms) {
            // The owner renews its room; another node serving part of it claims it only when it has no owner.
            renewed = renewed.compose(v -> rooms.get(room))
                    .compose(owner -> owner == null
                            ? rooms.putIfAbsent(room, selfId, ttl).mapEmpty()
                            : selfId.equals(owner) ? rooms.put(room, selfId, ttl) : Future.<Void>succeededFuture());
        }
        return renewed.compose(v -> nodes.entries())
                .<Void>map(entries -> {
                    // Only connected members count: a killed node's entry outlives it by up to the entry TTL.
                    Set<String> connected = members.ids();
                    Map<String, NodeInfo> read = new TreeMap<>();
                    entries.forEach((id, json) -> {
                        NodeInfo n = NodeInfo.fromJson(json);
                        if (n != null && n.id().equals(id) && connected.contains(n.memberId())) {
                            read.put(id, n);
                        }
                    });
                    read.put(selfId, me); // this node is live, whatever the map said a moment ago
                    setLive(read);
                    placedSinceRefresh.clear();
                    spannedSinceRefresh.clear();
                    return null;
                })
                .onFailure(e -> {
                    stats.directoryErrors.incrementAndGet();
                    log.warn("[node={}] cluster heartbeat failed: {}", selfId, e.toString());
                })
                .onComplete(ar -> {
                    heartbeatInFlight = false;
                    if (heartbeatAgain) {
                        heartbeatAgain = false;
                        heartbeat();
                    }
                });
    }

    /** A member left (killed, partitioned or stopped): its node gets no more joins, its rooms can be placed again. */
    private void departed(String member) {
        Map<String, NodeInfo> left = new TreeMap<>(live);
        List<String> gone = left.values().stream()
                .filter(n -> n.memberId().equals(member) && !n.id().equals(selfId))
                .map(NodeInfo::id)
                .toList();
        if (gone.isEmpty()) {
            return;
        }
        gone.forEach(left::remove);
        log.info("[node={}] node(s) {} left the cluster; their rooms can be placed again", selfId, gone);
        stats.departures.addAndGet(gone.size());
        setLive(left);
        departureListeners.forEach(l -> l.accept(gone));
        gone.forEach(id -> nodes.remove(id));
        // A room this node serves part of, owned by a node that left, is this node's now (its chat order goes on).
        long ttl = config.entryTtl().toMillis();
        for (String room : List.copyOf(localRooms)) {
            for (String id : gone) {
                takeOver(room, id, ttl);
            }
        }
    }

    private void setLive(Map<String, NodeInfo> next) {
        boolean changed = !next.keySet().equals(live.keySet());
        live = next;
        stats.liveNodes.set(next.size());
        if (changed && !stopped) {
            onNodesChanged.accept(nodesMessage());
        }
        for (Consumer<Map<String, NodeInfo>> l : liveListeners) {
            try {
                l.accept(next);
            } catch (RuntimeException e) {
                log.warn("[node={}] a listener of the live nodes failed", selfId, e);
            }
        }
    }

    /** {@code listener} hears the live nodes after every read of the directory (each heartbeat) and departure. */
    public void onLiveNodes(Consumer<Map<String, NodeInfo>> listener) {
        liveListeners.add(listener);
    }

    /**
     * {@code listener} hears the ids of nodes whose cluster member left: the membership's word, not an entry that
     * expired because its node was slow to renew it.
     */
    public void onDeparted(Consumer<List<String>> listener) {
        departureListeners.add(listener);
    }

    /** How many of its own participants this node has in a room, for routing joins of spanning rooms. */
    public void localParticipants(ToIntFunction<String> count) {
        this.localParticipants = count;
    }

    /**
     * The room's owner node, which numbers its chat: the node in the directory when it is live, else this node,
     * which claims it (atomically: a node that claimed it first stays the owner).
     */
    public Future<String> owner(String room) {
        if (rooms == null) {
            return Future.succeededFuture(selfId);
        }
        long ttl = config.entryTtl().toMillis();
        return rooms.get(room).compose(owner -> {
            if (owner != null && live.containsKey(owner)) {
                return Future.succeededFuture(owner);
            }
            Future<String> claimed = owner == null
                    ? rooms.putIfAbsent(room, selfId, ttl).map(prev -> prev == null ? selfId : prev)
                    : takeOver(room, owner, ttl).compose(yes -> yes ? Future.succeededFuture(selfId) : rooms.get(room));
            return claimed.map(o -> o == null ? selfId : o);
        });
    }

    /**
     * The message that tells a client the nodes of the cluster ({@code cluster}: this node and each live node's id
     * and URL), so that a page whose node dies can go to another one at once.
     */
    public JsonObject nodesMessage() {
        JsonArray list = new JsonArray();
        live.values().forEach(n -> list.add(new JsonObject().put("id", n.id()).put("url", n.url())));
        return new JsonObject().put("type", "cluster").put("node", selfId).put("nodes", list);
    }

    @Override
    public Future<Route> route(String room) {
        return route(room, false);
    }

    /**
     * A join another node redirected here, of a room that may span nodes, is served here while this node has room
     * for it: the other node chose this one knowing its own count, which this node knows only as last published (a
     * join sent back and forth between two nodes' stale views of each other is worse than one node a little over).
     */
    @Override
    public Future<Route> route(String room, boolean redirected) {
        int perNode = config.roomParticipantsPerNode();
        boolean roomHere = localRooms.contains(room) && !draining;
        boolean takeIt = redirected && perNode > 0 && !draining && participantsHere(room) < perNode;
        if (nodes == null || takeIt || (roomHere && (perNode == 0 || participantsHere(room) < perNode))) {
            stats.routedHere.incrementAndGet();
            joining.add(room, System.nanoTime());
            return Future.succeededFuture(Route.LOCAL);
        }
        return rooms.get(room)
                .compose(owner -> takesJoins(owner)
                        .compose(yes -> yes
                                ? Future.succeededFuture(perNode == 0 ? owner : spanTarget(room, owner, perNode))
                                : claim(room, owner)))
                .map(this::routeTo)
                .map(route -> {
                    if (route == Route.LOCAL) {
                        joining.add(room, System.nanoTime());
                    }
                    return route;
                })
                // A cluster that does not answer (partitioned, overloaded) must not hold joins: serve here.
                .timeout(ROUTE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
                .recover(e -> {
                    stats.directoryErrors.incrementAndGet();
                    log.warn(
                            "[node={}] room={} served here: the cluster directory failed: {}",
                            selfId,
                            room,
                            e.toString());
                    stats.routedHere.incrementAndGet();
                    return Future.succeededFuture(Route.LOCAL);
                });
    }

    /**
     * Whether {@code owner} (null: nobody) takes joins now: this node, or a connected node that does not drain. The
     * owner's entry is read afresh, not taken from the last heartbeat: a node may have begun to drain since.
     */
    private Future<Boolean> takesJoins(String owner) {
        if (owner == null || !live.containsKey(owner)) {
            return Future.succeededFuture(false);
        }
        if (owner.equals(selfId)) {
            return Future.succeededFuture(!draining);
        }
        return nodes.get(owner).map(entry -> {
            NodeInfo n = NodeInfo.fromJson(entry);
            return n != null && !n.draining() && members.ids().contains(n.memberId());
        });
    }

    /** Claims {@code room} for the node placement chooses; the owner once the claim settled (someone may win). */
    private Future<String> claim(String room, String staleOwner) {
        String chosen = Placement.choose(selfId, live.values(), placedSinceRefresh);
        long ttl = config.entryTtl().toMillis();
        Future<String> claimed = staleOwner == null
                ? rooms.putIfAbsent(room, chosen, ttl).map(previous -> previous == null ? chosen : previous)
                // Its node is gone but its entry has not expired yet: take it over, unless someone just did.
                : takeOver(room, staleOwner, chosen, ttl)
                        .compose(replaced -> replaced ? Future.succeededFuture(chosen) : rooms.get(room));
        return claimed.map(owner -> {
            if (owner == null) {
                return selfId; // the entry vanished meanwhile: serve here, roomStarted claims it
            }
            if (owner.equals(chosen)) {
                placedSinceRefresh.merge(chosen, 1, Integer::sum);
            }
            return owner;
        });
    }

    /**
     * Where a join of a room that has a live owner goes when rooms may span nodes: a node serving the room that has
     * fewer than {@code perNode} of its participants; when all are full, a node that does not serve it yet (the
     * room spans to it); this node when it is one of those, else the least loaded; when there is none, the owner.
     */
    private String spanTarget(String room, String owner, int perNode) {
        List<NodeInfo> serving = new ArrayList<>();
        List<NodeInfo> others = new ArrayList<>();
        for (NodeInfo n : live.values()) {
            if (n.draining()) {
                continue;
            }
            int spanned = spannedSinceRefresh.getOrDefault(n.id() + " " + room, 0);
            boolean serves = spanned > 0
                    || (n.id().equals(selfId) ? localRooms.contains(room) : n.serves(room) || n.id().equals(owner));
            int count = (n.id().equals(selfId) ? participantsHere(room) : n.participantsIn(room)) + spanned;
            if (serves && count < perNode) {
                serving.add(n);
            } else if (!serves) {
                others.add(n);
            }
        }
        List<NodeInfo> pick = serving.isEmpty() ? others : serving;
        if (pick.isEmpty()) {
            return owner;
        }
        // A node that may take the join serves it: no redirect, and no two nodes sending a client to each other.
        String chosen = pick.stream().anyMatch(n -> n.id().equals(selfId))
                ? selfId
                : Placement.choose(selfId, pick, placedSinceRefresh);
        spannedSinceRefresh.merge(chosen + " " + room, 1, Integer::sum);
        if (!serving.contains(live.get(chosen))) {
            log.info(
                    "[node={}] room={} spans to node {}: its nodes have {} participants each",
                    selfId,
                    room,
                    chosen,
                    perNode);
        }
        return chosen;
    }

    /** This node's participants of {@code room}, with the joins it routed here that have not joined yet. */
    private int participantsHere(String room) {
        return localParticipants.applyAsInt(room) + joining.count(room, System.nanoTime());
    }

    private Route routeTo(String owner) {
        if (owner.equals(selfId)) {
            stats.routedHere.incrementAndGet();
            return Route.LOCAL;
        }
        NodeInfo node = live.get(owner);
        if (node == null) { // won by a node this one has not read yet
            stats.routedHere.incrementAndGet();
            return Route.LOCAL;
        }
        stats.redirected.incrementAndGet();
        return new Route(owner, node.url());
    }

    @Override
    public void joinsStopped() {
        draining = true;
        heartbeat(); // the others learn now that this node drains, not at its next heartbeat
    }

    @Override
    public void participantJoined(Participant participant) {
        joining.joined(participant.room().name());
    }

    @Override
    public void roomStarted(Room room) {
        localRooms.add(room.name());
        if (rooms != null) {
            // Owned by whoever has it: a node joining a spanning room serves part of it, it does not take it over.
            rooms.putIfAbsent(room.name(), selfId, config.entryTtl().toMillis());
        }
    }

    @Override
    public void roomEnded(Room room) {
        localRooms.remove(room.name());
        if (rooms != null) {
            rooms.removeIfPresent(room.name(), selfId);
        }
    }

    private Future<Boolean> takeOver(String room, String from, long ttl) {
        return takeOver(room, from, selfId, ttl);
    }

    /**
     * Moves {@code room} from the owner {@code from} to {@code to}, atomically (false: someone else changed it first),
     * then gives the entry its TTL: the cluster map replaces only without one.
     */
    private Future<Boolean> takeOver(String room, String from, String to, long ttl) {
        return rooms.replaceIfPresent(room, from, to)
                .compose(yes -> yes ? rooms.put(room, to, ttl).map(true) : Future.succeededFuture(false));
    }

    /** Adds {@code part} to /debug's cluster section under {@code key}. */
    void addDebug(String key, Supplier<JsonObject> part) {
        debugParts.put(key, part);
    }

    /** The live nodes as last read. */
    public Map<String, NodeInfo> liveNodes() {
        return live;
    }

    /** For {@code /debug}: this node, the nodes it sees, the rooms it serves, and what it routed. */
    public JsonObject toJson() {
        JsonArray nodeList = new JsonArray();
        live.values().forEach(n -> nodeList.add(n.toJson()));
        JsonObject o = new JsonObject()
                .put("node", selfId)
                .put("name", config.name())
                .put("nodes", nodeList)
                .put("localRooms", new JsonArray(localRooms.stream().toList()));
        stats.writeTo(o);
        debugParts.forEach((k, v) -> o.put(k, v.get()));
        return o;
    }

    /** Its meters for /metrics. */
    public MeterBinder meters() {
        return stats;
    }
}
