package dev.chorus.testkit.netsim;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client source address of the proxy: its own upstream socket to the target (like a 1:1 NAT) and one
 * {@link FlowDirection} each way. Opened and closed by the receiving thread ({@link FlowReceiver}).
 */
final class ProxyFlow {

    private static final Logger LOG = LoggerFactory.getLogger(ProxyFlow.class);

    final InetSocketAddress client;
    final DatagramChannel upstream;
    final FlowDirection toServer;
    final FlowDirection toClient;
    /** Set under {@link ImpairmentRules}' lock, so a rule change and a new USERNAME cannot miss each other. */
    volatile String iceUsername;

    volatile long lastActiveNanos;
    volatile boolean closed;

    ProxyFlow(InetSocketAddress client, DatagramChannel upstream, long seedToServer, long seedToClient, long now) {
        this.client = client;
        this.upstream = upstream;
        this.toServer = new FlowDirection(new ImpairedLink(Impairment.NONE, seedToServer));
        this.toClient = new FlowDirection(new ImpairedLink(Impairment.NONE, seedToClient));
        this.lastActiveNanos = now;
    }

    FlowStats stats() {
        return new FlowStats(client, iceUsername, toServer.snapshot(), toClient.snapshot());
    }

    ObjectNode toJson(JsonNodeFactory jf) {
        ObjectNode n = jf.objectNode();
        n.put("client", client.toString());
        n.put("iceUsername", iceUsername);
        n.set("toServer", toServer.toJson(jf));
        n.set("toClient", toClient.toJson(jf));
        return n;
    }

    void closeUpstream() {
        closeQuietly(upstream);
    }

    static void closeQuietly(DatagramChannel c) {
        try {
            c.close();
        } catch (IOException e) {
            LOG.debug("closing {}", c, e);
        }
    }
}
