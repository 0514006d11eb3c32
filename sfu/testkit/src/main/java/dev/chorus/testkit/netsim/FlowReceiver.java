package dev.chorus.testkit.netsim;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Iterator;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy's receiving thread ({@code chorus-netsim-rx-<port>}): one selector over the listening socket and every
 * flow's upstream socket. A datagram from a client opens its flow if it has none (and may teach the flow its ICE
 * USERNAME); one from the target comes back through the flow whose socket got it. Either way the direction's
 * {@link ImpairedLink} decides drop or delivery time, and a delivered packet is copied into the
 * {@link DeliveryScheduler}. Once a second, flows idle longer than the idle timeout are closed.
 */
final class FlowReceiver implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(FlowReceiver.class);

    private static final int MAX_DATAGRAM = 65_536;
    private static final int READS_PER_WAKE = 256;

    private final DatagramChannel listen;
    private final Selector selector;
    private final InetSocketAddress localAddress;
    private final InetSocketAddress target;
    private final Map<InetSocketAddress, ProxyFlow> flows;
    private final ImpairmentRules rules;
    private final DeliveryScheduler scheduler;
    private final SplittableRandom seeds;
    private final ByteBuffer rxBuffer = ByteBuffer.allocateDirect(MAX_DATAGRAM);
    private volatile boolean stopped;

    volatile long idleTimeoutNanos = UdpImpairmentProxy.DEFAULT_IDLE_TIMEOUT.toNanos();
    volatile int maxQueuedPerDirection = UdpImpairmentProxy.DEFAULT_MAX_QUEUED_PER_DIRECTION;
    volatile int maxFlows = UdpImpairmentProxy.DEFAULT_MAX_FLOWS;

    private final AtomicLong flowsOpened = new AtomicLong();
    private final AtomicLong flowsClosedIdle = new AtomicLong();
    private final AtomicLong flowsRefused = new AtomicLong();
    private final AtomicLong stunUsernamesSeen = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();

    /**
     * @param selector has {@code listen} registered for reading with no attachment; flows' sockets are added with
     *                 their flow attached
     * @param seed     seeds every flow's links, in order of creation
     */
    FlowReceiver(
            DatagramChannel listen,
            Selector selector,
            InetSocketAddress localAddress,
            InetSocketAddress target,
            Map<InetSocketAddress, ProxyFlow> flows,
            ImpairmentRules rules,
            DeliveryScheduler scheduler,
            long seed) {
        this.listen = listen;
        this.selector = selector;
        this.localAddress = localAddress;
        this.target = target;
        this.flows = flows;
        this.rules = rules;
        this.scheduler = scheduler;
        this.seeds = new SplittableRandom(seed);
    }

    /** Ends {@link #run} soon. */
    void stop() {
        stopped = true;
        selector.wakeup();
    }

    /** Adds the totals to the proxy's diagnostics. */
    void countersToJson(ObjectNode n) {
        n.put("flowsOpened", flowsOpened.get());
        n.put("flowsClosedIdle", flowsClosedIdle.get());
        n.put("flowsRefused", flowsRefused.get());
        n.put("stunUsernamesSeen", stunUsernamesSeen.get());
        n.put("errors", errors.get());
    }

    @Override
    public void run() {
        long nextSweep = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (!stopped) {
            try {
                selector.select(500);
                if (stopped) {
                    break;
                }
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey key = it.next();
                    it.remove();
                    if (!key.isValid()) {
                        continue;
                    }
                    ProxyFlow f = (ProxyFlow) key.attachment();
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
        for (int i = 0; i < READS_PER_WAKE && !stopped; i++) {
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
            ProxyFlow f = flows.get(from);
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

    private void readServer(ProxyFlow f) {
        for (int i = 0; i < READS_PER_WAKE && !stopped; i++) {
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
                f.toClient.droppedForeign.incrementAndGet(); // only the target may answer through a flow
                continue;
            }
            long now = System.nanoTime();
            rxBuffer.flip();
            f.lastActiveNanos = now;
            admit(f, f.toClient, false, rxBuffer, now);
        }
    }

    private ProxyFlow openFlow(InetSocketAddress client, long now) {
        if (flows.size() >= maxFlows) {
            flowsRefused.incrementAndGet();
            return null;
        }
        DatagramChannel up = null;
        try {
            boolean v6 = target.getAddress() instanceof Inet6Address;
            InetAddress loop = InetAddress.getByName(v6 ? "::1" : "127.0.0.1");
            up = DatagramChannel.open(v6 ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
            up.bind(new InetSocketAddress(loop, 0));
            // not connected: a connected channel's send() skips empty datagrams; receive() filters by source
            up.configureBlocking(false);
            ProxyFlow f = new ProxyFlow(client, up, seeds.nextLong(), seeds.nextLong(), now);
            up.register(selector, SelectionKey.OP_READ, f);
            rules.add(f);
            flowsOpened.incrementAndGet();
            LOG.info("proxy {}: flow for client {} opened via {}", localAddress, client, up.getLocalAddress());
            return f;
        } catch (IOException | RuntimeException e) {
            errors.incrementAndGet();
            LOG.warn("proxy {}: cannot open a flow for client {}", localAddress, client, e);
            if (up != null) {
                ProxyFlow.closeQuietly(up);
            }
            return null;
        }
    }

    private void sweepIdle(long now) {
        long idle = idleTimeoutNanos;
        for (Iterator<ProxyFlow> it = flows.values().iterator(); it.hasNext(); ) {
            ProxyFlow f = it.next();
            if (now - f.lastActiveNanos > idle) {
                // Counted before the flow leaves the map: whoever sees it gone also sees it counted.
                flowsClosedIdle.incrementAndGet();
                it.remove();
                f.closed = true;
                SelectionKey k = f.upstream.keyFor(selector);
                if (k != null) {
                    k.cancel();
                }
                f.closeUpstream();
                LOG.info(
                        "proxy {}: flow for client {} (ICE user {}) closed after {} ms idle",
                        localAddress,
                        f.client,
                        f.iceUsername,
                        TimeUnit.NANOSECONDS.toMillis(idle));
            }
        }
    }

    private void admit(ProxyFlow f, FlowDirection d, boolean toServer, ByteBuffer data, long now) {
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
                scheduler.schedule(d.link.deliveryNanos(), f, toServer, copy);
            }
            default -> throw new IllegalStateException("unknown outcome " + o);
        }
    }

    /** Learns the ICE USERNAME from a STUN Binding request; anything malformed is ignored (and forwarded). */
    private void learnUsername(ProxyFlow f, ByteBuffer b) {
        String user = StunUsername.read(b);
        if (user != null && !user.equals(f.iceUsername)) {
            stunUsernamesSeen.incrementAndGet();
            rules.setIceUsername(f, user);
            LOG.info("proxy {}: flow for client {} has ICE user {}", localAddress, f.client, user);
        }
    }
}
