package dev.chorus.web.browser;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.List;

/**
 * The network the Firefox tests run in: a namespace of their own (made by
 * web/src/test/netns/bin/java, the JVM of failsafe's "firefox" execution) whose only interface is
 * {@code lo}, holding {@link #ADDRESS} besides 127.0.0.1. Firefox offers no loopback host candidate,
 * so the SFU announces this address instead; nothing can leave the namespace.
 */
final class NetworkNamespace {
    static final String ADDRESS = "198.18.0.1";

    private NetworkNamespace() {}

    /** Fails, saying why and how to run the test, unless this JVM runs in that namespace. */
    static void require() {
        String error = System.getProperty("chorus.netns.error");
        if (error != null) {
            throw new IllegalStateException("the Firefox tests need their own network namespace: " + error);
        }
        List<String> interfaces;
        boolean hasAddress;
        try {
            interfaces = NetworkInterface.networkInterfaces()
                    .map(NetworkInterface::getName)
                    .sorted()
                    .toList();
            NetworkInterface lo = NetworkInterface.getByName("lo");
            hasAddress = lo != null && lo.inetAddresses().anyMatch(a -> a.equals(address()));
        } catch (SocketException e) {
            throw new IllegalStateException("cannot list network interfaces", e);
        }
        if (!interfaces.equals(List.of("lo")) || !hasAddress) {
            throw new IllegalStateException("the Firefox tests must run in a network namespace with only lo,"
                    + " holding " + ADDRESS + " (interfaces here: " + interfaces + "). Run them through Maven"
                    + " (failsafe's 'firefox' execution starts the JVM through web/src/test/netns/bin/java),"
                    + " e.g. mvn -pl web -am verify -Dit.test=SimulcastFirefoxIT");
        }
    }

    static InetAddress address() {
        try {
            return InetAddress.getByName(ADDRESS);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
