package dev.chorus.sfu.transport;

import java.lang.reflect.Field;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.Map;
import org.ice4j.ice.harvest.AbstractUdpListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes one remote address away from the ICE session ice4j's shared UDP listener routes it to, so that the address's
 * next STUN request is routed by its ufrag (to an ICE restart's session, see {@link SharedUdpPort#release}).
 *
 * <p>ice4j offers no call for it. Closing the session's per-address socket removes the address from the listener's
 * routing, but by key, whatever it maps to by then: the old session closes that socket again later (its STUN connector
 * dying, its agent being freed), and each close would take the <em>new</em> session's route for the same address
 * away. So this clears the socket's remote address first (a close then leaves the routing alone), removes the route
 * only while it is still this socket's, then closes the socket. It reaches two private fields of the pinned ice4j
 * ({@code AbstractUdpListener.sockets}, {@code MySocket.remoteAddress}); SameAddressIceRestartTest fails if they are
 * gone. Without them, a plain close is the fallback.
 */
final class Ice4jUdpRouting {
    private static final Logger LOG = LoggerFactory.getLogger(Ice4jUdpRouting.class);
    private static final Field SOCKETS = field(AbstractUdpListener.class.getName(), "sockets");
    private static final Field REMOTE_ADDRESS =
            field(AbstractUdpListener.class.getName() + "$MySocket", "remoteAddress");

    private final AbstractUdpListener listener;

    Ice4jUdpRouting(AbstractUdpListener listener) {
        this.listener = listener;
    }

    /** Whether ice4j has the fields this relies on. */
    static boolean available() {
        return SOCKETS != null && REMOTE_ADDRESS != null;
    }

    /** Removes {@code remote}'s route to {@code socket} (if it is still that) and closes the socket. Any thread. */
    void forget(InetSocketAddress remote, DatagramSocket socket) {
        if (available()) {
            try {
                REMOTE_ADDRESS.set(socket, null);
                ((Map<?, ?>) SOCKETS.get(listener)).remove(remote, socket);
            } catch (IllegalAccessException | RuntimeException e) {
                LOG.warn("cannot reroute {} on the shared UDP port: {}", remote, e.toString());
            }
        }
        socket.close();
    }

    private static Field field(String className, String name) {
        try {
            Field f = Class.forName(className).getDeclaredField(name);
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn(
                    "ice4j has no {}.{} ({}): an ICE restart from the same address may lose its route",
                    className,
                    name,
                    e.toString());
            return null;
        }
    }
}
