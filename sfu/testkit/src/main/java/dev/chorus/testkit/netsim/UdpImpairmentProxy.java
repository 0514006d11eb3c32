package dev.chorus.testkit.netsim;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A UDP impairment proxy for tests (kernel netem is not available): clients send to {@link #localAddress()}; each
 * client source address gets its own upstream socket to the target (a "flow", like a 1:1 NAT), and each direction
 * of each flow runs through its own {@link ImpairedLink}. Loopback only: a non-loopback listen or target address is
 * refused.
 *
 * <p>The proxy reads STUN Binding requests from client to server (RFC 5389) to learn each flow's ICE USERNAME
 * ("serverUfrag:clientUfrag"), so {@link #setForIceUfrag} can impair one WebRTC participant's transport. Any other
 * datagram, malformed STUN included, is forwarded as is.
 *
 * <p>Threads: one receiver ({@code chorus-netsim-rx-<port>}, a selector over the listening socket and every upstream
 * socket) and one scheduler ({@code chorus-netsim-tx-<port>}) that sends due packets in delivery-time order; both
 * are daemons and end on {@link #close()}. Memory is bounded: at most {@value #DEFAULT_MAX_QUEUED_PER_DIRECTION}
 * packets wait per flow and direction and at most {@value #DEFAULT_MAX_FLOWS} flows exist (excess is counted and
 * dropped). Flows idle (no packet either way) for 30 s are closed. This is a test tool: it copies each packet once.
 */
public final class UdpImpairmentProxy implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(UdpImpairmentProxy.class);

    public static final int DEFAULT_MAX_QUEUED_PER_DIRECTION = 4096;
    public static final int DEFAULT_MAX_FLOWS = 256;
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);

    private static final int MAX_DATAGRAM = 65_536;
    private static final int STUN_MAGIC_COOKIE = 0x2112A442;
    private static final int STUN_BINDING_REQUEST = 0x0001;
    private static final int STUN_ATTR_USERNAME = 0x0006;
    private static final int READS_PER_WAKE = 256;

    private final InetSocketAddress target;
    private final long seed;
    private final DatagramChannel listen;
    private final InetSocketAddress localAddress;
    private final Selector selector;
    private final Map<InetSocketAddress, Flow> flows = new ConcurrentHashMap<>();
    private final SplittableRandom seeds;
    private final ByteBuffer rxBuffer = ByteBuffer.allocateDirect(MAX_DATAGRAM);

    private final ReentrantLock queueLock = new ReentrantLock();
    private final Condition queueChanged = queueLock.newCondition();
    private final PriorityQueue<Scheduled> queue = new PriorityQueue<>(
            Comparator.<Scheduled>comparingLong(s -> s.due).thenComparingLong(s -> s.seq));
    private long nextSeq;

    private final Object rulesLock = new Object();
    private Impairment defaultToServer = Impairment.NONE;
    private Impairment defaultToClient = Impairment.NONE;
    private final List<Rule> rules = new ArrayList<>();

    private volatile boolean closed;
    private volatile long idleTimeoutNanos = DEFAULT_IDLE_TIMEOUT.toNanos();
    private volatile int maxQueuedPerDirection = DEFAULT_MAX_QUEUED_PER_DIRECTION;
    private volatile int maxFlows = DEFAULT_MAX_FLOWS;

    private final AtomicLong flowsOpened = new AtomicLong();
    private final AtomicLong flowsClosedIdle = new AtomicLong();
    private final AtomicLong flowsRefused = new AtomicLong();
    private final AtomicLong stunUsernamesSeen = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();

    private final Thread receiver;
    private final Thread scheduler;

    private UdpImpairmentProxy(InetSocketAddress listenAddress, InetSocketAddress target, long seed) throws IOException {
        this.target = target;
        this.seed = seed;
        this.seeds = new SplittableRandom(seed);
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
        int port = localAddress.getPort();
        this.receiver = new Thread(this::receiveLoop, "chorus-netsim-rx-" + port);
        this.scheduler = new Thread(this::scheduleLoop, "chorus-netsim-tx-" + port);
        receiver.setDaemon(true);
        scheduler.setDaemon(true);
    }

    /**
     * Starts a proxy listening on {@code listen} (port 0 picks one) that forwards to {@code target}.
     *
     * @param seed seeds every flow's loss, jitter and reorder decisions (flows are seeded in order of creation)
     * @throws IllegalArgumentException when either address is not a resolved loopback address
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
        if (a.isUnresolved() || !a.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException(what + " address " + a
                    + " is not a loopback address; the impairment proxy only works on 127.0.0.0/8 or ::1");
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
        synchronized (rulesLock) {
            defaultToServer = orNone(toServer);
            defaultToClient = orNone(toClient);
            resolveAll();
        }
    }

    /**
     * Impairs the flows whose client-to-server STUN USERNAME starts with {@code serverUfrag + ":"}, existing and
     * future ones. A later call for the same ufrag replaces the earlier rule.
     */
    public void setForIceUfrag(String serverUfrag, Impairment toServer, Impairment toClient) {
        if (serverUfrag == null || serverUfrag.isEmpty() || serverUfrag.indexOf(':') >= 0) {
            throw new IllegalArgumentException("server ufrag must be non-empty and without ':', got " + serverUfrag);
        }
        synchronized (rulesLock) {
            rules.removeIf(r -> r.serverUfrag.equals(serverUfrag));
            rules.add(new Rule(serverUfrag, orNone(toServer), orNone(toClient)));
            resolveAll();
        }
    }

    /** Drops every ufrag rule (the defaults stay). */
    public void clearRules() {
        synchronized (rulesLock) {
            rules.clear();
            resolveAll();
        }
    }

    /** Flows idle this long are closed (default 30 s). */
    public void setIdleTimeout(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("idle timeout must be positive, got " + timeout);
        }
        idleTimeoutNanos = timeout.toNanos();
    }

    /** Cap of packets waiting per flow and direction (default {@value #DEFAULT_MAX_QUEUED_PER_DIRECTION}). */
    public void setMaxQueuedPerDirection(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max queued must be >= 1, got " + max);
        }
        maxQueuedPerDirection = max;
    }

    /** Cap of flows (default {@value #DEFAULT_MAX_FLOWS}); packets from further clients are dropped and counted. */
    public void setMaxFlows(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max flows must be >= 1, got " + max);
        }
        maxFlows = max;
    }

    private static Impairment orNone(Impairment i) {
        return i == null ? Impairment.NONE : i;
    }

    private void resolveAll() {
        for (Flow f : flows.values()) {
            resolve(f);
        }
    }

    /** Caller holds rulesLock. */
    private void resolve(Flow f) {
        Impairment ts = defaultToServer;
        Impairment tc = defaultToClient;
        String user = f.iceUsername;
        if (user != null) {
            for (Rule r : rules) {
                if (user.length() > r.serverUfrag.length() && user.startsWith(r.serverUfrag)
                        && user.charAt(r.serverUfrag.length()) == ':') {
                    ts = r.toServer;
                    tc = r.toClient;
                }
            }
        }
        f.toServer.link.setImpairment(ts);
        f.toClient.link.setImpairment(tc);
    }

    /** A snapshot of every open flow. */
    public List<FlowStats> flows() {
        List<FlowStats> out = new ArrayList<>();
        for (Flow f : flows.values()) {
            out.add(new FlowStats(f.client, f.iceUsername, f.toServer.snapshot(), f.toClient.snapshot()));
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
        synchronized (rulesLock) {
            ObjectNode d = n.putObject("default");
            d.put("toServer", defaultToServer.toSpec());
            d.put("toClient", defaultToClient.toSpec());
            ArrayNode rs = n.putArray("rules");
            for (Rule r : rules) {
                ObjectNode rn = rs.addObject();
                rn.put("serverUfrag", r.serverUfrag);
                rn.put("toServer", r.toServer.toSpec());
                rn.put("toClient", r.toClient.toSpec());
            }
        }
        n.put("flowsOpened", flowsOpened.get());
        n.put("flowsClosedIdle", flowsClosedIdle.get());
        n.put("flowsRefused", flowsRefused.get());
        n.put("stunUsernamesSeen", stunUsernamesSeen.get());
        n.put("errors", errors.get());
        ArrayNode fs = n.putArray("flows");
        for (Flow f : flows.values()) {
            ObjectNode fn = fs.addObject();
            fn.put("client", f.client.toString());
            fn.put("iceUsername", f.iceUsername);
            fn.set("toServer", f.toServer.toJson(jf));
            fn.set("toClient", f.toClient.toJson(jf));
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
        selector.wakeup();
        queueLock.lock();
        try {
            queueChanged.signalAll();
        } finally {
            queueLock.unlock();
        }
        join(receiver);
        join(scheduler);
        for (Flow f : flows.values()) {
            closeQuietly(f.upstream);
        }
        flows.clear();
        closeQuietly(listen);
        try {
            selector.close();
        } catch (IOException e) {
            LOG.debug("closing selector of proxy {}", localAddress, e);
        }
        queueLock.lock();
        try {
            queue.clear();
        } finally {
            queueLock.unlock();
        }
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

    private static void closeQuietly(DatagramChannel c) {
        try {
            c.close();
        } catch (IOException e) {
            LOG.debug("closing {}", c, e);
        }
    }

    // ---------------------------------------------------------------- receiving

    private void receiveLoop() {
        long nextSweep = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (!closed) {
            try {
                selector.select(500);
                if (closed) {
                    break;
                }
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey key = it.next();
                    it.remove();
                    if (!key.isValid()) {
                        continue;
                    }
                    Flow f = (Flow) key.attachment();
                    if (f == null) {
                        readClients();
                    } else {
                        readServer(f);
                    }
                }
                long now = System.nanoTime();
                if (now - nextSweep >= 0) {
                    nextSweep = now + TimeUnit.SECONDS.toNanos(1);
                    sweepIdle(now);
                }
            } catch (ClosedSelectorException e) {
                break;
            } catch (Exception e) {
                errors.incrementAndGet();
                LOG.warn("proxy {}: receive loop error", localAddress, e);
            }
        }
    }

    private void readClients() {
        for (int i = 0; i < READS_PER_WAKE && !closed; i++) {
            rxBuffer.clear();
            InetSocketAddress from;
            try {
                from = (InetSocketAddress) listen.receive(rxBuffer);
            } catch (IOException e) {
                errors.incrementAndGet();
                LOG.debug("proxy {}: receive from clients failed", localAddress, e);
                return;
            }
            if (from == null) {
                return;
            }
            long now = System.nanoTime();
            rxBuffer.flip();
            Flow f = flows.get(from);
            if (f == null) {
                f = openFlow(from, now);
                if (f == null) {
                    continue;
                }
            }
            f.lastActiveNanos = now;
            learnUsername(f, rxBuffer);
            admit(f, f.toServer, true, rxBuffer, now);
        }
    }

    private void readServer(Flow f) {
        for (int i = 0; i < READS_PER_WAKE && !closed; i++) {
            rxBuffer.clear();
            SocketAddress from;
            try {
                from = f.upstream.receive(rxBuffer);
                if (from == null) {
                    return;
                }
            } catch (IOException e) {
                // a transient socket error; the flow stays open
                f.toClient.readErrors.incrementAndGet();
                LOG.debug("proxy {}: read from target for {} failed: {}", localAddress, f.client, e.toString());
                return;
            }
            if (!target.equals(from)) {
                f.toClient.droppedForeign.incrementAndGet();  // only the target may answer through a flow
                continue;
            }
            long now = System.nanoTime();
            rxBuffer.flip();
            f.lastActiveNanos = now;
            admit(f, f.toClient, false, rxBuffer, now);
        }
    }

    private Flow openFlow(InetSocketAddress client, long now) {
        if (flows.size() >= maxFlows) {
            flowsRefused.incrementAndGet();
            return null;
        }
        DatagramChannel up = null;
        try {
            InetAddress loop = target.getAddress() instanceof Inet6Address
                    ? InetAddress.getByName("::1") : InetAddress.getByName("127.0.0.1");
            up = DatagramChannel.open(family(target.getAddress()));
            up.bind(new InetSocketAddress(loop, 0));
            // not connected: a connected channel's send() skips empty datagrams; receive() filters by source
            up.configureBlocking(false);
            Flow f = new Flow(client, up, seeds.nextLong(), seeds.nextLong(), now);
            up.register(selector, SelectionKey.OP_READ, f);
            synchronized (rulesLock) {
                flows.put(client, f);
                resolve(f);
            }
            flowsOpened.incrementAndGet();
            LOG.info("proxy {}: flow for client {} opened via {}", localAddress, client, up.getLocalAddress());
            return f;
        } catch (IOException | RuntimeException e) {
            errors.incrementAndGet();
            LOG.warn("proxy {}: cannot open a flow for client {}", localAddress, client, e);
            if (up != null) {
                closeQuietly(up);
            }
            return null;
        }
    }

    private void sweepIdle(long now) {
        long idle = idleTimeoutNanos;
        for (Iterator<Flow> it = flows.values().iterator(); it.hasNext(); ) {
            Flow f = it.next();
            if (now - f.lastActiveNanos > idle) {
                it.remove();
                f.closed = true;
                SelectionKey k = f.upstream.keyFor(selector);
                if (k != null) {
                    k.cancel();
                }
                closeQuietly(f.upstream);
                flowsClosedIdle.incrementAndGet();
                LOG.info("proxy {}: flow for client {} (ICE user {}) closed after {} ms idle", localAddress,
                        f.client, f.iceUsername, TimeUnit.NANOSECONDS.toMillis(idle));
            }
        }
    }

    private void admit(Flow f, Dir d, boolean toServer, ByteBuffer data, long now) {
        int size = data.remaining();
        d.received.incrementAndGet();
        d.bytesReceived.addAndGet(size);
        ImpairedLink.Outcome o = d.link.offer(now, size);
        switch (o) {
            case LOSS -> d.droppedLoss.incrementAndGet();
            case QUEUE_FULL -> d.droppedQueue.incrementAndGet();
            case DELIVER -> {
                if (d.queued.get() >= maxQueuedPerDirection) {
                    d.droppedOverflow.incrementAndGet();
                    return;
                }
                byte[] copy = new byte[size];
                data.get(copy);
                d.queued.incrementAndGet();
                Scheduled s = new Scheduled(d.link.deliveryNanos(), f, toServer, copy);
                queueLock.lock();
                try {
                    s.seq = nextSeq++;
                    queue.add(s);
                    if (queue.peek() == s) {
                        queueChanged.signal();
                    }
                } finally {
                    queueLock.unlock();
                }
            }
            default -> throw new IllegalStateException("unknown outcome " + o);
        }
    }

    /** Learns the ICE USERNAME from a STUN Binding request; anything malformed is ignored (and forwarded). */
    private void learnUsername(Flow f, ByteBuffer b) {
        String user = stunUsername(b);
        if (user != null && !user.equals(f.iceUsername)) {
            stunUsernamesSeen.incrementAndGet();
            synchronized (rulesLock) {
                f.iceUsername = user;
                resolve(f);
            }
            LOG.info("proxy {}: flow for client {} has ICE user {}", localAddress, f.client, user);
        }
    }

    /**
     * The USERNAME of a well-formed STUN Binding request (RFC 5389) in {@code b} (position to limit, not
     * consumed), else null.
     */
    static String stunUsername(ByteBuffer b) {
        int p = b.position();
        int len = b.remaining();
        if (len < 20) {
            return null;
        }
        int type = b.getShort(p) & 0xFFFF;
        int msgLen = b.getShort(p + 2) & 0xFFFF;
        if ((type & 0xC000) != 0 || type != STUN_BINDING_REQUEST || b.getInt(p + 4) != STUN_MAGIC_COOKIE
                || (msgLen & 3) != 0 || 20 + msgLen > len) {
            return null;
        }
        int at = p + 20;
        int end = at + msgLen;
        while (end - at >= 4) {
            int attrType = b.getShort(at) & 0xFFFF;
            int attrLen = b.getShort(at + 2) & 0xFFFF;
            int value = at + 4;
            if (attrLen > end - value) {
                return null;
            }
            if (attrType == STUN_ATTR_USERNAME) {
                if (attrLen == 0 || attrLen > 513) {
                    return null;
                }
                byte[] u = new byte[attrLen];
                b.get(value, u);
                return new String(u, java.nio.charset.StandardCharsets.UTF_8);
            }
            at = value + ((attrLen + 3) & ~3);
        }
        return null;
    }

    // ---------------------------------------------------------------- delivering

    private void scheduleLoop() {
        ByteBuffer out;
        while (!closed) {
            Scheduled s;
            queueLock.lock();
            try {
                s = queue.peek();
                if (s == null) {
                    queueChanged.await(500, TimeUnit.MILLISECONDS);
                    continue;
                }
                long wait = s.due - System.nanoTime();
                if (wait > 0) {
                    queueChanged.awaitNanos(wait);
                    continue;
                }
                queue.poll();
            } catch (InterruptedException e) {
                if (closed) {
                    break;
                }
                continue;
            } finally {
                queueLock.unlock();
            }
            Dir d = s.toServer ? s.flow.toServer : s.flow.toClient;
            d.queued.decrementAndGet();
            if (s.flow.closed) {
                d.droppedOverflow.incrementAndGet();
                continue;
            }
            out = ByteBuffer.wrap(s.data);
            // Counted before the send: whoever receives the packet may read the counters at once.
            d.delivered.incrementAndGet();
            d.bytesDelivered.addAndGet(s.data.length);
            try {
                if (s.toServer) {
                    s.flow.upstream.send(out, target);
                } else {
                    listen.send(out, s.flow.client);
                }
            } catch (ClosedChannelException e) {
                d.delivered.decrementAndGet();
                d.bytesDelivered.addAndGet(-s.data.length);
                d.droppedOverflow.incrementAndGet();
            } catch (IOException | RuntimeException e) {
                d.delivered.decrementAndGet();
                d.bytesDelivered.addAndGet(-s.data.length);
                d.droppedOverflow.incrementAndGet();
                d.sendErrors.incrementAndGet();
                LOG.debug("proxy {}: send {} for client {} failed: {}", localAddress,
                        s.toServer ? "to server" : "to client", s.flow.client, e.toString());
            }
        }
    }

    // ---------------------------------------------------------------- state

    private record Rule(String serverUfrag, Impairment toServer, Impairment toClient) {
    }

    private static final class Scheduled {
        final long due;
        long seq;
        final Flow flow;
        final boolean toServer;
        final byte[] data;

        Scheduled(long due, Flow flow, boolean toServer, byte[] data) {
            this.due = due;
            this.flow = flow;
            this.toServer = toServer;
            this.data = data;
        }
    }

    private static final class Flow {
        final InetSocketAddress client;
        final DatagramChannel upstream;
        final Dir toServer;
        final Dir toClient;
        volatile String iceUsername;
        volatile long lastActiveNanos;
        volatile boolean closed;

        Flow(InetSocketAddress client, DatagramChannel upstream, long seedToServer, long seedToClient, long now) {
            this.client = client;
            this.upstream = upstream;
            this.toServer = new Dir(new ImpairedLink(Impairment.NONE, seedToServer));
            this.toClient = new Dir(new ImpairedLink(Impairment.NONE, seedToClient));
            this.lastActiveNanos = now;
        }
    }

    private static final class Dir {
        final ImpairedLink link;
        final AtomicLong received = new AtomicLong();
        final AtomicLong delivered = new AtomicLong();
        final AtomicLong droppedLoss = new AtomicLong();
        final AtomicLong droppedQueue = new AtomicLong();
        final AtomicLong droppedOverflow = new AtomicLong();
        final AtomicLong bytesReceived = new AtomicLong();
        final AtomicLong bytesDelivered = new AtomicLong();
        final AtomicLong sendErrors = new AtomicLong();
        final AtomicLong readErrors = new AtomicLong();
        final AtomicLong droppedForeign = new AtomicLong();
        final AtomicInteger queued = new AtomicInteger();

        Dir(ImpairedLink link) {
            this.link = link;
        }

        FlowStats.Direction snapshot() {
            return new FlowStats.Direction(received.get(), delivered.get(), droppedLoss.get(), droppedQueue.get(),
                    droppedOverflow.get(), bytesReceived.get(), bytesDelivered.get(), queued.get());
        }

        ObjectNode toJson(JsonNodeFactory jf) {
            ObjectNode n = jf.objectNode();
            n.put("impairment", link.impairment().toSpec());
            n.put("received", received.get());
            n.put("delivered", delivered.get());
            n.put("droppedLoss", droppedLoss.get());
            n.put("droppedQueue", droppedQueue.get());
            n.put("droppedOverflow", droppedOverflow.get());
            n.put("bytesReceived", bytesReceived.get());
            n.put("bytesDelivered", bytesDelivered.get());
            n.put("queued", queued.get());
            n.put("sendErrors", sendErrors.get());
            n.put("readErrors", readErrors.get());
            n.put("droppedForeign", droppedForeign.get());
            return n;
        }
    }
}
