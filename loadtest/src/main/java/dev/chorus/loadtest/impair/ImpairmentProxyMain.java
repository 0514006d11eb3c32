package dev.chorus.loadtest.impair;

import dev.chorus.testkit.netsim.Impairment;
import dev.chorus.testkit.netsim.UdpImpairmentProxy;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Command line front of {@link UdpImpairmentProxy}:
 * <pre>
 * java -cp chorus-server.jar dev.chorus.loadtest.impair.ImpairmentProxyMain --listen 127.0.0.1:20000 \
 *     --target 127.0.0.1:10000 --to-server "loss=5%,delay=50ms" --to-client "loss=5%,delay=50ms" --seed 1
 * </pre>
 * Prints the proxy's JSON state every 5 s (see {@code --stats-seconds}) and runs until Ctrl-C.
 */
public final class ImpairmentProxyMain {

    private ImpairmentProxyMain() {
    }

    /** Parsed command line. */
    record Options(InetSocketAddress listen, InetSocketAddress target, Impairment toServer, Impairment toClient,
                   long seed, long statsSeconds) {
    }

    static final String USAGE = String.join("\n",
            "usage: ImpairmentProxyMain --target HOST:PORT [--listen HOST:PORT] [--to-server SPEC] [--to-client SPEC]",
            "                           [--seed N] [--stats-seconds N]",
            "  --listen         loopback address to listen on (default 127.0.0.1:0 = any free port)",
            "  --target         loopback address to forward to, e.g. the SFU's media port 127.0.0.1:10000",
            "  --to-server/--to-client  impairment, e.g. \"loss=5%,burst=2,delay=50ms,jitter=10ms,reorder=1%,"
                    + "rate=300kbps,queue=200ms\" (default none)",
            "  --seed           seed of the random decisions (default 1)",
            "  --stats-seconds  how often to print the state as JSON (default 5; 0 = never)");

    public static void main(String[] args) throws Exception {
        Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        run(o, System.out);
    }

    static void run(Options o, PrintStream out) throws Exception {
        UdpImpairmentProxy proxy = UdpImpairmentProxy.start(o.listen(), o.target(), o.seed());
        proxy.setDefault(o.toServer(), o.toClient());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            proxy.close();
            stopped.countDown();
        }, "chorus-netsim-shutdown"));
        out.println("impairment proxy " + proxy.localAddress() + " -> " + o.target() + " to-server ["
                + o.toServer().toSpec() + "] to-client [" + o.toClient().toSpec() + "] seed " + o.seed()
                + "; Ctrl-C ends");
        long period = o.statsSeconds() > 0 ? o.statsSeconds() : Long.MAX_VALUE / 2_000_000_000L;
        while (!stopped.await(period, TimeUnit.SECONDS)) {
            out.println(proxy.toJson());
        }
    }

    static Options parse(String[] args) {
        InetSocketAddress listen = null;
        InetSocketAddress target = null;
        Impairment toServer = Impairment.NONE;
        Impairment toClient = Impairment.NONE;
        long seed = 1;
        long stats = 5;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("--help")) {
                throw new IllegalArgumentException("help requested");
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + a + " needs a value");
            }
            String v = args[++i];
            switch (a) {
                case "--listen" -> listen = address(a, v);
                case "--target" -> target = address(a, v);
                case "--to-server" -> toServer = Impairment.parse(v);
                case "--to-client" -> toClient = Impairment.parse(v);
                case "--seed" -> seed = number(a, v);
                case "--stats-seconds" -> stats = number(a, v);
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        if (target == null) {
            throw new IllegalArgumentException("--target is required");
        }
        if (listen == null) {
            listen = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        }
        if (stats < 0) {
            throw new IllegalArgumentException("--stats-seconds must be >= 0");
        }
        return new Options(listen, target, toServer, toClient, seed, stats);
    }

    private static long number(String option, String v) {
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a whole number, got '" + v + "'");
        }
    }

    /** HOST:PORT or [IPv6]:PORT; the host must be a loopback address (literal or a name such as localhost). */
    static InetSocketAddress address(String option, String v) {
        int colon = v.lastIndexOf(':');
        if (colon <= 0 || colon == v.length() - 1) {
            throw new IllegalArgumentException(option + " needs HOST:PORT, got '" + v + "'");
        }
        String host = v.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(v.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " has a bad port in '" + v + "'");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException(option + " port out of range in '" + v + "'");
        }
        InetAddress a;
        try {
            a = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(option + " host '" + host + "' is unknown");
        }
        if (!a.isLoopbackAddress()) {
            throw new IllegalArgumentException(option + " " + v + " is not a loopback address");
        }
        return new InetSocketAddress(a, port);
    }
}
