package dev.chorus.sfu.transport;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;

/**
 * The CLIENT role's receive loop. A client's candidate has a socket of its own ({@link ClientHostHarvester}), and
 * ice4j only pushes datagrams for a {@code SinglePortUdpHarvester}, so one thread reads the ICE component's socket
 * (which passes only packets from validated remotes, STUN taken off) into the same SRTP path as the push path, with
 * one reused buffer. Ended by {@link #stop()}.
 */
final class ClientSocketReader {
    private final DatagramSocket socket;
    private final SrtpPacketPath path;
    private final Thread thread;
    private volatile boolean stopped;

    private ClientSocketReader(DatagramSocket socket, SrtpPacketPath path, String name) {
        this.socket = socket;
        this.path = path;
        this.thread = new Thread(this::run, name);
        thread.setDaemon(true);
    }

    /** Starts a thread named "chorus-client-reader-" + {@code ufrag} reading {@code socket}. */
    static ClientSocketReader start(DatagramSocket socket, SrtpPacketPath path, String ufrag) {
        ClientSocketReader r = new ClientSocketReader(socket, path, "chorus-client-reader-" + ufrag);
        r.thread.start();
        return r;
    }

    private void run() {
        byte[] buf = new byte[Ice4jSetup.BUFFER_CAPACITY];
        DatagramPacket pkt = new DatagramPacket(buf, buf.length);
        while (!stopped) {
            try {
                pkt.setData(buf, 0, buf.length);
                socket.receive(pkt);
            } catch (IOException e) {
                break; // closed
            }
            path.receive(pkt.getData(), pkt.getOffset(), pkt.getLength());
        }
    }

    /** Closes the socket (normally already closed by freeing the agent), which ends the thread. */
    void stop() {
        stopped = true;
        socket.close();
    }
}
