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

    /**
     * Switches for a Chromium started in this namespace. It has no DNS server (the host's one in resolv.conf cannot be
     * reached from here), so a name Chromium looks up waits out the resolver's timeouts: its first page load took 13-14
     * s here, 0.7 s outside. The tests use IP addresses only, so every other name fails at once instead (the rules
     * apply to IP literals too, hence the exclusions).
     */
    static final List<String> CHROMIUM_ARGS = List.of(
            "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE " + ADDRESS + " , EXCLUDE localhost");

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
