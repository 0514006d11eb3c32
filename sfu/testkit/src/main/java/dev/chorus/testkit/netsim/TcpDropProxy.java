package dev.chorus.testkit.netsim;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP forwarder on 127.0.0.1 in front of a server (its web page and WebSocket) that can drop every connection
 * through it at once, the way a network change or a proxy cutting idle sockets does: each side's socket is reset
 * (RST), so neither sees a WebSocket close frame. New connections are forwarded again at once, unless
 * {@link #refuse(boolean)} says to turn them away. Threads per connection: for tests only.
 */
public final class TcpDropProxy implements AutoCloseable {

    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final List<Socket> open = new ArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile boolean refusing;
    private volatile boolean closed;

    private TcpDropProxy(ServerSocket listener, InetSocketAddress target) {
        this.listener = listener;
        this.target = target;
    }

    /** Starts forwarding from a free port on 127.0.0.1 to {@code targetPort} on 127.0.0.1. */
    public static TcpDropProxy start(int targetPort) throws IOException {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        ServerSocket listener = new ServerSocket(0, 50, loopback);
        TcpDropProxy proxy = new TcpDropProxy(listener, new InetSocketAddress(loopback, targetPort));
        Thread acceptor = new Thread(proxy::acceptLoop, "tcp-drop-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        return proxy;
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Connections accepted so far. */
    public int accepted() {
        return accepted.get();
    }

    /** While true, new connections are reset as soon as they arrive (the server looks unreachable). */
    public void refuse(boolean refuse) {
        refusing = refuse;
    }

    /** Resets every connection open now, both sides; returns how many client connections there were. */
    public int dropAll() {
        List<Socket> now;
        synchronized (open) {
            now = new ArrayList<>(open);
            open.clear();
        }
        for (Socket s : now) {
            reset(s);
        }
        return now.size() / 2;
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            accepted.incrementAndGet();
            if (refusing) {
                reset(client);
                continue;
            }
            Socket upstream = new Socket();
            try {
                upstream.connect(target, 5000);
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
            } catch (IOException e) {
                reset(client);
                reset(upstream);
                continue;
            }
            synchronized (open) {
                open.add(client);
                open.add(upstream);
            }
            pump(client, upstream);
            pump(upstream, client);
        }
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(
                () -> {
                    byte[] buffer = new byte[16 * 1024];
                    try {
                        InputStream in = from.getInputStream();
                        OutputStream out = to.getOutputStream();
                        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                            out.write(buffer, 0, n);
                            out.flush();
                        }
                        // An orderly end on one side is passed on as one.
                        to.shutdownOutput();
                    } catch (IOException e) {
                        // reset or dropped: the other direction ends too
                        reset(to);
                    }
                },
                "tcp-drop-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void reset(Socket s) {
        try {
            if (!s.isClosed()) {
                s.setSoLinger(true, 0); // close() now sends RST, not FIN
            }
        } catch (SocketException ignored) {
            // already gone
        }
        try {
            s.close();
        } catch (IOException ignored) {
            // already gone
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException ignored) {
            // already closed
        }
        dropAll();
    }
}
