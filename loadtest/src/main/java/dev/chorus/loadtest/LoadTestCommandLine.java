package dev.chorus.loadtest;

import dev.chorus.loadtest.LoadTestConfig.BotKind;
import dev.chorus.loadtest.LoadTestConfig.ViewSize;
import dev.chorus.loadtest.OptionConverters.BotKindName;
import dev.chorus.loadtest.OptionConverters.LatencyLimitMillis;
import dev.chorus.loadtest.OptionConverters.LoopbackServer;
import dev.chorus.loadtest.OptionConverters.PagesPerBrowser;
import dev.chorus.loadtest.OptionConverters.Percent;
import dev.chorus.loadtest.OptionConverters.ProcessId;
import dev.chorus.loadtest.OptionConverters.ProfileName;
import dev.chorus.loadtest.OptionConverters.PublisherCount;
import dev.chorus.loadtest.OptionConverters.RampUp;
import dev.chorus.loadtest.OptionConverters.ReportDirectory;
import dev.chorus.loadtest.OptionConverters.RoomCount;
import dev.chorus.loadtest.OptionConverters.RunDuration;
import dev.chorus.loadtest.OptionConverters.StepCount;
import dev.chorus.loadtest.OptionConverters.StepDuration;
import dev.chorus.loadtest.OptionConverters.SubscriberCount;
import dev.chorus.loadtest.OptionConverters.ViewSizeText;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The load test's command line, declared for picocli: every option with its default, help text and converter
 * ({@link OptionConverters} checks each value on its own), then {@link #toConfig} checks how the options go
 * together (the run modes: a fixed load, {@code --capacity}, {@code --quality}; native or Chromium bots) and
 * builds the {@link LoadTestConfig}. Every complaint comes out as an {@link IllegalArgumentException} whose
 * message names the option, e.g. "--rooms must be between 1 and 1000, got 0".
 */
@Command(
        name = "chorus-loadtest",
        customSynopsis = "java -jar chorus-loadtest.jar [options]",
        descriptionHeading = "%n",
        description = "Native WebRTC bots (plain Java, no browser) join rooms of a running Chorus server, publish"
                + " synthetic audio/video and measure loss, one-way latency, jitter and join time; the server's"
                + " forwarding rate, CPU and memory are sampled alongside. Stops by itself after ramp-up + duration"
                + " (+ " + LoadTestConfig.DRAIN_SECONDS + " s drain). With --bots chromium the bots are headless"
                + " Chromium pages instead (see --bots).",
        optionListHeading = "%nOptions:%n",
        sortOptions = false,
        usageHelpWidth = 100)
final class LoadTestCommandLine {

    @Option(
            names = "--server",
            order = 1,
            paramLabel = "URL",
            converter = LoopbackServer.class,
            defaultValue = "http://127.0.0.1:8080",
            description = "server base URL, loopback only (default ${DEFAULT-VALUE})")
    URI server;

    @Option(
            names = "--rooms",
            order = 2,
            paramLabel = "N",
            converter = RoomCount.class,
            defaultValue = "1",
            description = "rooms (default ${DEFAULT-VALUE}, max " + LoadTestConfig.MAX_ROOMS + ")")
    int rooms;

    @Option(
            names = "--publishers",
            order = 3,
            paramLabel = "N",
            converter = PublisherCount.class,
            defaultValue = "2",
            description = "publishing bots per room, they also receive each other (default ${DEFAULT-VALUE})")
    int publishers;

    @Option(
            names = "--subscribers",
            order = 4,
            paramLabel = "N",
            converter = SubscriberCount.class,
            defaultValue = "10",
            description = "receive-only bots per room (default ${DEFAULT-VALUE})")
    int subscribers;

    @Option(
            names = "--duration",
            order = 5,
            paramLabel = "D",
            converter = RunDuration.class,
            defaultValue = "30s",
            description = "how long to run at full load after ramp-up (default ${DEFAULT-VALUE}; units ms, s, m, h)")
    Duration duration;

    @Option(
            names = "--ramp-up",
            order = 6,
            paramLabel = "D",
            converter = RampUp.class,
            defaultValue = "5s",
            description = "bots join evenly spread over this time, publishers first (default ${DEFAULT-VALUE})")
    Duration rampUp;

    @Option(
            names = "--profile",
            order = 7,
            paramLabel = "P",
            converter = ProfileName.class,
            defaultValue = "360p",
            description = "native bots: audio | 360p | 720p | 1080p (default ${DEFAULT-VALUE}): video ~300 kbit/s"
                    + " / 1 / 2.5 Mbit/s at 30 fps with a key frame every 3 s; audio always 50 packets/s."
                    + " (Chromium pages send what the page's fake camera and Chrome's encoder make.)")
    Profile profile;

    @Option(
            names = "--simulcast",
            order = 8,
            description = "native publishers send their video as simulcast, three layers (rids l, m, h, lowest"
                    + " first) with a quarter of the bytes per step down; key frames announce the profile's size"
                    + " at the top (360p: 640x360, 720p: 1280x720, 1080p: 1920x1080) and half per step down,"
                    + " so the server can pick layers by view size. Default: one stream per video")
    boolean simulcast;

    @Option(
            names = "--view",
            order = 9,
            paramLabel = "WxH",
            converter = ViewSizeText.class,
            description = "with --simulcast: every native bot that receives video (subscribers, and publishers"
                    + " receiving each other) tells the server after each answer that it shows every received"
                    + " video at this size in device pixels (a 'view' message), e.g. 320x180; the server then"
                    + " forwards the lowest layer that covers it. Default: no view message (the top layer)")
    ViewSize view;

    @Option(
            names = "--bots",
            order = 10,
            paramLabel = "KIND",
            converter = BotKindName.class,
            defaultValue = "native",
            description = "native | chromium (default ${DEFAULT-VALUE}). chromium: every bot is a page of headless"
                    + " Chromium (Debian's chromium + chromedriver; CHORUS_CHROMIUM / CHORUS_CHROMEDRIVER override"
                    + " the paths) opening /r/<room>?name=<name> with the fake camera and mic; subscribers add"
                    + " &publish=0 (receive-only). Figures come from the pages' getStats(): frames decoded,"
                    + " freezes, loss, jitter, join-to-first-frame")
    BotKind bots;

    @Option(
            names = "--pages-per-browser",
            order = 11,
            paramLabel = "N",
            converter = PagesPerBrowser.class,
            defaultValue = "" + LoadTestConfig.DEFAULT_PAGES_PER_BROWSER,
            description = "chromium bots: pages (windows) per browser process (default ${DEFAULT-VALUE}, max "
                    + LoadTestConfig.MAX_PAGES_PER_BROWSER + ")")
    int pagesPerBrowser;

    @Option(
            names = "--server-pid",
            order = 12,
            paramLabel = "N",
            converter = ProcessId.class,
            description = "the server's process id on this machine, to sample its CPU and RSS from /proc")
    Integer serverPid;

    @Option(
            names = "--report",
            order = 13,
            paramLabel = "DIR",
            converter = ReportDirectory.class,
            defaultValue = "loadtest/target/report",
            description = "where result.json and index.html go (default ${DEFAULT-VALUE})")
    Path reportDir;

    @Option(
            names = {"-h", "--help"},
            order = 14,
            usageHelp = true,
            description = "this text")
    boolean help;

    @ArgGroup(
            validate = false,
            order = 1,
            heading = "%n"
                    + "Capacity benchmark (--capacity): raises the load step by step and reports the highest forwarded%n"
                    + "packets/s per server CPU core reached within the limits, with a table of every step. Step 1 runs%n"
                    + "--rooms rooms of --publishers + --subscribers bots; each further step adds --step-rooms rooms (their%n"
                    + "bots join over --ramp-up) and measures --step-duration. It stops at the first step over a limit,%n"
                    + "when bots fail to join, or when the load generator itself falls behind.%n")
    CapacityOptions capacity = new CapacityOptions();

    @ArgGroup(
            validate = false,
            order = 2,
            heading = "%n"
                    + "Quality table (--quality): media quality under loss. For each loss level a fresh two-party call of%n"
                    + "headless Chromium pages (both publish camera and microphone, each receives the other) runs through a%n"
                    + "UDP impairment proxy started in this process; every flow loses that share of packets at random and%n"
                    + "is delayed, in both directions. The server must announce the proxy as its candidate:%n"
                    + "chorus.media.public-address=127.0.0.1 and chorus.media.public-port=<--proxy-port>, with%n"
                    + "chorus.media.tcp-port=-1 so no page goes round it over ICE-TCP (loadtest/quality.sh does all this). Each call is measured for --duration (default 60s here) once%n"
                    + "both pages decode each other's video. Writes quality.json and quality.md to --report (default%n"
                    + "loadtest/target here).%n")
    QualityOptions quality = new QualityOptions();

    @ArgGroup(
            validate = false,
            order = 3,
            heading = "%nLarge rooms (native bots, a fixed load): speakers and last-N.%n")
    LargeRoomOptions largeRoom = new LargeRoomOptions();

    /** Shown as a section of the help; checked in {@link #toConfig}, as they only matter with --capacity. */
    static final class CapacityOptions {
        @Option(
                names = "--capacity",
                order = 1,
                description = "run the capacity benchmark instead of a fixed load (needs --server-pid)")
        boolean run;

        @Option(
                names = "--step-rooms",
                order = 2,
                paramLabel = "N",
                converter = RoomCount.class,
                defaultValue = "1",
                description = "rooms added per step (default ${DEFAULT-VALUE})")
        int stepRooms;

        @Option(
                names = "--step-duration",
                order = 3,
                paramLabel = "D",
                converter = StepDuration.class,
                defaultValue = "15s",
                description = "measuring window of each step, after its bots joined (default ${DEFAULT-VALUE})")
        Duration stepDuration;

        @Option(
                names = "--max-steps",
                order = 4,
                paramLabel = "N",
                converter = StepCount.class,
                defaultValue = "12",
                description =
                        "at most this many steps (default ${DEFAULT-VALUE}, max " + LoadTestConfig.MAX_STEPS + ")")
        int maxSteps;

        @Option(
                names = "--max-loss-percent",
                order = 5,
                paramLabel = "X",
                converter = Percent.class,
                defaultValue = "1",
                description = "loss limit of a step (default ${DEFAULT-VALUE})")
        double maxLossPercent;

        @Option(
                names = "--max-p99-ms",
                order = 6,
                paramLabel = "X",
                converter = LatencyLimitMillis.class,
                defaultValue = "50",
                description = "p99 one-way latency limit of a step (default ${DEFAULT-VALUE})")
        double maxP99Millis;
    }

    /** Options that shape the rooms and bots, which --quality fixes itself (a two-party Chromium call). */
    private static final List<String> ROOM_SHAPE = List.of(
            "--rooms",
            "--publishers",
            "--subscribers",
            "--profile",
            "--simulcast",
            "--view",
            "--speech",
            "--last-n",
            "--bots",
            "--pages-per-browser");

    private LoadTestCommandLine() {}

    /** Parses and checks a command line; IllegalArgumentException names the option that is wrong and why. */
    static LoadTestConfig parse(String... args) {
        LoadTestCommandLine options = new LoadTestCommandLine();
        CommandLine cli = commandLine(options);
        try {
            cli.parseArgs(args);
            return options.toConfig(cli);
        } catch (ParameterException e) {
            throw new IllegalArgumentException(message(e), e);
        }
    }

    /** Prints the help ({@code --help}). */
    static void usage(PrintStream out) {
        commandLine(new LoadTestCommandLine()).usage(out);
    }

    private static CommandLine commandLine(LoadTestCommandLine options) {
        CommandLine cli = new CommandLine(options);
        // capacity.sh and quality.sh pass their own settings before the user's: a repeated option's last value wins.
        cli.setOverwrittenOptionsAllowed(true);
        cli.setExpandAtFiles(false); // "@file" is no option, not a file of arguments
        cli.setUsageHelpLongOptionsMaxWidth(24);
        return cli;
    }

    /**
     * The options together: what single values cannot say (sums, modes that exclude each other). The modes are
     * checked here, not by an exclusive {@code @ArgGroup}: picocli's would refuse a repeated flag (capacity.sh
     * passes --capacity before the user's arguments, so "capacity.sh --capacity" would fail), and a group
     * cannot say "--bots chromium".
     */
    private LoadTestConfig toConfig(CommandLine cli) {
        ParseResult given = cli.getParseResult();
        if (publishers + subscribers > LoadTestConfig.MAX_PER_ROOM) {
            throw new ParameterException(
                    cli,
                    "--publishers + --subscribers must be at most " + LoadTestConfig.MAX_PER_ROOM + " per room, got "
                            + (publishers + subscribers));
        }
        long totalBots = (long) rooms * (publishers + subscribers);
        if (totalBots > LoadTestConfig.MAX_BOTS) {
            throw new ParameterException(
                    cli,
                    "at most " + LoadTestConfig.MAX_BOTS + " bots in total, asked for " + totalBots
                            + " (rooms x (publishers + subscribers))");
        }
        if (bots == BotKind.CHROMIUM) {
            if (given.hasMatchedOption("--profile")) {
                throw new ParameterException(
                        cli,
                        "--profile applies to native bots; Chromium pages send what their"
                                + " fake camera and Chrome's encoder make");
            }
            if (totalBots > LoadTestConfig.MAX_CHROMIUM_PAGES) {
                throw new ParameterException(
                        cli,
                        "at most " + LoadTestConfig.MAX_CHROMIUM_PAGES + " Chromium pages, asked for " + totalBots
                                + " (rooms x (publishers + subscribers))");
            }
        } else if (given.hasMatchedOption("--pages-per-browser")) {
            throw new ParameterException(cli, "--pages-per-browser applies to --bots chromium only");
        }
        OptionalLong pid = serverPid == null ? OptionalLong.empty() : OptionalLong.of(serverPid);
        LoadTestConfig.Capacity cap = null;
        if (capacity.run) {
            if (bots == BotKind.CHROMIUM) {
                throw new ParameterException(
                        cli,
                        "--capacity runs native bots (a browser page costs far more than"
                                + " the packets it makes the server forward)");
            }
            if (pid.isEmpty() && !help) {
                throw new ParameterException(
                        cli, "--capacity needs --server-pid: the figure is packets per server" + " CPU core");
            }
            long largest = (rooms + (long) capacity.stepRooms * (capacity.maxSteps - 1)) * (publishers + subscribers);
            if (largest > LoadTestConfig.MAX_BOTS) {
                throw new ParameterException(
                        cli,
                        "the last capacity step would run " + largest
                                + " bots, more than " + LoadTestConfig.MAX_BOTS
                                + ": lower --max-steps, --step-rooms or the room size");
            }
            cap = new LoadTestConfig.Capacity(
                    capacity.stepRooms,
                    capacity.stepDuration,
                    capacity.maxSteps,
                    capacity.maxLossPercent / 100,
                    capacity.maxP99Millis);
        }
        LoadTestConfig.Quality q = null;
        Duration runDuration = duration;
        Path report = reportDir;
        BotKind kind = bots;
        int pubs = publishers;
        int subs = subscribers;
        if (quality.run) {
            if (capacity.run) {
                throw new ParameterException(cli, "--quality and --capacity are two different runs: pick one");
            }
            Set<String> roomShape = new TreeSet<>();
            for (String name : ROOM_SHAPE) {
                if (given.hasMatchedOption(name)) {
                    roomShape.add(name);
                }
            }
            if (!roomShape.isEmpty()) {
                throw new ParameterException(
                        cli, "--quality always runs a two-party Chromium call; drop " + String.join(", ", roomShape));
            }
            if (!help && (quality.mediaTarget == null || quality.proxyPort == null)) {
                throw new ParameterException(
                        cli,
                        "--quality needs --media-target (the SFU's UDP media address) and"
                                + " --proxy-port (the port the server announces as chorus.media.public-port)");
            }
            if (quality.mediaTarget != null
                    && quality.proxyPort != null
                    && quality.mediaTarget.getPort() == quality.proxyPort) {
                throw new ParameterException(
                        cli,
                        "--proxy-port must differ from the --media-target port: the proxy"
                                + " sits in front of the SFU");
            }
            q = new LoadTestConfig.Quality(
                    quality.lossLevels.percents(),
                    quality.delay,
                    quality.mediaTarget,
                    quality.proxyPort == null ? -1 : quality.proxyPort,
                    quality.seed,
                    quality.red.modes());
            kind = BotKind.CHROMIUM;
            pubs = 2;
            subs = 0;
            if (!given.hasMatchedOption("--duration")) {
                runDuration = Duration.ofSeconds(60);
            }
            if (!given.hasMatchedOption("--report")) {
                report = Path.of("loadtest", "target");
            }
        } else if (quality.mediaTarget != null || quality.proxyPort != null) {
            throw new ParameterException(cli, "--media-target and --proxy-port apply to --quality only");
        }
        checkSimulcast(cli, given);
        return new LoadTestConfig(
                server,
                rooms,
                pubs,
                subs,
                runDuration,
                rampUp,
                profile,
                pid,
                report,
                kind,
                pagesPerBrowser,
                cap,
                q,
                simulcast,
                view,
                largeRoom(cli),
                help);
    }

    /**
     * --simulcast and --view shape what native bots of a fixed load send and ask for; --quality refused them
     * already (with the other room-shape options).
     */
    private void checkSimulcast(CommandLine cli, ParseResult given) {
        List<String> named = new ArrayList<>();
        if (simulcast) {
            named.add("--simulcast");
        }
        if (given.hasMatchedOption("--view")) {
            named.add("--view");
        }
        if (named.isEmpty()) {
            return;
        }
        String options = String.join(" and ", named);
        String verb = named.size() == 1 ? "applies" : "apply";
        if (bots == BotKind.CHROMIUM) {
            throw new ParameterException(
                    cli,
                    options + " " + verb + " to native bots; Chromium pages send simulcast when the server's"
                            + " chorus.rooms.simulcast-from says so and report the sizes they show themselves");
        }
        if (capacity.run) {
            throw new ParameterException(cli, options + " " + verb + " to a fixed load, not to --capacity");
        }
        if (simulcast && !profile.hasVideo()) {
            throw new ParameterException(
                    cli, "--simulcast needs a video profile (360p, 720p or 1080p), not --profile " + profile.token());
        }
        if (view != null && !simulcast) {
            throw new ParameterException(
                    cli,
                    "--view needs --simulcast: the server picks a layer by view size only among a publisher's"
                            + " simulcast layers");
        }
    }

    /** --speech, --last-n and --broadcast shape what native bots of a fixed load do, like --simulcast. */
    private LoadTestConfig.LargeRoom largeRoom(CommandLine cli) {
        if (largeRoom.speechTurn == null && largeRoom.lastN == null && !largeRoom.broadcast) {
            return LoadTestConfig.LargeRoom.NONE;
        }
        if (bots == BotKind.CHROMIUM || capacity.run) {
            String what = largeRoom.speechTurn == null && largeRoom.lastN == null
                    ? "--broadcast applies"
                    : "--speech and --last-n apply";
            throw new ParameterException(cli, what + " to native bots of a fixed load");
        }
        return new LoadTestConfig.LargeRoom(
                largeRoom.speechTurn, largeRoom.lastN == null ? 0 : largeRoom.lastN, largeRoom.broadcast);
    }

    /**
     * Picocli's parse errors in this tool's words: "--rooms needs a value", "unknown option --room (see --help)",
     * and a converter's complaint after the option's name. The checks of {@link #toConfig} are worded already.
     */
    private static String message(ParameterException e) {
        if (e instanceof UnmatchedArgumentException unmatched
                && !unmatched.getUnmatched().isEmpty()) {
            String first = unmatched.getUnmatched().get(0);
            if (first.startsWith("--")) {
                int eq = first.indexOf('=');
                return "unknown option " + (eq > 0 ? first.substring(0, eq) : first) + " (see --help)";
            }
            return "unexpected argument '" + first + "' (options start with --)";
        }
        if (e instanceof MissingParameterException missing
                && !missing.getMissing().isEmpty()
                && missing.getMissing().get(0) instanceof OptionSpec option) {
            return option.longestName() + " needs a value";
        }
        ArgSpec arg = e.getArgSpec();
        if (e.getCause() instanceof TypeConversionException conversion && arg instanceof OptionSpec option) {
            return option.longestName() + " " + conversion.getMessage();
        }
        return e.getMessage();
    }
}
