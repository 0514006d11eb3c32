package dev.chorus.sfu.forward;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.drop.DropCounters;
import dev.chorus.sfu.relay.RelayLink;
import dev.chorus.sfu.worker.MediaWorker;
import dev.chorus.sfu.worker.Timer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The media side of one room: its endpoints, producers and consumers, and the periodic RTCP
 * reports. Lives on one {@link MediaWorker}; every method must run on that worker's thread
 * (submit a command with {@link MediaWorker#submit} or {@link MediaWorker#call}). Methods check
 * this when the worker thread is running, so misuse fails loudly instead of racing.
 *
 * <p>Control methods throw {@link IllegalArgumentException} for unknown ids or SSRC clashes;
 * they are for signaling, where exceptions are fine. The packet path never throws.
 */
public final class Router {
    private static final Logger LOG = LoggerFactory.getLogger(Router.class);

    /** What a router tells its room, on the router's worker thread: hop elsewhere before blocking. */
    public interface Listener {
        /** {@code endpointId} became the room's dominant speaker. */
        void onDominantSpeaker(String endpointId);

        /** Of {@code endpointId}'s camera videos, these consumers are now paused by last-N (or its views). */
        default void onVideosPaused(String endpointId, List<String> consumerIds) {}

        /**
         * Dynacast: {@code endpointId} should send only the lowest {@code layers} layers of its
         * simulcast track {@code producerId} (all of them again when the number is its layer count).
         */
        default void onPublisherLayers(String endpointId, String producerId, int layers) {}
    }

    /** How often dynacast looks at what the subscribers want. */
    static final long DYNACAST_INTERVAL_NANOS = 500_000_000L;

    private final String id;
    private final MediaWorker worker;
    private final RouterConfig config;
    private final RouterScratch scratch;
    private final DropCounters drops;
    private final Map<String, Endpoint> endpoints = new LinkedHashMap<>();
    private final Map<String, Producer> producers = new LinkedHashMap<>();
    private final Map<String, Consumer> consumers = new LinkedHashMap<>();
    private final List<Endpoint> endpointList = new ArrayList<>();
    private final Timer rtcpTimer;
    private final Timer dynacastTimer;
    private final RoomSpeakers speakers;
    private Listener listener;
    private boolean closed;

    public Router(String id, MediaWorker worker, RouterConfig config) {
        this.id = id;
        this.worker = worker;
        this.config = config;
        this.scratch = new RouterScratch(config.cname());
        this.drops = new DropCounters(worker.drops());
        this.rtcpTimer = new Timer("rtcp:" + id, this::onRtcpTimer);
        this.dynacastTimer = new Timer("dynacast:" + id, this::onDynacastTimer);
        this.speakers = new RoomSpeakers(this);
        checkThread();
        worker.stats().routerAdded(1);
        worker.timers().schedule(rtcpTimer, worker.clock().nowNanos() + rtcpIntervalNanos());
        if (config.dynacast()) {
            worker.timers().schedule(dynacastTimer, worker.clock().nowNanos() + DYNACAST_INTERVAL_NANOS);
        }
        LOG.info("[router={}] created on worker {}", id, worker.name());
    }

    public String id() {
        return id;
    }

    public MediaWorker worker() {
        return worker;
    }

    public RouterConfig config() {
        return config;
    }

    public DropCounters drops() {
        return drops;
    }

    RouterScratch scratch() {
        return scratch;
    }

    /** Who hears the room's events (dominant speaker); null: nobody. */
    public void setListener(Listener listener) {
        checkThread();
        this.listener = listener;
    }

    void dominantSpeakerChanged(String endpointId) {
        long now = worker.clock().nowNanos();
        for (int i = 0; i < endpointList.size(); i++) {
            endpointList.get(i).updateSelection(now);
        }
        if (listener != null) {
            try {
                listener.onDominantSpeaker(endpointId);
            } catch (RuntimeException e) {
                LOG.warn("[router={}] listener failed on dominant speaker {}", id, endpointId, e);
            }
        }
    }

    void videoSelectionChanged(String endpointId, List<String> pausedConsumerIds) {
        if (listener != null) {
            try {
                listener.onVideosPaused(endpointId, pausedConsumerIds);
            } catch (RuntimeException e) {
                LOG.warn("[router={} endpoint={}] listener failed on paused videos", id, endpointId, e);
            }
        }
    }

    /** The speaker order itself, for ranking on the worker (read only). */
    List<String> speakerOrderView() {
        return speakers.order();
    }

    /** The dominant speaker's endpoint id, null before anyone spoke. */
    public String dominantSpeaker() {
        checkThread();
        return speakers.current();
    }

    /** Endpoint ids in the order they last held the floor, most recent first. */
    public List<String> speakerOrder() {
        checkThread();
        return List.copyOf(speakers.order());
    }

    private long rtcpIntervalNanos() {
        return config.rtcpIntervalMillis() * 1_000_000L;
    }

    private void checkThread() {
        worker.checkThread(this);
    }

    @Override
    public String toString() {
        return "router " + id;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("router " + id + " is closed");
        }
    }

    // ------------------------------------------------------------------ control

    /**
     * Adds the endpoint of one participant's transport. The transport then submits the packets
     * it receives with {@code worker.submitRtp(endpoint, buffer)} / {@code submitRtcp}.
     *
     * @param rtcpSsrc SSRC the SFU sends RTCP (RR, PLI) to this endpoint with
     */
    public Endpoint addEndpoint(String endpointId, PacketEgress sender, long rtcpSsrc) {
        checkThread();
        checkOpen();
        if (endpoints.containsKey(endpointId)) {
            throw new IllegalArgumentException("endpoint exists: " + endpointId);
        }
        Endpoint e = new Endpoint(endpointId, this, sender, rtcpSsrc);
        endpoints.put(endpointId, e);
        endpointList.add(e);
        LOG.info("[router={} endpoint={}] added", id, endpointId);
        return e;
    }

    /** Removes an endpoint with its producers (and their consumers) and its consumers. */
    public void removeEndpoint(String endpointId) {
        checkThread();
        Endpoint e = endpoints.remove(endpointId);
        if (e == null) {
            return;
        }
        for (Consumer c : List.copyOf(e.consumers())) {
            removeConsumer(c.id());
        }
        for (Producer p : List.copyOf(e.producers())) {
            removeProducer(p.id());
        }
        endpointList.remove(e);
        e.close();
        LOG.info("[router={} endpoint={}] removed", id, endpointId);
    }

    /**
     * Relays everything {@code endpointId} publishes, now and later, to another cluster node over {@code link},
     * under the tag that node chose; the returned sender takes that node's RTCP for these streams.
     */
    public RelaySender addRelay(String endpointId, RelayLink link, int remoteTag) {
        checkThread();
        checkOpen();
        RelaySender s = endpoint(endpointId).addRelay(link, remoteTag);
        LOG.info("[router={} endpoint={}] relayed to {}", id, endpointId, link.remote());
        return s;
    }

    /** Stops a relay {@link #addRelay} started; nothing when the endpoint is gone. */
    public void removeRelay(String endpointId, RelaySender sender) {
        checkThread();
        Endpoint e = endpoints.get(endpointId);
        if (e != null) {
            e.removeRelay(sender);
            LOG.info(
                    "[router={} endpoint={}] no longer relayed to {}",
                    id,
                    endpointId,
                    sender.link().remote());
        }
    }

    public Producer addProducer(String endpointId, ProducerParams params) {
        checkThread();
        checkOpen();
        Endpoint e = endpoint(endpointId);
        if (producers.containsKey(params.id())) {
            throw new IllegalArgumentException("producer exists: " + params.id());
        }
        Producer p = new Producer(params, e, this);
        e.addProducer(p);
        producers.put(params.id(), p);
        speakers.add(p);
        worker.stats().producerAdded(1);
        LOG.info(
                "[router={} endpoint={}] producer {} added: {} mid={} encodings={} pt={}",
                id,
                endpointId,
                params.id(),
                params.codec(),
                params.mid(),
                params.encodings(),
                params.payloadType());
        return p;
    }

    /** Removes a producer and every consumer of it. */
    public void removeProducer(String producerId) {
        checkThread();
        Producer p = producers.remove(producerId);
        if (p == null) {
            return;
        }
        for (Consumer c : List.copyOf(p.consumers())) {
            removeConsumer(c.id());
        }
        p.publisher().removeProducer(p);
        speakers.remove(p);
        p.close();
        worker.stats().producerAdded(-1);
        LOG.info(
                "[router={} endpoint={}] producer {} removed", id, p.publisher().id(), producerId);
    }

    /**
     * Subscribes {@code subscriberEndpointId} to a producer. A video consumer asks the
     * publisher for a keyframe at once (rate-limited per producer) and starts on it.
     */
    public Consumer addConsumer(String subscriberEndpointId, String producerId, ConsumerParams params) {
        return addConsumer(subscriberEndpointId, producerId, params, false);
    }

    /**
     * Subscribes a participant whose media is not connected yet: the consumer starts paused and asks
     * for no keyframe, which could not reach the subscriber and would only start the producer's
     * keyframe-request interval, so that the request its {@link #resumeConsumer} makes when the
     * subscriber's DTLS is up were deferred (up to {@code keyframe-request-interval}) and its first
     * frame with it.
     */
    public Consumer addPausedConsumer(String subscriberEndpointId, String producerId, ConsumerParams params) {
        return addConsumer(subscriberEndpointId, producerId, params, true);
    }

    private Consumer addConsumer(
            String subscriberEndpointId, String producerId, ConsumerParams params, boolean paused) {
        checkThread();
        checkOpen();
        Endpoint e = endpoint(subscriberEndpointId);
        Producer p = producers.get(producerId);
        if (p == null) {
            throw new IllegalArgumentException("no producer " + producerId);
        }
        if (consumers.containsKey(params.id())) {
            throw new IllegalArgumentException("consumer exists: " + params.id());
        }
        Consumer c = new Consumer(params, p, e, this);
        if (paused) {
            c.pause();
        }
        e.addConsumer(c);
        p.addConsumer(c);
        consumers.put(params.id(), c);
        worker.stats().consumerAdded(1);
        e.updateSelection(worker.clock().nowNanos());
        LOG.info(
                "[router={} endpoint={}] consumer {} of producer {} added ssrc={} pt={}",
                id,
                subscriberEndpointId,
                params.id(),
                producerId,
                params.ssrc(),
                params.payloadType());
        if (!paused) {
            p.requestKeyframe(c.targetLayer(), worker.clock().nowNanos(), KeyframeRequestKind.NEW_SUBSCRIPTION);
        }
        return c;
    }

    public void removeConsumer(String consumerId) {
        checkThread();
        Consumer c = consumers.remove(consumerId);
        if (c == null) {
            return;
        }
        c.producer().removeConsumer(c);
        c.subscriber().removeConsumer(c);
        c.close();
        c.subscriber().updateSelection(worker.clock().nowNanos());
        worker.stats().consumerAdded(-1);
        LOG.info(
                "[router={} endpoint={}] consumer {} removed ssrc={}",
                id,
                c.subscriber().id(),
                consumerId,
                c.params().ssrc());
    }

    public void pauseConsumer(String consumerId) {
        checkThread();
        consumer(consumerId).pause();
    }

    /**
     * The participant's network path changed (its ICE restart completed): the packets in flight on the old path are
     * lost both ways, so each video it receives and each consumer of a video it publishes asks for a keyframe (rate
     * limited per layer) instead of waiting for the subscriber's decoder to give up. No-op for an unknown endpoint.
     */
    public void pathChanged(String endpointId) {
        checkThread();
        Endpoint e = endpoints.get(endpointId);
        if (e == null) {
            return;
        }
        long now = worker.clock().nowNanos();
        e.pathChanged(now);
        for (Consumer c : e.consumers()) {
            c.requestKeyframe(now, KeyframeRequestKind.PATH_CHANGED);
        }
        for (Producer p : e.producers()) {
            for (Consumer c : p.consumers()) {
                c.requestKeyframe(now, KeyframeRequestKind.PATH_CHANGED);
            }
        }
    }

    public void resumeConsumer(String consumerId) {
        checkThread();
        consumer(consumerId).resume(worker.clock().nowNanos());
    }

    /** The highest simulcast layer {@code consumerId}'s subscriber wants (0 = lowest; clamped). */
    public void setPreferredLayer(String consumerId, int layer) {
        checkThread();
        consumer(consumerId).setPreferredLayer(layer, worker.clock().nowNanos());
    }

    /** The size {@code consumerId}'s subscriber shows the video at, in device pixels: picks the layer. */
    public void setViewSize(String consumerId, int width, int height) {
        checkThread();
        Consumer c = consumer(consumerId);
        c.setViewSize(width, height, worker.clock().nowNanos());
        c.subscriber().updateSelection(worker.clock().nowNanos());
    }

    /** {@code endpointId}'s own last-N (0: the server's {@link RouterConfig#lastN()}); it can only lower it. */
    public void setLastN(String endpointId, int n) {
        checkThread();
        endpoint(endpointId).setClientLastN(n, worker.clock().nowNanos());
    }

    /** Closes everything; packets still queued for its endpoints are released and counted CLOSED. */
    public void close() {
        checkThread();
        if (closed) {
            return;
        }
        for (String e : List.copyOf(endpoints.keySet())) {
            removeEndpoint(e);
        }
        worker.timers().cancel(rtcpTimer);
        worker.timers().cancel(dynacastTimer);
        speakers.close();
        closed = true;
        worker.stats().routerAdded(-1);
        LOG.info("[router={}] closed", id);
    }

    public boolean isClosed() {
        return closed;
    }

    public Endpoint endpoint(String endpointId) {
        Endpoint e = endpoints.get(endpointId);
        if (e == null) {
            throw new IllegalArgumentException("no endpoint " + endpointId);
        }
        return e;
    }

    public Producer producer(String producerId) {
        Producer p = producers.get(producerId);
        if (p == null) {
            throw new IllegalArgumentException("no producer " + producerId);
        }
        return p;
    }

    public boolean hasProducer(String producerId) {
        return producers.containsKey(producerId);
    }

    /**
     * Server mute: a paused producer still receives its publisher's packets (statistics, NACKs, keyframes
     * stay current) but forwards none; resumed, its video consumers restart on a keyframe asked for at once.
     */
    public void setProducerPaused(String producerId, boolean paused) {
        checkThread();
        producer(producerId).setPaused(paused, worker.clock().nowNanos());
        LOG.info("[router={}] producer {} {}", id, producerId, paused ? "paused" : "resumed");
    }

    public boolean hasConsumer(String consumerId) {
        return consumers.containsKey(consumerId);
    }

    public Consumer consumer(String consumerId) {
        Consumer c = consumers.get(consumerId);
        if (c == null) {
            throw new IllegalArgumentException("no consumer " + consumerId);
        }
        return c;
    }

    // ------------------------------------------------------------------ periodic work

    private void onDynacastTimer(long now) {
        // Without a listener nobody could tell the publisher, so nothing is decided either.
        for (Producer p : listener == null ? List.<Producer>of() : producers.values()) {
            int layers = p.updateLayersAsked(now);
            if (layers > 0) {
                LOG.info(
                        "[router={} endpoint={}] producer {}: publisher asked for {} of {} layers",
                        id,
                        p.publisher().id(),
                        p.id(),
                        layers,
                        p.layerCount());
                try {
                    listener.onPublisherLayers(p.publisher().id(), p.id(), layers);
                } catch (RuntimeException e) {
                    LOG.warn("[router={}] listener failed on publisher layers of {}", id, p.id(), e);
                }
            }
        }
        worker.timers().schedule(dynacastTimer, now + DYNACAST_INTERVAL_NANOS);
    }

    private void onRtcpTimer(long now) {
        if (closed) {
            return;
        }
        // Indexed loops over lists: the tick runs forever, so it must not allocate iterators.
        for (int i = 0; i < endpointList.size(); i++) {
            endpointList.get(i).sendReports(now);
        }
        for (int i = 0; i < endpointList.size(); i++) {
            List<Producer> published = endpointList.get(i).producers();
            for (int j = 0; j < published.size(); j++) {
                published.get(j).retryKeyframeIfNeeded(now);
            }
        }
        worker.timers().schedule(rtcpTimer, now + rtcpIntervalNanos());
    }

    public ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("id", id);
        n.put("worker", worker.name());
        n.put("closed", closed);
        n.put("rtcpIntervalMillis", config.rtcpIntervalMillis());
        n.put("pliMinIntervalMillis", config.pliMinIntervalMillis());
        n.put("retransmissionPackets", config.retransmissionPackets());
        n.put("retransmissionMillis", config.retransmissionMillis());
        n.put("nackMaxRetries", config.nackMaxRetries());
        n.put("nackGiveUpMillis", config.nackGiveUpMillis());
        n.put("defaultRttMillis", config.defaultRttMillis());
        n.set("speakers", speakers.toJson());
        n.set("drops", drops.toJson());
        ArrayNode e = n.putArray("endpoints");
        endpoints.values().forEach(x -> e.add(x.toJson()));
        ArrayNode p = n.putArray("producers");
        producers.values().forEach(x -> p.add(x.toJson()));
        ArrayNode c = n.putArray("consumers");
        consumers.values().forEach(x -> c.add(x.toJson()));
        return n;
    }
}
