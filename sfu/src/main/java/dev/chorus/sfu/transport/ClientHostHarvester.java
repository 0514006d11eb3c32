package dev.chorus.sfu.transport;

import java.io.IOException;
import java.net.InetAddress;
import java.util.Collection;
import java.util.List;
import org.ice4j.Transport;
import org.ice4j.ice.Component;
import org.ice4j.ice.HostCandidate;
import org.ice4j.ice.LocalCandidate;
import org.ice4j.ice.harvest.CandidateHarvester;
import org.ice4j.ice.harvest.HarvestStatistics;
import org.ice4j.socket.IceSocketWrapper;
import org.ice4j.socket.IceUdpSocketWrapper;
import org.ice4j.socket.MultiplexingDatagramSocket;

/**
 * The CLIENT side's candidate: one UDP socket of its own on the configured address (loopback in tests)
 * with an ephemeral port. We cannot reuse ice4j's HostCandidateHarvester (it skips loopback and enumerates
 * every interface) nor a SinglePortUdpHarvester (its candidates only answer: they have no socket towards a
 * remote address until that remote has sent a binding request, so the controlling side could never send the
 * first check). Per agent: the socket is closed when the agent frees its candidates.
 */
final class ClientHostHarvester implements CandidateHarvester {
    private final InetAddress address;
    /** With shared reads, the socket the candidate is built on; null: a socket of ice4j's own. */
    private final ClientUdpSocket shared;

    private final HarvestStatistics stats = new HarvestStatistics();

    ClientHostHarvester(InetAddress address) {
        this(address, null);
    }

    ClientHostHarvester(InetAddress address, ClientUdpSocket shared) {
        this.address = address;
        this.shared = shared;
    }

    @Override
    public Collection<LocalCandidate> harvest(Component component) {
        try {
            MultiplexingDatagramSocket socket = shared == null
                    ? new MultiplexingDatagramSocket(0, address)
                    : new MultiplexingDatagramSocket(shared.stunSide());
            IceSocketWrapper wrapper = new IceUdpSocketWrapper(socket);
            HostCandidate candidate = new HostCandidate(wrapper, component, Transport.UDP);
            component.addLocalCandidate(candidate);
            candidate.getStunStack().addSocket(candidate.getStunSocket(null));
            // With shared reads the loop reads the socket, not the component socket's reader thread.
            if (shared == null && component.getComponentSocket() != null) {
                component.getComponentSocket().add(candidate.getCandidateIceSocketWrapper());
            }
            return List.of(candidate);
        } catch (IOException e) {
            throw new IllegalStateException("cannot bind a client socket on " + address.getHostAddress(), e);
        }
    }

    @Override
    public HarvestStatistics getHarvestStatistics() {
        return stats;
    }

    @Override
    public boolean isHostHarvester() {
        return true;
    }
}
