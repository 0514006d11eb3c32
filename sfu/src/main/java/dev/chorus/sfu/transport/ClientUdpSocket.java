package dev.chorus.sfu.transport;

import dev.chorus.sfu.drop.DropReason;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.ice4j.TransportAddress;
import org.ice4j.ice.CandidatePair;
import org.ice4j.ice.Component;

/**
 * A CLIENT transport's UDP socket when clients share their reads ({@link TransportConfig#sharedClientReads()}): a
 * non-blocking {@link DatagramChannel} that a {@link ClientReadLoop} drains on its thread with many other clients of the
 * process. Without it each client has ice4j's socket stack for its candidate, where a datagram crosses two or three
 * threads (the STUN stack's reader or the component socket's reader, then the client's own) and is copied into a new
 * packet at each hand-over: in a bot process that, not SRTP, is where the CPU goes.
 *
 * <p>ice4j still runs ICE on it: {@link #stunSide()} is the socket its candidate is built on. It receives only the
 * STUN datagrams the loop hands over (copied, a few per second) and sends straight through the channel. Everything
 * else goes to the SRTP path on the loop thread, if it comes from the selected pair's remote address (ice4j's
 * component socket filtered the same way).
 */
final class ClientUdpSocket {
    /** STUN datagrams waiting for ice4j's reader; more than this means ice4j is not reading, and they are dropped. */
    private static final int STUN_QUEUE = 64;

    final DatagramChannel channel;
    private final InetSocketAddress local;
    private final StunSide stunSide;
    private final AtomicLong stunDropped = new AtomicLong();

    private SrtpPacketPath path;
    private Component component;
    private TransportCounters counters;
    /** The selected pair {@link #remote} was taken from; loop thread only. */
    private CandidatePair pair;

    private InetSocketAddress remote;

    ClientUdpSocket(InetAddress bind) throws IOException {
        channel = DatagramChannel.open(
                bind instanceof Inet6Address ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        try {
            channel.bind(new InetSocketAddress(bind, 0));
            channel.configureBlocking(false);
            local = (InetSocketAddress) channel.getLocalAddress();
            stunSide = new StunSide();
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Where non-STUN datagrams go; call before the loop reads this socket. */
    void attach(SrtpPacketPath path, Component component, TransportCounters counters) {
        this.path = path;
        this.component = component;
        this.counters = counters;
    }

    /** The socket ice4j's candidate is built on (wrapped in its multiplexing socket). */
    DatagramSocket stunSide() {
        return stunSide;
    }

    InetSocketAddress localAddress() {
        return local;
    }

    /** STUN datagrams dropped because ice4j did not read them fast enough. */
    long stunDropped() {
        return stunDropped.get();
    }

    /** One datagram of {@code len} bytes at {@code buf[0]} from {@code from}; loop thread only. */
    void deliver(byte[] buf, int len, SocketAddress from) {
        if (len > 0 && (buf[0] & 0xFF) <= 3) { // RFC 7983: STUN, for ice4j
            if (!stunSide.feed(buf, len, from)) {
                stunDropped.incrementAndGet();
            }
            return;
        }
        if (!from.equals(selectedRemote())) {
            counters.packetsIn.increment();
            counters.drop(DropReason.REMOTE_ADDRESS_NOT_ALLOWED); // not (yet) the pair ICE selected
            return;
        }
        path.receive(buf, 0, len);
    }

    private InetSocketAddress selectedRemote() {
        CandidatePair p = component.getSelectedPair();
        if (p != pair) {
            pair = p;
            TransportAddress a = p == null ? null : p.getRemoteCandidate().getTransportAddress();
            // The channel reports senders as plain InetSocketAddresses, not ice4j's TransportAddress subclass.
            remote = a == null ? null : new InetSocketAddress(a.getAddress(), a.getPort());
        }
        return remote;
    }

    boolean isClosed() {
        return stunSide.isClosed();
    }

    /** Closes the channel (the loop then forgets it) and wakes ice4j's reader. Idempotent. */
    void close() {
        stunSide.close();
    }

    /**
     * What ice4j sees as the candidate's socket: receives the STUN the loop feeds it, sends through the channel.
     * The unbound socket of the superclass is never used for data.
     */
    private final class StunSide extends DatagramSocket {
        private final BlockingQueue<DatagramPacket> stun = new ArrayBlockingQueue<>(STUN_QUEUE);
        private volatile boolean closed;
        private volatile int soTimeoutMillis;

        StunSide() throws SocketException {
            super((SocketAddress) null);
        }

        boolean feed(byte[] buf, int len, SocketAddress from) {
            return !closed && stun.offer(new DatagramPacket(Arrays.copyOf(buf, len), len, from));
        }

        @Override
        public void receive(DatagramPacket p) throws IOException {
            DatagramPacket got;
            try {
                int t = soTimeoutMillis;
                got = t > 0 ? stun.poll(t, TimeUnit.MILLISECONDS) : stun.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SocketException("interrupted");
            }
            if (closed) {
                throw new SocketException("socket closed");
            }
            if (got == null) {
                throw new SocketTimeoutException("no STUN within " + soTimeoutMillis + " ms");
            }
            int n = Math.min(got.getLength(), p.getData().length - p.getOffset());
            System.arraycopy(got.getData(), 0, p.getData(), p.getOffset(), n);
            p.setLength(n);
            p.setSocketAddress(got.getSocketAddress());
        }

        @Override
        public void send(DatagramPacket p) throws IOException {
            if (closed) {
                throw new SocketException("socket closed");
            }
            ByteBuffer b = ByteBuffer.wrap(p.getData(), p.getOffset(), p.getLength());
            if (channel.send(b, p.getSocketAddress()) == 0) {
                throw new IOException("send buffer full"); // the caller counts it as a failed send
            }
        }

        @Override
        public InetAddress getLocalAddress() {
            return local.getAddress();
        }

        @Override
        public int getLocalPort() {
            return local.getPort();
        }

        @Override
        public SocketAddress getLocalSocketAddress() {
            return local;
        }

        @Override
        public boolean isBound() {
            return true;
        }

        @Override
        public boolean isClosed() {
            return closed;
        }

        @Override
        public void setSoTimeout(int timeout) {
            soTimeoutMillis = timeout;
        }

        @Override
        public int getSoTimeout() {
            return soTimeoutMillis;
        }

        @Override
        public void setReceiveBufferSize(int size) throws SocketException {
            try {
                channel.setOption(StandardSocketOptions.SO_RCVBUF, size);
            } catch (IOException e) {
                throw new SocketException(e.getMessage());
            }
        }

        @Override
        public int getReceiveBufferSize() throws SocketException {
            try {
                return channel.getOption(StandardSocketOptions.SO_RCVBUF);
            } catch (IOException e) {
                throw new SocketException(e.getMessage());
            }
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                channel.close();
            } catch (IOException e) {
                // closing: nothing left to do
            }
            stun.clear();
            stun.offer(new DatagramPacket(new byte[0], 0)); // wakes a reader blocked in take()
            super.close();
        }
    }
}
