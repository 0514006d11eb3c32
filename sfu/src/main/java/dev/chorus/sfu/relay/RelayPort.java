package dev.chorus.sfu.relay;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.collect.LongObjectMap;
import dev.chorus.sfu.rtp.BigEndian;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.security.SecureRandom;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's relay socket: where other nodes send the streams it asked them for, and the links it sends its own
 * relayed streams through. One reader thread ({@code chorus-relay-reader}) reads datagrams, checks that they come
 * from a known node, and hands each packet to the {@link RelayInbound} registered under its tag; everything else is
 * counted and dropped.
 *
 * <p>Threads: the reader thread reads; registration, links and allowed sources change on the control thread (any
 * thread is safe: the reader sees copy-on-write snapshots); links send on media workers.
 */
public final class RelayPort implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RelayPort.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final DatagramChannel channel;
    private final InetSocketAddress local;
    private final Thread reader;
    private final Map<InetSocketAddress, RelayLink> links = new LinkedHashMap<>();

    /** Copy-on-write: read by the reader thread per packet, replaced under this object's lock. */
    private volatile LongObjectMap<RelayInbound> inbound = new LongObjectMap<>();

    private volatile Set<InetAddress> allowedSources = Set.of();
    private volatile boolean closed;

    private final LongAdder received = new LongAdder();
    private final LongAdder bytesReceived = new LongAdder();
    private final LongAdder droppedUnknownSource = new LongAdder();
    private final LongAdder droppedUnknownTag = new LongAdder();
    private final LongAdder droppedTooShort = new LongAdder();

    private RelayPort(DatagramChannel channel, InetSocketAddress local) {
        this.channel = channel;
        this.local = local;
        this.reader = new Thread(this::readLoop, "chorus-relay-reader");
        reader.setDaemon(true);
    }

    /** Binds {@code bind} (port 0: any free port) and starts reading. */
    public static RelayPort open(InetSocketAddress bind) throws IOException {
        DatagramChannel ch = DatagramChannel.open(
                bind.getAddress() instanceof java.net.Inet6Address
                        ? StandardProtocolFamily.INET6
                        : StandardProtocolFamily.INET);
        try {
            ch.bind(bind);
            RelayPort port = new RelayPort(ch, (InetSocketAddress) ch.getLocalAddress());
            port.reader.start();
            LOG.info("relay port listening on {}", port.local);
            return port;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** The address other nodes send to (what this node advertises to the cluster). */
    public InetSocketAddress localAddress() {
        return local;
    }

    /** Only datagrams from these addresses are read: the cluster's nodes. Replaces the previous set. */
    public void allowSources(Collection<InetAddress> sources) {
        allowedSources = Set.copyOf(sources);
    }

    /** The one link to the node whose relay port is {@code remote}, opened on first use. */
    public synchronized RelayLink link(InetSocketAddress remote) throws IOException {
        if (closed) {
            throw new IOException("relay port closed");
        }
        RelayLink l = links.get(remote);
        if (l == null) {
            l = RelayLink.open(local, remote);
            links.put(remote, l);
        }
        return l;
    }

    /** Registers {@code in} under a new random tag (never 0), which the sending node puts on every packet. */
    public synchronized int register(RelayInbound in) {
        LongObjectMap<RelayInbound> next = copy(inbound);
        int tag;
        do {
            tag = RANDOM.nextInt();
        } while (tag == 0 || next.containsKey(tag & 0xFFFFFFFFL));
        next.put(tag & 0xFFFFFFFFL, in);
        inbound = next;
        return tag;
    }

    /** Packets under {@code tag} are dropped from now on (counted as unknown tags). */
    public synchronized void unregister(int tag) {
        LongObjectMap<RelayInbound> next = copy(inbound);
        next.remove(tag & 0xFFFFFFFFL);
        inbound = next;
    }

    private static LongObjectMap<RelayInbound> copy(LongObjectMap<RelayInbound> from) {
        LongObjectMap<RelayInbound> to = new LongObjectMap<>(from.size() + 1);
        from.forEach(to::put);
        return to;
    }

    private void readLoop() {
        ByteBuffer buf = ByteBuffer.allocate(RelayFrame.CAPACITY + 64);
        byte[] array = buf.array();
        while (!closed) {
            try {
                buf.clear();
                SocketAddress from = channel.receive(buf);
                if (!(from instanceof InetSocketAddress src) || !allowedSources.contains(src.getAddress())) {
                    droppedUnknownSource.increment();
                    continue;
                }
                int len = buf.position();
                if (len <= RelayFrame.TAG_LENGTH) {
                    droppedTooShort.increment();
                    continue;
                }
                RelayInbound in = inbound.get(BigEndian.u32(array, 0));
                if (in == null) {
                    droppedUnknownTag.increment();
                    continue;
                }
                received.increment();
                bytesReceived.add(len);
                in.onRelayPacket(array, RelayFrame.TAG_LENGTH, len - RelayFrame.TAG_LENGTH);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException | RuntimeException e) {
                if (!closed) {
                    LOG.warn("relay port {}: read failed, reading on", local, e);
                }
            }
        }
    }

    public long packetsReceived() {
        return received.sum();
    }

    @Override
    public void close() {
        List<RelayLink> all;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            all = List.copyOf(links.values());
            links.clear();
        }
        try {
            channel.close();
        } catch (IOException e) {
            // closing anyway
        }
        all.forEach(RelayLink::close);
        try {
            reader.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("address", local.getAddress().getHostAddress() + ":" + local.getPort());
        n.put("packetsReceived", received.sum());
        n.put("bytesReceived", bytesReceived.sum());
        n.put("droppedUnknownSource", droppedUnknownSource.sum());
        n.put("droppedUnknownTag", droppedUnknownTag.sum());
        n.put("droppedTooShort", droppedTooShort.sum());
        n.put("streamsIn", inbound.size());
        ArrayNode a = n.putArray("links");
        synchronized (this) {
            links.values().forEach(l -> a.add(l.toJson()));
        }
        return n;
    }
}
