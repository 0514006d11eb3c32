package dev.chorus.sfu.transport;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.function.Function;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.ice.CandidatePair;
import org.ice4j.ice.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a transport's media to its ICE component's selected pair, or to the path the peer itself moved to. On the
 * shared UDP port it writes straight to the socket ice4j made for the remote address, looked up once per change of
 * destination, with one reused {@link DatagramPacket}: ice4j's {@code Component.send} instead finds the socket in a
 * synchronized map and allocates a packet and a holder for every datagram. Anything else (a client's own socket,
 * ICE-TCP) goes through ice4j.
 *
 * <p>Following the peer: ice4j keeps the first pair the browser nominates. A browser may later nominate another (its
 * ICE-TCP pair first on a busy machine, then UDP once that answers; another local interface) and drop the first, which
 * would leave us sending into a closed path. So when authenticated SRTP or SRTCP (only the peer has the keys, and the
 * SRTP replay check turns away copies) arrives from another remote address of the shared UDP port, one that has an ICE
 * session there (it passed a STUN check with our ufrag), media goes there from then on; media arriving over ICE-TCP
 * while the selected pair is ICE-TCP goes back to the selected pair.
 *
 * <p>Threads: {@link #send} is not thread-safe; its one caller serialises sends (the SRTP path's send lock).
 * {@link #peerSentFrom} runs on the packet thread and only publishes a volatile destination the next send picks up.
 * {@link #isDirect} and {@link #addJson} may be called from any thread.
 */
final class SelectedPairSender {
    /** The source {@link #peerSentFrom} is given for a frame of an ICE-TCP connection. */
    static final SocketAddress OVER_TCP = new InetSocketAddress(0) {
        @Override
        public String toString() {
            return "ICE-TCP";
        }
    };

    private static final Logger LOG = LoggerFactory.getLogger(SelectedPairSender.class);

    private final Component component;
    /** The ICE session's local ufrag, for the log. */
    private final String ufrag;
    /** The shared port's socket for a remote address, or null when there is no shared port (a CLIENT transport). */
    private final Function<InetSocketAddress, DatagramSocket> directSockets;

    private final DatagramPacket packet = new DatagramPacket(new byte[0], 0);
    /** The selected pair {@link #direct} was chosen for; a new selected pair means a new choice. */
    private CandidatePair pair;
    /** The peer path {@link #direct} was chosen for (null: the selected pair's remote). */
    private InetSocketAddress followed;
    /** Null: send through ice4j. */
    private DatagramSocket direct;

    /** Where UDP media goes now, for the packet thread's cheap comparison; null when it goes through ice4j. */
    private volatile InetSocketAddress target;
    /** The UDP remote the peer moved to, when it is not the selected pair's; written by the packet thread. */
    private volatile InetSocketAddress peerPath;

    private volatile long peerMoves;

    SelectedPairSender(Component component, String ufrag, Function<InetSocketAddress, DatagramSocket> directSockets) {
        this.component = component;
        this.ufrag = ufrag;
        this.directSockets = directSockets;
    }

    /** False when ICE has no selected pair (nothing sent); the socket's own failure as an IOException. */
    boolean send(byte[] buf, int off, int len) throws IOException {
        CandidatePair selected = component.getSelectedPair();
        if (selected == null) {
            return false;
        }
        InetSocketAddress follow = peerPath;
        if (selected != pair || follow != followed) {
            choose(selected, follow);
        }
        if (direct != null) {
            packet.setData(buf, off, len);
            direct.send(packet);
        } else {
            component.send(buf, off, len);
        }
        return true;
    }

    /**
     * Authenticated media came from {@code from} (a plain address of the shared UDP port, or {@link #OVER_TCP}): if
     * that is not where we send, and the peer holds an ICE session there, our media follows it. Packet thread; one
     * comparison when nothing changed.
     */
    void peerSentFrom(SocketAddress from) {
        if (from == OVER_TCP) {
            if (peerPath != null && selectedIsTcp()) {
                peerPath = null; // back to the selected (TCP) pair
                peerMoves++;
                LOG.info("[ufrag={}] the peer moved back to ICE-TCP: media follows", ufrag);
            }
            return;
        }
        if (directSockets == null || from.equals(target) || !(from instanceof InetSocketAddress to)) {
            return;
        }
        if (to.equals(peerPath) || directSockets.apply(to) == null) {
            return; // already asked for, or no ICE session of ours there
        }
        if (target == null && peerPath == null && to.equals(udpRemote(component.getSelectedPair()))) {
            return; // before the first send: where we will send anyway
        }
        peerPath = to;
        peerMoves++;
        LOG.info("[ufrag={}] the peer moved to {}: media follows (was {})", ufrag, to, target);
    }

    /**
     * The pair's remote as the shared port keys its sockets (the plain address a datagram came from, not a
     * TransportAddress); null for no pair or a TCP one.
     */
    private static InetSocketAddress udpRemote(CandidatePair pair) {
        if (pair == null) {
            return null;
        }
        TransportAddress remote = pair.getRemoteCandidate().getTransportAddress();
        return remote.getTransport() == Transport.UDP
                ? new InetSocketAddress(remote.getAddress(), remote.getPort())
                : null;
    }

    private boolean selectedIsTcp() {
        CandidatePair selected = component.getSelectedPair();
        return selected != null && selected.getLocalCandidate().getTransport() == Transport.TCP;
    }

    /** Whether media currently goes straight to the shared port's socket ({@code /debug}). */
    boolean isDirect() {
        return target != null;
    }

    /** Where media goes when the peer moved off the selected pair, and how often it moved ({@code /debug}). */
    void addJson(ObjectNode o) {
        InetSocketAddress p = peerPath;
        if (p != null) {
            o.put("mediaTo", p.toString());
        }
        o.put("peerMoves", peerMoves);
    }

    private void choose(CandidatePair selected, InetSocketAddress follow) {
        pair = selected;
        followed = follow;
        direct = null;
        InetSocketAddress to = directSockets == null ? null : follow != null ? follow : udpRemote(selected);
        if (to != null) {
            direct = directSockets.apply(to);
            packet.setSocketAddress(to);
        }
        target = direct != null ? to : null;
    }
}
