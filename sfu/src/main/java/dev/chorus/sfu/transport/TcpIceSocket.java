package dev.chorus.sfu.transport;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.socket.IceSocketWrapper;

/**
 * What ice4j sees of one {@link IceTcpConnection}: its STUN stack reads STUN frames from {@link #receive} (one ice4j
 * reader thread per connection, as with ice4j's own TCP candidates), and everything ice4j sends (STUN, and the
 * selected pair's DTLS/SRTP through {@code Component.send}) goes through {@link #send} into the connection's framed
 * output.
 */
final class TcpIceSocket extends IceSocketWrapper {
    /** STUN frames waiting for ice4j's reader of one connection before more are dropped. */
    static final int STUN_QUEUE = 64;

    private static final byte[] CLOSED = new byte[0];

    final IceTcpConnection connection;
    private final ArrayBlockingQueue<byte[]> stunIn = new ArrayBlockingQueue<>(STUN_QUEUE + 1);

    TcpIceSocket(IceTcpConnection connection) {
        this.connection = connection;
    }

    TransportAddress remoteTransportAddress() {
        return new TransportAddress(connection.remote.getAddress(), connection.remote.getPort(), Transport.TCP);
    }

    /** A STUN frame for ice4j's reader, copied; false when {@link #STUN_QUEUE} are already waiting. Selector thread. */
    boolean offerStun(byte[] buf, int off, int len) {
        return stunIn.size() < STUN_QUEUE && stunIn.offer(Arrays.copyOfRange(buf, off, off + len));
    }

    /** The connection closed: the reader's next (and every later) receive fails. */
    void closeStunQueue() {
        stunIn.clear();
        stunIn.offer(CLOSED);
    }

    @Override
    public void send(DatagramPacket p) throws IOException {
        connection.send(p.getData(), p.getOffset(), p.getLength());
    }

    @Override
    public void receive(DatagramPacket p) throws IOException {
        byte[] m;
        try {
            m = stunIn.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SocketException("interrupted");
        }
        if (m == CLOSED) {
            stunIn.offer(CLOSED); // every later receive fails too
            throw new SocketException("ICE-TCP connection closed");
        }
        int n = Math.min(m.length, p.getData().length - p.getOffset());
        System.arraycopy(m, 0, p.getData(), p.getOffset(), n);
        p.setLength(n);
        p.setSocketAddress(connection.remote);
    }

    @Override
    public void close() {
        connection.close();
    }

    @Override
    public InetAddress getLocalAddress() {
        return connection.local.getAddress();
    }

    @Override
    public int getLocalPort() {
        return connection.local.getPort();
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return connection.local;
    }

    /** The connected socket: ice4j matches its remote address to the pair's remote candidate. */
    @Override
    public Socket getTCPSocket() {
        return connection.channel.socket();
    }

    @Override
    public DatagramSocket getUDPSocket() {
        return null;
    }
}
