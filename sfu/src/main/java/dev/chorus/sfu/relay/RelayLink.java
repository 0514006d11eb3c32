package dev.chorus.sfu.relay;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.atomic.LongAdder;

/**
 * This node's sending side towards one other node's {@link RelayPort}: a non-blocking UDP socket connected to it,
 * shared by every room and stream relayed there. Called on media worker threads; a full socket buffer is a counted
 * drop, never a wait. The JDK serialises concurrent writes on the channel (an uncontended lock when one worker
 * carries the rooms).
 */
public final class RelayLink implements AutoCloseable {
    private final InetSocketAddress remote;
    private final DatagramChannel channel;
    private final LongAdder packetsSent = new LongAdder();
    private final LongAdder bytesSent = new LongAdder();
    private final LongAdder wouldBlock = new LongAdder();
    private final LongAdder sendErrors = new LongAdder();
    private final LongAdder tooLarge = new LongAdder();

    private RelayLink(InetSocketAddress remote, DatagramChannel channel) {
        this.remote = remote;
        this.channel = channel;
    }

    /** A socket on {@code localHost} (any port) connected to the remote node's relay port. */
    static RelayLink open(InetSocketAddress localHost, InetSocketAddress remote) throws IOException {
        DatagramChannel ch = DatagramChannel.open(
                remote.getAddress() instanceof java.net.Inet6Address
                        ? StandardProtocolFamily.INET6
                        : StandardProtocolFamily.INET);
        try {
            ch.bind(new InetSocketAddress(localHost.getAddress(), 0));
            ch.connect(remote);
            ch.configureBlocking(false);
            return new RelayLink(remote, ch);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    public InetSocketAddress remote() {
        return remote;
    }

    /**
     * Sends {@code buf[off, off+len)} under {@code tag} through the caller's own {@code frame}; true when the socket
     * took it.
     */
    public boolean send(RelayFrame frame, int tag, byte[] buf, int off, int len) {
        if (!frame.fill(tag, buf, off, len)) {
            tooLarge.increment();
            return false;
        }
        try {
            int n = channel.write(frame.view());
            if (n == 0) {
                wouldBlock.increment();
                return false;
            }
            packetsSent.increment();
            bytesSent.add(n);
            return true;
        } catch (IOException | RuntimeException e) {
            // The remote node went away (ICMP port unreachable on a connected socket) or the link is closed.
            sendErrors.increment();
            return false;
        }
    }

    public long packetsSent() {
        return packetsSent.sum();
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    public ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("remote", remote.getAddress().getHostAddress() + ":" + remote.getPort());
        n.put("packetsSent", packetsSent.sum());
        n.put("bytesSent", bytesSent.sum());
        n.put("droppedSocketFull", wouldBlock.sum());
        n.put("droppedTooLarge", tooLarge.sum());
        n.put("sendErrors", sendErrors.sum());
        return n;
    }
}
