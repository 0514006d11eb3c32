package dev.chorus.sfu.forward;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.buffer.PacketBuffer;
import dev.chorus.sfu.buffer.PacketBufferPool;
import dev.chorus.sfu.collect.LongObjectMap;
import dev.chorus.sfu.drop.DropCounters;
import dev.chorus.sfu.drop.DropReason;
import dev.chorus.sfu.relay.RelayLink;
import dev.chorus.sfu.rtp.BigEndian;
import dev.chorus.sfu.rtp.RtpPacket;
import dev.chorus.sfu.rtp.RtpValidity;
import dev.chorus.sfu.worker.MediaWorker;
import dev.chorus.sfu.worker.PacketHandler;
import dev.chorus.sfu.worker.WorkerStats;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One participant's transport inside a router, where its packets enter and leave the forwarding
 * layer. In: RTP is looked up by SSRC and handed to its {@link Producer}; RTCP is ended by its
 * {@link RtcpTermination}. Out: everything for the participant leaves through its
 * {@link PacketEgress}, and what the SFU tells it as a publisher is its {@link PublisherFeedback}
 * (plus the periodic {@link RtcpReports}). See {@link PacketIngress} for the whole path.
 * Worker-thread only: the entry points check it.
 */
public final class Endpoint implements PacketHandler {
    private static final Logger LOG = LoggerFactory.getLogger(Endpoint.class);
    private static final RelaySender[] NO_RELAYS = {};

    private final String id;
    private final Router router;
    private final MediaWorker worker;
    private final PacketEgress egress;
    private final long rtcpSsrc;
    private final RouterScratch scratch;
    private final PacketBufferPool pool;
    private final WorkerStats stats;
    private final DropCounters drops;
    /** Media and RTX SSRCs of this endpoint's producers' streams (learnt ones as they are learnt). */
    private final LongObjectMap<RtpReceiveStream> streamsBySsrc = new LongObjectMap<>();
    /** Learns the SSRCs of simulcast layers announced by rid only. */
    private final SsrcLearner ssrcLearner;
    /** Which of its camera videos this endpoint gets as a subscriber (last-N). */
    private final VideoSelection selection;
    /** Outgoing SSRCs of this endpoint's consumers, which subscriber feedback refers to. */
    private final LongObjectMap<Consumer> consumersBySsrc = new LongObjectMap<>();

    private final List<Producer> producers = new ArrayList<>();
    private final List<Consumer> consumers = new ArrayList<>();
    /** Congestion control towards this endpoint as subscriber; null when disabled. */
    private final SubscriberBandwidth bandwidth;

    /** The other nodes this participant's streams are relayed to; replaced on change, never mutated. */
    private RelaySender[] relays = NO_RELAYS;

    private final RtcpTermination rtcpIn;
    private final PublisherFeedback feedback;
    private final RtcpReports reports;
    private boolean closed;
    private long rtpReceived;
    private long rtcpReceived;
    private long rtcpSent;
    private long sendErrors;

    Endpoint(String id, Router router, PacketEgress egress, long rtcpSsrc) {
        this.id = id;
        this.router = router;
        this.worker = router.worker();
        this.egress = egress;
        this.rtcpSsrc = rtcpSsrc;
        this.scratch = router.scratch();
        this.pool = worker.pool();
        this.stats = worker.stats();
        this.drops = new DropCounters(router.drops());
        this.bandwidth = router.config().congestion().enabled() ? new SubscriberBandwidth(this, router) : null;
        this.rtcpIn = new RtcpTermination(this, router, drops, bandwidth);
        this.feedback = new PublisherFeedback(this, router, drops);
        this.reports = new RtcpReports(this, feedback, router, drops);
        this.ssrcLearner = new SsrcLearner(this);
        this.selection = new VideoSelection(this, router);
    }

    public String id() {
        return id;
    }

    public Router router() {
        return router;
    }

    /** The SSRC the SFU sends RTCP (RR, PLI) towards this endpoint with. */
    public long rtcpSsrc() {
        return rtcpSsrc;
    }

    public DropCounters drops() {
        return drops;
    }

    /** Round-trip time to this participant (measured, else the configured default; see {@link RtcpTermination}). */
    public long rttNanos() {
        return rtcpIn.rttNanos();
    }

    boolean isClosed() {
        return closed;
    }

    // ------------------------------------------------------------------ in (worker thread)

    @Override
    public void handleRtp(PacketBuffer packet) {
        worker.checkThread(this);
        try {
            rtpReceived++;
            stats.rtpReceived(packet.length());
            if (closed) {
                drops.increment(DropReason.CLOSED);
                return;
            }
            RtpPacket rtp = scratch.incoming;
            if (rtp.wrap(packet.array(), packet.offset(), packet.length()) != RtpValidity.OK) {
                drops.increment(DropReason.MALFORMED_RTP);
                return;
            }
            RtpReceiveStream stream = streamsBySsrc.get(rtp.ssrc());
            if (stream == null && (stream = ssrcLearner.learn(rtp)) == null) {
                drops.increment(DropReason.UNKNOWN_SSRC);
                return;
            }
            long now = worker.clock().nowNanos();
            Producer producer = stream.producer();
            feedback.onMediaReceived(rtp, producer, stream, now);
            producer.receiveRtp(stream, rtp, now);
        } finally {
            pool.release(packet);
        }
    }

    @Override
    public void handleRtcp(PacketBuffer packet) {
        worker.checkThread(this);
        try {
            rtcpReceived++;
            stats.rtcpReceived();
            if (closed) {
                drops.increment(DropReason.CLOSED);
                return;
            }
            rtcpIn.onCompound(
                    packet.array(),
                    packet.offset(),
                    packet.length(),
                    worker.clock().nowNanos());
        } finally {
            pool.release(packet);
        }
    }

    /** The producer stream a media or RTX SSRC belongs to, or null. */
    RtpReceiveStream streamBySsrc(long ssrc) {
        return streamsBySsrc.get(ssrc);
    }

    Consumer consumerBySsrc(long ssrc) {
        return consumersBySsrc.get(ssrc);
    }

    // ------------------------------------------------------------------ out (worker thread)

    /**
     * Sends a packet of one of this endpoint's consumers, first writing this transport's next
     * transport-wide sequence number at {@code tccOffset} (its 2-byte transport-cc value; -1 when
     * the packet carries none for this subscriber). True when the transport sent it.
     */
    boolean sendMedia(RtpPacket out, int tccOffset, int probeCluster, long now) {
        if (bandwidth != null && tccOffset >= 0) {
            BigEndian.put16(out.buffer(), tccOffset, bandwidth.onSent(now, out.length(), probeCluster));
        }
        try {
            return egress.sendRtp(out.buffer(), out.offset(), out.length());
        } catch (RuntimeException e) {
            sendFailed(e);
            return false;
        }
    }

    /** Whether a retransmission of {@code bytes} to this endpoint fits its congestion budget (and takes it). */
    boolean allowRetransmission(int bytes, long now) {
        return bandwidth == null || bandwidth.allowRetransmission(bytes, now);
    }

    /** Sends one RTCP compound; true when the transport sent it. */
    boolean sendRtcp(byte[] buf, int off, int len) {
        try {
            if (!egress.sendRtcp(buf, off, len)) {
                return false;
            }
            rtcpSent++;
            stats.rtcpSent();
            return true;
        } catch (RuntimeException e) {
            sendFailed(e);
            return false;
        }
    }

    private void sendFailed(RuntimeException e) {
        if (sendErrors++ == 0) {
            LOG.warn(
                    "[router={} endpoint={}] transport send failed (further failures only counted)",
                    router.id(),
                    id,
                    e);
        }
    }

    /** A PLI asking this endpoint (as publisher) for a keyframe on {@code mediaSsrc}; true when it went out. */
    boolean sendPli(long mediaSsrc) {
        return feedback.sendPli(mediaSsrc);
    }

    /** NACKs to this endpoint (as publisher) for {@code seqs[0, count)} of {@code mediaSsrc}, ascending. */
    void sendNack(long mediaSsrc, int[] seqs, int count) {
        feedback.sendNack(mediaSsrc, seqs, count);
    }

    /** The periodic RR/SR reports (the router's RTCP timer). */
    void sendReports(long now) {
        if (!closed) {
            reports.send(now);
        }
    }

    // ------------------------------------------------------------------ wiring (control commands)

    /** Files the producer's signaled SSRCs; refuses SSRCs already in use (then nothing is filed). */
    void addProducer(Producer producer) {
        for (int i = 0; i < producer.layerCount(); i++) {
            RtpReceiveStream s = producer.stream(i);
            if (isTaken(s.ssrc()) || isTaken(s.rtxSsrc())) {
                throw new IllegalArgumentException(
                        "endpoint " + id + " already receives ssrc " + s.ssrc() + "/" + s.rtxSsrc());
            }
        }
        for (int i = 0; i < producer.layerCount(); i++) {
            RtpReceiveStream s = producer.stream(i);
            fileStream(s.ssrc(), s);
            fileStream(s.rtxSsrc(), s);
        }
        producers.add(producer);
    }

    void removeProducer(Producer producer) {
        for (int i = 0; i < producer.layerCount(); i++) {
            RtpReceiveStream s = producer.stream(i);
            if (s.ssrc() != ProducerParams.NONE && streamsBySsrc.get(s.ssrc()) == s) {
                streamsBySsrc.remove(s.ssrc());
            }
            if (s.rtxSsrc() != ProducerParams.NONE && streamsBySsrc.get(s.rtxSsrc()) == s) {
                streamsBySsrc.remove(s.rtxSsrc());
            }
        }
        producers.remove(producer);
    }

    /** True when {@code ssrc} already names a stream of this endpoint. */
    boolean isTaken(long ssrc) {
        return ssrc != ProducerParams.NONE && streamsBySsrc.containsKey(ssrc);
    }

    /** Files a (signaled or just learnt) SSRC of {@code stream}. */
    void fileStream(long ssrc, RtpReceiveStream stream) {
        if (ssrc != ProducerParams.NONE) {
            streamsBySsrc.put(ssrc, stream);
        }
    }

    void addConsumer(Consumer consumer) {
        register(
                consumersBySsrc,
                consumers,
                consumer.params().ssrc(),
                consumer.params().rtxSsrc(),
                consumer,
                "sends");
    }

    void removeConsumer(Consumer consumer) {
        unregister(
                consumersBySsrc,
                consumers,
                consumer.params().ssrc(),
                consumer.params().rtxSsrc(),
                consumer);
    }

    /** Files {@code item} under its media SSRC and, if it has one, its RTX SSRC; refuses SSRCs already in use. */
    private <T> void register(LongObjectMap<T> bySsrc, List<T> list, long ssrc, long rtx, T item, String verb) {
        if (bySsrc.containsKey(ssrc) || (rtx != ProducerParams.NONE && bySsrc.containsKey(rtx))) {
            throw new IllegalArgumentException("endpoint " + id + " already " + verb + " ssrc " + ssrc + "/" + rtx);
        }
        bySsrc.put(ssrc, item);
        if (rtx != ProducerParams.NONE) {
            bySsrc.put(rtx, item);
        }
        list.add(item);
    }

    private static <T> void unregister(LongObjectMap<T> bySsrc, List<T> list, long ssrc, long rtx, T item) {
        bySsrc.remove(ssrc);
        if (rtx != ProducerParams.NONE) {
            bySsrc.remove(rtx);
        }
        list.remove(item);
    }

    /** The participant's network path changed (ICE restart); see {@link Router#pathChanged}. */
    void pathChanged(long nowNanos) {
        if (bandwidth != null) {
            bandwidth.pathChanged(nowNanos);
        }
    }

    List<Producer> producers() {
        return producers;
    }

    /** Re-decides which camera videos this subscriber gets (speakers, subscriptions or views changed). */
    void updateSelection(long nowNanos) {
        if (!closed) {
            selection.update(nowNanos);
        }
    }

    /** The subscriber's own last-N (0: the server's). */
    void setClientLastN(int n, long nowNanos) {
        selection.setClientLastN(n);
        updateSelection(nowNanos);
    }

    List<Consumer> consumers() {
        return consumers;
    }

    // ------------------------------------------------------------------ relays to other nodes (worker thread)

    /** Starts relaying everything this participant publishes to another node, under that node's tag. */
    RelaySender addRelay(RelayLink link, int remoteTag) {
        RelaySender s = new RelaySender(this, link, remoteTag);
        RelaySender[] next = Arrays.copyOf(relays, relays.length + 1);
        next[relays.length] = s;
        relays = next;
        return s;
    }

    void removeRelay(RelaySender sender) {
        List<RelaySender> next = new ArrayList<>(Arrays.asList(relays));
        next.remove(sender);
        relays = next.toArray(NO_RELAYS);
    }

    boolean hasRelays() {
        return relays.length > 0;
    }

    /** A packet one of this participant's producers accepted, to every node that relays it. */
    void relay(RtpPacket packet) {
        for (RelaySender r : relays) {
            r.forward(packet);
        }
    }

    void relaySenderReport(RtpReceiveStream stream, long ntp, long rtp) {
        for (RelaySender r : relays) {
            r.senderReport(stream, ntp, rtp);
        }
    }

    void close() {
        closed = true;
        relays = NO_RELAYS;
        feedback.close();
        if (bandwidth != null) {
            bandwidth.close();
        }
    }

    @Override
    public String toString() {
        return "endpoint " + id;
    }

    public ObjectNode toJson() {
        worker.checkThread(this);
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("id", id);
        n.put("rtcpSsrc", rtcpSsrc);
        n.put("closed", closed);
        n.put("rtpReceived", rtpReceived);
        n.put("rtcpReceived", rtcpReceived);
        rtcpIn.addJson(n);
        n.put("rtcpSent", rtcpSent);
        feedback.addJson(n);
        n.put("sendErrors", sendErrors);
        ObjectNode cc = n.putObject("congestion");
        cc.put("enabled", bandwidth != null);
        feedback.addCongestionJson(cc);
        rtcpIn.addCongestionJson(cc);
        ObjectNode fromPublisher = feedback.transportCcJson();
        if (fromPublisher != null) {
            cc.set("fromPublisher", fromPublisher);
        }
        if (bandwidth != null) {
            cc.set("toSubscriber", bandwidth.toJson());
        }
        n.set("ssrcLearning", ssrcLearner.toJson());
        n.set("videoSelection", selection.toJson());
        n.set("drops", drops.toJson());
        ArrayNode p = n.putArray("producers");
        producers.forEach(x -> p.add(x.id()));
        ArrayNode c = n.putArray("consumers");
        consumers.forEach(x -> c.add(x.id()));
        if (relays.length > 0) {
            ArrayNode r = n.putArray("relays");
            for (RelaySender x : relays) {
                r.add(x.toJson());
            }
        }
        return n;
    }
}
