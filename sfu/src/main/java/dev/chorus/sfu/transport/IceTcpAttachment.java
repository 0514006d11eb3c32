package dev.chorus.sfu.transport;

import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.ice.LocalCandidate;
import org.ice4j.ice.TcpHostCandidate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a SERVER transport takes ICE-TCP connections from the shared {@link IceTcpListener}: registered under the
 * transport's local ufrag, it binds a connection whose first STUN frame named that ufrag to the transport's passive TCP
 * candidate, and hands that connection's non-STUN frames to the SRTP path. Called on the listener's selector thread.
 */
final class IceTcpAttachment {
    private static final Logger LOG = LoggerFactory.getLogger(IceTcpAttachment.class);

    private final IceSession ice;
    private final SrtpPacketPath path;
    private final TransportConfig config;

    IceTcpAttachment(IceSession ice, SrtpPacketPath path, TransportConfig config) {
        this.ice = ice;
        this.path = path;
        this.config = config;
    }

    /**
     * Binds an accepted connection: it becomes a socket of our passive TCP candidate and of the agent's STUN stack,
     * so ice4j answers the checks on it and, once the pair is selected, {@code Component.send} writes to it. False if
     * the transport is closed, the remote is not allowed, or we have no TCP candidate on that address.
     */
    boolean attach(TcpIceSocket socket) {
        if (ice.isClosed() || !config.isAllowed(socket.connection.remote.getAddress())) {
            return false;
        }
        TransportAddress local = new TransportAddress(socket.getLocalAddress(), socket.getLocalPort(), Transport.TCP);
        for (LocalCandidate c : ice.component().getLocalCandidates()) {
            if (c instanceof TcpHostCandidate tc && local.equals(c.getTransportAddress())) {
                tc.addSocket(socket);
                ice.agent().getStunStack().addSocket(socket, socket.remoteTransportAddress());
                LOG.debug("ICE-TCP connection from {} attached to {}", socket.connection.remote, ice.localUfrag());
                return true;
            }
        }
        return false;
    }

    /** The connection is closing; stop the STUN stack's reader of it (ice4j closes the socket). */
    void detach(TcpIceSocket socket) {
        TransportAddress local = new TransportAddress(socket.getLocalAddress(), socket.getLocalPort(), Transport.TCP);
        ice.agent().getStunStack().removeSocket(local, socket.remoteTransportAddress());
    }

    /** One non-STUN frame (DTLS, SRTP, SRTCP) of an attached connection. */
    void receive(byte[] buf, int off, int len) {
        path.receiveOverTcp(buf, off, len);
    }
}
