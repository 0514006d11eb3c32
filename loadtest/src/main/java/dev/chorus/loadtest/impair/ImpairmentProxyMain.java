package dev.chorus.loadtest.impair;

import dev.chorus.testkit.netsim.Impairment;
import dev.chorus.testkit.netsim.UdpImpairmentProxy;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Command line front of {@link UdpImpairmentProxy}, shipped in the load test's jar:
 * <pre>
 * java -cp chorus-loadtest.jar dev.chorus.loadtest.impair.ImpairmentProxyMain --listen 127.0.0.1:20000 \
 *     --target 127.0.0.1:10000 --to-server "loss=5%,delay=50ms" --to-client "loss=5%,delay=50ms" --seed 1
 * </pre>
 * Prints the proxy's JSON state every 5 s (see {@code --stats-seconds}) and runs until Ctrl-C. Exit code 2 on a
 * bad command line, after the error and the help on stderr.
 */
@Command(
        name = "ImpairmentProxyMain",
        customSynopsis = {
            "java -cp chorus-loadtest.jar dev.chorus.loadtest.impair.ImpairmentProxyMain --target HOST:PORT",
            "    [--listen HOST:PORT] [--to-server SPEC] [--to-client SPEC] [--seed N] [--stats-seconds N]"
        },
        descriptionHeading = "%n",
        description = "A UDP impairment proxy on loopback: each client gets its own flow to the target, and each"
                + " direction of a flow loses, delays, reorders and rate-limits packets as its SPEC says. Runs until"
                + " Ctrl-C.",
        optionListHeading = "%nOptions:%n",
        sortOptions = false,
        usageHelpWidth = 100)
public final class ImpairmentProxyMain {

    /** Parsed command line. */
    record Options(
            InetSocketAddress listen,
            InetSocketAddress target,
            Impairment toServer,
            Impairment toClient,
            long seed,
            long statsSeconds) {}

    @Option(
            names = "--target",
            order = 1,
            paramLabel = "HOST:PORT",
            converter = LoopbackAddress.class,
            description = "loopback address to forward to (required), e.g. the SFU's media port")
    private InetSocketAddress target;

    @Option(
            names = "--listen",
            order = 2,
            paramLabel = "HOST:PORT",
            converter = LoopbackAddress.class,
            defaultValue = "127.0.0.1:0",
            description = "loopback address to listen on (default ${DEFAULT-VALUE} = any free port)")
    private InetSocketAddress listen;

    // picocli formats help texts: %% prints one %
    @Option(
            names = "--to-server",
            order = 3,
            paramLabel = "SPEC",
            converter = ImpairmentSpec.class,
            defaultValue = "none",
            description = "impairment of client-to-server packets, e.g. \"loss=5%%,burst=2,delay=50ms,jitter=10ms,"
                    + "reorder=1%%,rate=300kbps,queue=200ms\" (default ${DEFAULT-VALUE})")
    private Impairment toServer;

    @Option(
            names = "--to-client",
            order = 4,
            paramLabel = "SPEC",
            converter = ImpairmentSpec.class,
            defaultValue = "none",
            description = "impairment of server-to-client packets, same keys (default ${DEFAULT-VALUE})")
    private Impairment toClient;

    @Option(
            names = "--seed",
            order = 5,
            paramLabel = "N",
            converter = WholeNumber.class,
            defaultValue = "1",
            description = "seed of the random decisions (default ${DEFAULT-VALUE})")
    private long seed;

    @Option(
            names = "--stats-seconds",
            order = 6,
            paramLabel = "N",
            converter = StatsPeriod.class,
            defaultValue = "5",
            description = "how often to print the state as JSON (default ${DEFAULT-VALUE}; 0 = never)")
    private long statsSeconds;

    @Option(
            names = {"-h", "--help"},
            order = 7,
            usageHelp = true,
            description = "this text")
    private boolean help;

    private ImpairmentProxyMain() {}

    public static void main(String[] args) throws Exception {
        ImpairmentProxyMain command = new ImpairmentProxyMain();
        CommandLine cli = commandLine(command);
        Options o;
        try {
            o = command.parse(cli, args);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            cli.usage(System.err);
            System.exit(2);
            return;
        }
        if (o == null) {
            cli.usage(System.out);
            return;
        }
        run(o, System.out);
    }

    /** Parses and checks a command line; IllegalArgumentException names the option that is wrong and why. */
    static Options parse(String... args) {
        ImpairmentProxyMain command = new ImpairmentProxyMain();
        Options o = command.parse(commandLine(command), args);
        if (o == null) {
            throw new IllegalArgumentException("help requested");
        }
        return o;
    }

    /** The options, or null when --help was asked for. */
    private Options parse(CommandLine cli, String[] args) {
        try {
            cli.parseArgs(args);
        } catch (ParameterException e) {
            throw new IllegalArgumentException(message(e), e);
        }
        if (help) {
            return null;
        }
        if (target == null) {
            throw new IllegalArgumentException("--target is required");
        }
        return new Options(listen, target, toServer, toClient, seed, statsSeconds);
    }

    private static CommandLine commandLine(ImpairmentProxyMain command) {
        CommandLine cli = new CommandLine(command);
        cli.setOverwrittenOptionsAllowed(true); // as before picocli: a repeated option's last value counts
        cli.setExpandAtFiles(false); // "@file" is no option, not a file of arguments
        return cli;
    }

    static void run(Options o, PrintStream out) throws Exception {
        UdpImpairmentProxy proxy = UdpImpairmentProxy.start(o.listen(), o.target(), o.seed());
        proxy.setDefault(o.toServer(), o.toClient());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            proxy.close();
                            stopped.countDown();
                        },
                        "chorus-netsim-shutdown"));
        out.println("impairment proxy " + proxy.localAddress() + " -> " + o.target() + " to-server ["
                + o.toServer().toSpec() + "] to-client [" + o.toClient().toSpec() + "] seed " + o.seed()
                + "; Ctrl-C ends");
        long period = o.statsSeconds() > 0 ? o.statsSeconds() : Long.MAX_VALUE / 2_000_000_000L;
        while (!stopped.await(period, TimeUnit.SECONDS)) {
            out.println(proxy.toJson());
        }
    }

    /**
     * Picocli's parse errors in this tool's words ("unknown option --x", "option --seed needs a value"), and a
     * converter's complaint after the option's name ("--seed needs a whole number, got 'x'").
     */
    private static String message(ParameterException e) {
        if (e instanceof UnmatchedArgumentException unmatched
                && !unmatched.getUnmatched().isEmpty()) {
            String first = unmatched.getUnmatched().get(0);
            int eq = first.indexOf('=');
            return "unknown option " + (first.startsWith("--") && eq > 0 ? first.substring(0, eq) : first);
        }
        if (e instanceof MissingParameterException missing
                && !missing.getMissing().isEmpty()
                && missing.getMissing().get(0) instanceof OptionSpec option) {
            return "option " + option.longestName() + " needs a value";
        }
        if (e.getCause() instanceof TypeConversionException conversion && e.getArgSpec() instanceof OptionSpec o) {
            return o.longestName() + " " + conversion.getMessage();
        }
        return e.getMessage();
    }

    /** HOST:PORT or [IPv6]:PORT; the host must be a loopback address (literal or a name such as localhost). */
    static final class LoopbackAddress implements ITypeConverter<InetSocketAddress> {
        @Override
        public InetSocketAddress convert(String v) {
            int colon = v.lastIndexOf(':');
            if (colon <= 0 || colon == v.length() - 1) {
                throw new TypeConversionException("needs HOST:PORT, got '" + v + "'");
            }
            String host = v.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            int port;
            try {
                port = Integer.parseInt(v.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new TypeConversionException("has a bad port in '" + v + "'");
            }
            if (port < 0 || port > 65_535) {
                throw new TypeConversionException("port out of range in '" + v + "'");
            }
            InetAddress a;
            try {
                a = InetAddress.getByName(host);
            } catch (UnknownHostException e) {
                throw new TypeConversionException("host '" + host + "' is unknown");
            }
            if (!a.isLoopbackAddress()) {
                throw new TypeConversionException(v + " is not a loopback address");
            }
            return new InetSocketAddress(a, port);
        }
    }

    /** An impairment spec as {@link Impairment#parse} reads it; "none" passes packets through. */
    static final class ImpairmentSpec implements ITypeConverter<Impairment> {
        @Override
        public Impairment convert(String v) {
            try {
                return Impairment.parse(v);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("is not an impairment: " + e.getMessage());
            }
        }
    }

    /** Any whole number that fits a long. */
    static class WholeNumber implements ITypeConverter<Long> {
        @Override
        public Long convert(String v) {
            try {
                return Long.parseLong(v.trim());
            } catch (NumberFormatException e) {
                throw new TypeConversionException("needs a whole number, got '" + v + "'");
            }
        }
    }

    /** Seconds between two prints of the state; 0 turns them off. */
    static final class StatsPeriod extends WholeNumber {
        @Override
        public Long convert(String v) {
            long seconds = super.convert(v);
            if (seconds < 0) {
                throw new TypeConversionException("must be >= 0");
            }
            return seconds;
        }
    }
}
