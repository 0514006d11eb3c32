package dev.chorus.sfu.transport;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.function.Function;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.ice.CandidatePair;
import org.ice4j.ice.Component;

/**
 * Writes a transport's media to its ICE component's selected pair. On the shared UDP port it writes straight to the
 * socket ice4j made for the pair's remote address, looked up once per selected pair, with one reused
 * {@link DatagramPacket}: ice4j's {@code Component.send} instead finds the socket in a synchronized map and allocates a
 * packet and a holder for every datagram. Anything else (a client's own socket, ICE-TCP) goes through ice4j.
 *
 * <p>Threads: not thread-safe; its one caller serialises sends (the SRTP path's send lock). {@link #isDirect} may be
 * read from any thread.
 */
final class SelectedPairSender {
    private final Component component;
    /** The shared port's socket for a remote address, or null when there is no shared port (a CLIENT transport). */
    private final Function<InetSocketAddress, DatagramSocket> directSockets;

    private final DatagramPacket packet = new DatagramPacket(new byte[0], 0);
    /** The selected pair {@link #direct} was chosen for; a new selected pair means a new choice. */
    private CandidatePair pair;
    /** Null: send through ice4j. */
    private DatagramSocket direct;

    private volatile boolean directPath;

    SelectedPairSender(Component component, Function<InetSocketAddress, DatagramSocket> directSockets) {
        this.component = component;
        this.directSockets = directSockets;
    }

    /** False when ICE has no selected pair (nothing sent); the socket's own failure as an IOException. */
    boolean send(byte[] buf, int off, int len) throws IOException {
        CandidatePair selected = component.getSelectedPair();
        if (selected == null) {
            return false;
        }
        if (selected != pair) {
            choose(selected);
        }
        if (direct != null) {
            packet.setData(buf, off, len);
            direct.send(packet);
        } else {
            component.send(buf, off, len);
        }
        return true;
    }

    /** Whether media currently goes straight to the shared port's socket ({@code /debug}). */
    boolean isDirect() {
        return directPath;
    }

    private void choose(CandidatePair selected) {
        pair = selected;
        direct = null;
        TransportAddress remote = selected.getRemoteCandidate().getTransportAddress();
        if (directSockets != null && remote.getTransport() == Transport.UDP) {
            // The shared port keys its sockets by the plain address a datagram came from, not a TransportAddress.
            InetSocketAddress to = new InetSocketAddress(remote.getAddress(), remote.getPort());
            direct = directSockets.apply(to);
            packet.setSocketAddress(to);
        }
        directPath = direct != null;
    }
}
