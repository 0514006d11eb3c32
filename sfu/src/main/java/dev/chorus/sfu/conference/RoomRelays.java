package dev.chorus.sfu.conference;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.forward.PacketIngress;
import dev.chorus.sfu.forward.RelaySender;
import dev.chorus.sfu.relay.RelayInbound;
import dev.chorus.sfu.relay.RelayLink;
import dev.chorus.sfu.relay.RelayPort;
import dev.chorus.sfu.transport.PacketKind;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The room's media across cluster nodes, both ways, over the node's {@link RelayPort}:
 * <ul>
 *   <li><b>In</b>: a publisher on another node appears here as an endpoint of the room's router under its own
 *       participant id, with a producer per track made from the {@link RelayedTrack}s its node announced. Local
 *       subscribers subscribe to them like to anyone's; the endpoint's RTCP (NACKs, keyframe requests) goes back
 *       through a {@link RelayEgress}.</li>
 *   <li><b>Out</b>: a local publisher wanted by another node gets a {@link RelaySender} on its endpoint, which sends
 *       every packet its producers accept there and answers that node's RTCP.</li>
 * </ul>
 * Each direction's packets carry the tag the receiving side registered: {@link #receiveFrom} and {@link #relayTo}
 * return the tag the other node must use. Signaling carries the tags and tracks between the nodes. Control thread
 * only; router work is queued through the room.
 */
public final class RoomRelays {
    private static final Logger LOG = LoggerFactory.getLogger(RoomRelays.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final MediaRoom room;
    private final Map<String, Incoming> incoming = new LinkedHashMap<>();
    private final Map<String, Map<InetSocketAddress, Outgoing>> outgoing = new LinkedHashMap<>();

    /** A remote publisher's streams arriving here. */
    private static final class Incoming {
        final int tag;
        final RelayEgress egress;
        final Map<String, PublishedTrack> tracks = new LinkedHashMap<>();

        Incoming(int tag, RelayEgress egress) {
            this.tag = tag;
            this.egress = egress;
        }
    }

    /** A local publisher's streams relayed to one node: the tag that node's RTCP comes under, and the sender. */
    private static final class Outgoing {
        final int tag;
        final int remoteTag;
        /** Set and read on the room's worker. */
        RelaySender sender;

        Outgoing(int tag, int remoteTag) {
            this.tag = tag;
            this.remoteTag = remoteTag;
        }
    }

    RoomRelays(MediaRoom room) {
        this.room = room;
    }

    private RelayPort port() {
        RelayPort p = room.service().relayPort();
        if (p == null) {
            throw new IllegalStateException("this node has no relay port (cluster mode is off)");
        }
        return p;
    }

    // ------------------------------------------------------------------ in: publishers of other nodes

    /**
     * Makes {@code publisherId}, who publishes on the node at the other end of {@code link}, an endpoint of this
     * room's router. Returns the tag that node must put on the publisher's packets sent here.
     */
    public int receiveFrom(String publisherId, RelayLink link) {
        if (incoming.containsKey(publisherId) || room.hasSession(publisherId)) {
            throw new IllegalArgumentException("participant " + publisherId + " is already in room " + room.id());
        }
        MediaService service = room.service();
        PacketIngress ingress =
                new PacketIngress(room.worker(), service.pool(), (t, e, why) -> {}, service.bridgeDrops());
        int tag = port().register(into(ingress));
        RelayEgress egress = new RelayEgress(link);
        incoming.put(publisherId, new Incoming(tag, egress));
        long rtcpSsrc = 1 + (RANDOM.nextInt() & 0x7FFFFFFEL);
        room.onRouter(
                "add remote publisher " + publisherId,
                r -> ingress.attach(r.addEndpoint(publisherId, egress, rtcpSsrc)));
        LOG.info("[room={} participant={}] publishes on the node at {}", room.id(), publisherId, link.remote());
        return tag;
    }

    /** The tag {@code publisherId}'s node gave for the RTCP this node sends it about the publisher's streams. */
    public void setReturnTag(String publisherId, int tag) {
        Incoming in = incoming.get(publisherId);
        if (in == null) {
            throw new IllegalArgumentException("no remote publisher " + publisherId + " in room " + room.id());
        }
        in.egress.setReturnTag(tag);
    }

    /**
     * What {@code publisherId} publishes now, as its node announced it: tracks no longer listed are withdrawn, new
     * ones get producers and are offered to the local subscribers.
     */
    public void publishRemote(String publisherId, List<RelayedTrack> tracks) {
        Incoming in = incoming.get(publisherId);
        if (in == null) {
            throw new IllegalArgumentException("no remote publisher " + publisherId + " in room " + room.id());
        }
        Map<String, RelayedTrack> next = new LinkedHashMap<>();
        for (RelayedTrack t : tracks) {
            if (!t.track().publisherId().equals(publisherId)) {
                throw new IllegalArgumentException("track " + t.track().producerId() + " is not " + publisherId + "'s");
            }
            next.put(t.track().producerId(), t);
        }
        for (PublishedTrack old : List.copyOf(in.tracks.values())) {
            if (!next.containsKey(old.producerId())) {
                in.tracks.remove(old.producerId());
                room.onRouter("remove remote producer " + old.producerId(), r -> r.removeProducer(old.producerId()));
                room.unpublished(old);
            }
        }
        for (RelayedTrack t : next.values()) {
            if (!in.tracks.containsKey(t.track().producerId())) {
                in.tracks.put(t.track().producerId(), t.track());
                room.onRouter("add remote producer " + t.params().id(), r -> r.addProducer(publisherId, t.params()));
                room.published(t.track(), t.params());
            }
        }
    }

    /** {@code publisherId} left the room on its node (or the node went away): its tracks and endpoint go. */
    public void removeRemote(String publisherId) {
        Incoming in = incoming.remove(publisherId);
        if (in == null) {
            return;
        }
        port().unregister(in.tag);
        for (PublishedTrack t : in.tracks.values()) {
            room.unpublished(t);
        }
        room.onRouter("remove remote publisher " + publisherId, r -> r.removeEndpoint(publisherId));
        LOG.info("[room={} participant={}] remote publisher removed", room.id(), publisherId);
    }

    /** Participant ids of the remote publishers received here. */
    public List<String> remotePublishers() {
        return List.copyOf(incoming.keySet());
    }

    // ------------------------------------------------------------------ out: local publishers to other nodes

    /**
     * Starts sending everything {@code publisherId} publishes (now and later) to the node at the other end of
     * {@code link}, under {@code remoteTag}, the tag that node's {@link #receiveFrom} gave. Returns the tag that
     * node must put on its RTCP about these streams.
     */
    public int relayTo(String publisherId, RelayLink link, int remoteTag) {
        if (!room.hasSession(publisherId)) {
            throw new IllegalArgumentException("no local participant " + publisherId + " in room " + room.id());
        }
        Map<InetSocketAddress, Outgoing> byNode = outgoing.computeIfAbsent(publisherId, k -> new LinkedHashMap<>());
        Outgoing existing = byNode.get(link.remote());
        if (existing != null) {
            if (existing.remoteTag == remoteTag) {
                return existing.tag;
            }
            stopRelay(publisherId, link);
            byNode = outgoing.computeIfAbsent(publisherId, k -> new LinkedHashMap<>());
        }
        MediaService service = room.service();
        PacketIngress rtcpIn =
                new PacketIngress(room.worker(), service.pool(), (t, e, why) -> {}, service.bridgeDrops());
        int tag = port().register(into(rtcpIn));
        Outgoing out = new Outgoing(tag, remoteTag);
        byNode.put(link.remote(), out);
        room.onRouter("relay " + publisherId + " to " + link.remote(), r -> {
            out.sender = r.addRelay(publisherId, link, remoteTag);
            rtcpIn.attach(out.sender);
        });
        return tag;
    }

    /** Stops relaying {@code publisherId} to the node at the other end of {@code link}. */
    public void stopRelay(String publisherId, RelayLink link) {
        Map<InetSocketAddress, Outgoing> byNode = outgoing.get(publisherId);
        Outgoing out = byNode == null ? null : byNode.remove(link.remote());
        if (out == null) {
            return;
        }
        if (byNode.isEmpty()) {
            outgoing.remove(publisherId);
        }
        port().unregister(out.tag);
        room.onRouter("stop relaying " + publisherId, r -> {
            if (out.sender != null) {
                r.removeRelay(publisherId, out.sender);
            }
        });
    }

    /** A local participant left: its relays end with its endpoint; their tags go now. */
    void localLeft(String publisherId) {
        Map<InetSocketAddress, Outgoing> byNode = outgoing.remove(publisherId);
        if (byNode != null) {
            byNode.values().forEach(o -> port().unregister(o.tag));
        }
    }

    /** The room ends here: every tag it registered goes. */
    void close() {
        RelayPort p = room.service().relayPort();
        if (p == null) {
            return;
        }
        incoming.values().forEach(in -> p.unregister(in.tag));
        outgoing.values().forEach(m -> m.values().forEach(o -> p.unregister(o.tag)));
        incoming.clear();
        outgoing.clear();
    }

    /** Relay datagrams into the worker like a transport's packets, RTP and RTCP told apart by RFC 5761. */
    private static RelayInbound into(PacketIngress ingress) {
        return (buf, off, len) -> {
            if (PacketKind.classify(buf, off, len) == PacketKind.RTCP) {
                ingress.onRtcp(null, buf, off, len);
            } else {
                ingress.onRtp(null, buf, off, len);
            }
        };
    }

    ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        ArrayNode in = n.putArray("remotePublishers");
        incoming.forEach((id, x) -> {
            ObjectNode o = in.addObject();
            o.put("participant", id);
            o.put("from", x.egress.link().remote().toString());
            o.put("returnTagKnown", x.egress.returnTag() != 0);
            ArrayNode t = o.putArray("tracks");
            x.tracks.keySet().forEach(t::add);
        });
        ArrayNode out = n.putArray("relayedPublishers");
        outgoing.forEach((id, m) -> {
            ObjectNode o = out.addObject();
            o.put("participant", id);
            ArrayNode to = o.putArray("to");
            new ArrayList<>(m.keySet()).forEach(a -> to.add(a.toString()));
        });
        return n;
    }
}
