package dev.chorus.testkit.netsim;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A UDP impairment proxy for tests (kernel netem is not available): clients send to {@link #localAddress()}; each
 * client source address gets its own upstream socket to the target (a "flow", like a 1:1 NAT), and each direction
 * of each flow runs through its own {@link ImpairedLink}. Loopback only: a listen or target address that is neither a
 * loopback address nor one held by the loopback interface (as 198.18.0.1 on {@code lo} in the Firefox tests' network
 * namespace) is refused.
 *
 * <p>The proxy reads STUN Binding requests from client to server (RFC 5389) to learn each flow's ICE USERNAME
 * ("serverUfrag:clientUfrag"), so {@link #setForIceUfrag} can impair one WebRTC participant's transport. Any other
 * datagram, malformed STUN included, is forwarded as is.
 *
 * <p>Packet path and threads: client -> listening socket -> {@link FlowReceiver} (thread
 * {@code chorus-netsim-rx-<port>}, a selector over the listening socket and every upstream socket: opens the
 * client's {@link ProxyFlow}, reads a STUN USERNAME with {@link StunUsername}, lets the direction's
 * {@link ImpairedLink} drop the packet or give its delivery time) -> {@link DeliveryScheduler} (thread
 * {@code chorus-netsim-tx-<port>}, sends due packets in delivery-time order) -> the flow's upstream socket ->
 * target; replies come back the same way to the listening socket. {@link ImpairmentRules} decides which impairment
 * each flow gets. Both threads are daemons and end on {@link #close()}. Memory is bounded: at most {@value #DEFAULT_MAX_QUEUED_PER_DIRECTION}
 * packets wait per flow and direction and at most {@value #DEFAULT_MAX_FLOWS} flows exist (excess is counted and
 * dropped). Flows idle (no packet either way) for 30 s are closed. This is a test tool: it copies each packet once.
 */
public final class UdpImpairmentProxy implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(UdpImpairmentProxy.class);

    public static final int DEFAULT_MAX_QUEUED_PER_DIRECTION = 4096;
    public static final int DEFAULT_MAX_FLOWS = 256;
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);

    private final InetSocketAddress target;
    private final long seed;
    private final DatagramChannel listen;
    private final InetSocketAddress localAddress;
    private final Selector selector;
    private final Map<InetSocketAddress, ProxyFlow> flows = new ConcurrentHashMap<>();
    private final ImpairmentRules rules = new ImpairmentRules(flows);
    private final FlowReceiver receiving;
    private final DeliveryScheduler delivering;

    private volatile boolean closed;

    private final Thread receiver;
    private final Thread scheduler;

    private UdpImpairmentProxy(InetSocketAddress listenAddress, InetSocketAddress target, long seed)
            throws IOException {
        this.target = target;
        this.seed = seed;
        DatagramChannel ch = DatagramChannel.open(family(listenAddress.getAddress()));
        Selector sel = null;
        try {
            ch.bind(listenAddress);
            ch.configureBlocking(false);
            sel = Selector.open();
            ch.register(sel, SelectionKey.OP_READ, null);
        } catch (IOException | RuntimeException e) {
            ch.close();
            if (sel != null) {
                sel.close();
            }
            throw e;
        }
        this.listen = ch;
        this.selector = sel;
        this.localAddress = (InetSocketAddress) ch.getLocalAddress();
        this.delivering = new DeliveryScheduler(listen, localAddress, target);
        this.receiving = new FlowReceiver(listen, selector, localAddress, target, flows, rules, delivering, seed);
        int port = localAddress.getPort();
        this.receiver = new Thread(receiving, "chorus-netsim-rx-" + port);
        this.scheduler = new Thread(delivering, "chorus-netsim-tx-" + port);
        receiver.setDaemon(true);
        scheduler.setDaemon(true);
    }

    /**
     * Starts a proxy listening on {@code listen} (port 0 picks one) that forwards to {@code target}.
     *
     * @param seed seeds every flow's loss, jitter and reorder decisions (flows are seeded in order of creation)
     * @throws IllegalArgumentException when either address is not a resolved loopback address or an address of the
     *     loopback interface
     */
    public static UdpImpairmentProxy start(InetSocketAddress listen, InetSocketAddress target, long seed)
            throws IOException {
        requireLoopback("listen", listen);
        requireLoopback("target", target);
        UdpImpairmentProxy p = new UdpImpairmentProxy(listen, target, seed);
        p.receiver.start();
        p.scheduler.start();
        LOG.info("UDP impairment proxy {} -> {} started (seed {})", p.localAddress, target, seed);
        return p;
    }

    private static void requireLoopback(String what, InetSocketAddress a) {
        if (a == null) {
            throw new IllegalArgumentException(what + " address is null");
        }
        if (a.isUnresolved() || !(a.getAddress().isLoopbackAddress() || onLoopbackInterface(a.getAddress()))) {
            throw new IllegalArgumentException(what + " address " + a
                    + " is not a loopback address; the impairment proxy only works on 127.0.0.0/8, ::1"
                    + " or another address of the loopback interface");
        }
    }

    private static boolean onLoopbackInterface(InetAddress a) {
        try {
            NetworkInterface i = NetworkInterface.getByInetAddress(a);
            return i != null && i.isLoopback();
        } catch (SocketException e) {
            return false;
        }
    }

    private static StandardProtocolFamily family(InetAddress a) {
        return a instanceof Inet6Address ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
    }

    public InetSocketAddress localAddress() {
        return localAddress;
    }

    public InetSocketAddress target() {
        return target;
    }

    /** Impairments of flows that no {@link #setForIceUfrag} rule matches (initially NONE both ways). */
    public void setDefault(Impairment toServer, Impairment toClient) {
        rules.setDefault(toServer, toClient);
    }

    /**
     * Impairs the flows whose client-to-server STUN USERNAME starts with {@code serverUfrag + ":"}, existing and
     * future ones. A later call for the same ufrag replaces the earlier rule.
     */
    public void setForIceUfrag(String serverUfrag, Impairment toServer, Impairment toClient) {
        if (serverUfrag == null || serverUfrag.isEmpty() || serverUfrag.indexOf(':') >= 0) {
            throw new IllegalArgumentException("server ufrag must be non-empty and without ':', got " + serverUfrag);
        }
        rules.setForIceUfrag(serverUfrag, toServer, toClient);
    }

    /** Drops every ufrag rule (the defaults stay). */
    public void clearRules() {
        rules.clear();
    }

    /** Flows idle this long are closed (default 30 s). */
    public void setIdleTimeout(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("idle timeout must be positive, got " + timeout);
        }
        receiving.idleTimeoutNanos = timeout.toNanos();
    }

    /** Cap of packets waiting per flow and direction (default {@value #DEFAULT_MAX_QUEUED_PER_DIRECTION}). */
    public void setMaxQueuedPerDirection(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max queued must be >= 1, got " + max);
        }
        receiving.maxQueuedPerDirection = max;
    }

    /** Cap of flows (default {@value #DEFAULT_MAX_FLOWS}); packets from further clients are dropped and counted. */
    public void setMaxFlows(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max flows must be >= 1, got " + max);
        }
        receiving.maxFlows = max;
    }

    /** A snapshot of every open flow. */
    public List<FlowStats> flows() {
        List<FlowStats> out = new ArrayList<>();
        for (ProxyFlow f : flows.values()) {
            out.add(f.stats());
        }
        return out;
    }

    /** Diagnostics: configuration, rules, totals and every flow's counters. */
    public ObjectNode toJson() {
        JsonNodeFactory jf = JsonNodeFactory.instance;
        ObjectNode n = jf.objectNode();
        n.put("listen", localAddress.toString());
        n.put("target", target.toString());
        n.put("seed", seed);
        n.put("closed", closed);
        rules.toJson(n);
        receiving.countersToJson(n);
        ArrayNode fs = n.putArray("flows");
        for (ProxyFlow f : flows.values()) {
            fs.add(f.toJson(jf));
        }
        return n;
    }

    /** Stops both threads and closes every socket. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        receiving.stop();
        delivering.stop();
        join(receiver);
        join(scheduler);
        for (ProxyFlow f : flows.values()) {
            f.closeUpstream();
        }
        flows.clear();
        ProxyFlow.closeQuietly(listen);
        try {
            selector.close();
        } catch (IOException e) {
            LOG.debug("closing selector of proxy {}", localAddress, e);
        }
        delivering.clear();
        LOG.info("UDP impairment proxy {} -> {} closed", localAddress, target);
    }

    private static void join(Thread t) {
        if (t == Thread.currentThread()) {
            return;
        }
        try {
            t.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) {
            t.interrupt();
        }
    }
}
