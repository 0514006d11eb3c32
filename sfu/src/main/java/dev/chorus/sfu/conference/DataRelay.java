package dev.chorus.sfu.conference;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.sctp.DataChannel;
import dev.chorus.sfu.sctp.DataChannels;
import dev.chorus.sfu.transport.DataChannelLink;
import dev.chorus.sfu.worker.Clock;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One participant's end of the room data relay (signaling/PROTOCOL.md "Data channels"). A text message
 * {@code {"to": [ids]?, "data": any}} on a channel whose label starts with {@code chorus} goes to the room's other
 * participants (or those named) as {@code {"from": id, "data": any}}, on their channel of the same label: a client
 * picks the reliability by the channel it sends on ({@code chorus} reliable and ordered, {@code chorus-unreliable}
 * as it opened it). Anything wrong is answered on the sender's channel with {@code {"error": "..."}}.
 *
 * <p>Channel callbacks come on the transport's DTLS drain thread; the fan-out runs on the control thread
 * ({@link MediaRoom#relayData}).
 */
final class DataRelay implements DataChannels.Listener {
    static final String LABEL_PREFIX = "chorus";
    /** The web client's unreliable relay channel (PROTOCOL.md), on which the server's unreliable messages go. */
    static final String UNRELIABLE_LABEL = "chorus-unreliable";

    private static final Logger LOG = LoggerFactory.getLogger(DataRelay.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String participantId;
    private final MediaRoom room;
    private final String log;
    private final boolean maySend;
    private final Clock clock;
    /** The relay rate; drain thread only. */
    private final RelayRate rate;

    private long lastRateError = Long.MIN_VALUE;
    private final Map<String, DataChannel> byLabel = new ConcurrentHashMap<>();
    private final AtomicLong relayed = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final DataRelayTotals totals;
    private volatile DataChannelLink link;
    /** The peer's a=max-message-size (RFC 8841): 0 = any size; 65536 when its offer said nothing. */
    private volatile long peerMaxMessageSize = 65_536;

    /**
     * @param maySend   false for a viewer: it hears the room's data, and what it sends is refused
     * @param perSecond messages a second this participant may have relayed, in bursts of twice that
     */
    DataRelay(String participantId, MediaRoom room, String log, boolean maySend, double perSecond, Clock clock) {
        this.participantId = participantId;
        this.room = room;
        this.log = log;
        this.maySend = maySend;
        this.clock = clock;
        this.rate = new RelayRate(perSecond, clock);
        this.totals = room.service().dataRelayTotals();
    }

    /** From the participant's offer: the largest message its browser takes. */
    void peerMaxMessageSize(long bytes) {
        this.peerMaxMessageSize = bytes;
    }

    void attach(DataChannelLink l) {
        this.link = l;
    }

    @Override
    public void onOpen(DataChannel channel) {
        LOG.info(
                "{} data channel '{}' open on stream {} (ordered {}, maxRetransmits {}, maxPacketLifeTime {})",
                log,
                channel.label(),
                channel.stream(),
                channel.ordered(),
                channel.maxRetransmits(),
                channel.maxPacketLifeTimeMillis());
        if (channel.label().startsWith(LABEL_PREFIX)) {
            byLabel.put(channel.label(), channel);
        }
    }

    @Override
    public void onClose(DataChannel channel) {
        byLabel.remove(channel.label(), channel);
    }

    @Override
    public void onAssociationClosed(String reason) {
        LOG.info("{} data channels closed: {}", log, reason);
    }

    @Override
    public void onError(DataChannel channel, String error) {
        refuse(channel, DataRelayTotals.Refusal.CHANNEL_ERROR, error);
    }

    /** Counts a refusal and answers it on the sender's channel. */
    private void refuse(DataChannel channel, DataRelayTotals.Refusal why, String error) {
        refused.incrementAndGet();
        totals.refused(why);
        answer(channel, error);
    }

    /** Tells the sender, on its channel, what became of its message. */
    private void answer(DataChannel channel, String error) {
        LOG.info("{} data channel '{}': {}", log, channel.label(), error);
        ObjectNode e = JsonNodeFactory.instance.objectNode().put("error", error);
        DataChannelLink l = link;
        if (l != null && channel.state() == DataChannel.State.OPEN) {
            l.send(channel, false, e.toString().getBytes(StandardCharsets.UTF_8));
        }
    }

    @Override
    public void onMessage(DataChannel channel, boolean binary, byte[] data) {
        if (!channel.label().startsWith(LABEL_PREFIX)) {
            refused.incrementAndGet(); // a channel of the application's own: nothing to relay
            totals.refused(DataRelayTotals.Refusal.OTHER_CHANNEL);
            return;
        }
        if (!maySend) {
            refuse(channel, DataRelayTotals.Refusal.VIEWER, "a viewer cannot send to the room");
            return;
        }
        if (!rate.take()) {
            long now = clock.nowNanos();
            if (now - lastRateError >= 1_000_000_000L) {
                lastRateError = now; // one error a second, not one per dropped message
                refuse(
                        channel,
                        DataRelayTotals.Refusal.RATE_LIMITED,
                        "rate_limited: more than " + rate.perSecond() + " messages a second; dropped");
            } else {
                refused.incrementAndGet();
                totals.refused(DataRelayTotals.Refusal.RATE_LIMITED);
            }
            return;
        }
        if (binary) {
            refuse(
                    channel,
                    DataRelayTotals.Refusal.BAD_MESSAGE,
                    "the relay takes text messages: {\"to\": [ids]?, \"data\": any}");
            return;
        }
        JsonNode message;
        try {
            message = JSON.readTree(data);
        } catch (java.io.IOException e) {
            refuse(channel, DataRelayTotals.Refusal.BAD_MESSAGE, "not JSON: " + firstLine(e));
            return;
        }
        if (message == null || !message.isObject() || !message.has("data")) {
            refuse(channel, DataRelayTotals.Refusal.BAD_MESSAGE, "expected {\"to\": [ids]?, \"data\": any}");
            return;
        }
        JsonNode to = message.get("to");
        List<String> targets = null;
        if (to != null && !to.isNull()) {
            if (!to.isArray()) {
                refuse(channel, DataRelayTotals.Refusal.BAD_MESSAGE, "\"to\" must be an array of participant ids");
                return;
            }
            targets = new ArrayList<>();
            for (JsonNode id : to) {
                targets.add(id.asText());
            }
        }
        ObjectNode envelope = JsonNodeFactory.instance.objectNode();
        envelope.put("from", participantId);
        envelope.set("data", message.get("data"));
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(envelope);
        } catch (JsonProcessingException e) {
            refuse(channel, DataRelayTotals.Refusal.BAD_MESSAGE, "cannot relay: " + firstLine(e));
            return;
        }
        relayed.incrementAndGet();
        totals.count(DataRelayTotals.Counter.RECEIVED, 1);
        totals.count(DataRelayTotals.Counter.RECEIVED_BYTES, data.length);
        List<String> named = targets;
        String label = channel.label();
        room.service().control().execute(() -> {
            List<String> tooLarge = room.relayData(participantId, label, named, bytes);
            if (!tooLarge.isEmpty()) {
                refused.incrementAndGet(); // the recipients' refusals are counted in the totals, one each
                answer(
                        channel,
                        "a message of " + bytes.length + " bytes with its envelope is larger than "
                                + String.join(", ", tooLarge) + " can take (a=max-message-size)");
            }
        });
    }

    /** What became of a relayed message at one participant. */
    enum Delivery {
        SENT,
        NO_CHANNEL,
        TOO_LARGE
    }

    /** A relayed message for this participant, on its channel of {@code label} (else on plain {@code chorus}). */
    Delivery deliver(String label, byte[] envelope) {
        DataChannelLink l = link;
        DataChannel ch = byLabel.get(label);
        if (ch == null) {
            ch = byLabel.get(LABEL_PREFIX);
        }
        if (l == null || ch == null) {
            return Delivery.NO_CHANNEL;
        }
        long max = peerMaxMessageSize;
        if (max > 0 && envelope.length > max) {
            refused.incrementAndGet();
            totals.refused(DataRelayTotals.Refusal.TOO_LARGE_FOR_RECIPIENT);
            return Delivery.TOO_LARGE;
        }
        delivered.incrementAndGet();
        totals.count(DataRelayTotals.Counter.DELIVERED, 1);
        totals.count(DataRelayTotals.Counter.DELIVERED_BYTES, envelope.length);
        l.send(ch, false, envelope);
        return Delivery.SENT;
    }

    private static String firstLine(Exception e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    void addJson(ObjectNode o) {
        o.put("relayed", relayed.get());
        o.put("delivered", delivered.get());
        o.put("refused", refused.get());
        o.putArray("relayChannels")
                .addAll(byLabel.keySet().stream()
                        .map(JsonNodeFactory.instance::textNode)
                        .toList());
    }
}
