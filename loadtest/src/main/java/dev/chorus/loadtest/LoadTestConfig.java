package dev.chorus.loadtest;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The command line, validated. Build with {@link #parse(String...)}. */
record LoadTestConfig(
        URI server,
        int rooms,
        int publishers,
        int subscribers,
        Duration duration,
        Duration rampUp,
        Profile profile,
        OptionalLong serverPid,
        Path reportDir,
        BotKind bots,
        int pagesPerBrowser,
        Capacity capacity,
        Quality quality,
        boolean help) {

    /** What the bots are: plain Java WebRTC peers, or pages of headless Chromium. */
    enum BotKind {
        NATIVE, CHROMIUM;

        String token() {
            return name().toLowerCase(Locale.ROOT);
        }

        static BotKind parse(String s) {
            return switch (s.trim().toLowerCase(Locale.ROOT)) {
                case "native" -> NATIVE;
                case "chromium" -> CHROMIUM;
                default -> throw new IllegalArgumentException("--bots must be native or chromium, not '" + s + "'");
            };
        }
    }

    /**
     * The capacity benchmark ({@code --capacity}): start with {@link #rooms()} rooms, add {@code stepRooms}
     * rooms per step, measure each step for {@code stepDuration}, stop at the first step whose loss exceeds
     * {@code maxLoss} or whose p99 latency exceeds {@code maxP99Millis} (or when bots fail to join, the
     * load generator falls behind, or after {@code maxSteps}). Null when not asked for.
     */
    record Capacity(int stepRooms, Duration stepDuration, int maxSteps, double maxLoss, double maxP99Millis) {
    }

    /**
     * The quality table ({@code --quality}): for each loss level, a fresh two-party Chromium call (both pages
     * publish camera and microphone and receive each other) whose every flow goes through an in-process
     * {@code UdpImpairmentProxy} listening on 127.0.0.1:{@code proxyPort} in front of the SFU's own UDP port
     * {@code mediaTarget}, impaired in both directions with that random loss and {@code delay}; each call is
     * measured for the run's duration once both pages decode each other's video. Null when not asked for.
     *
     * @param lossPercents loss levels in percent, in the order run
     * @param delay        one-way delay added in each direction
     * @param mediaTarget  the SFU's bound UDP media address (loopback)
     * @param proxyPort    where the proxy listens: the port the server announces (chorus.media.public-port)
     * @param seed         the proxy's random seed
     */
    record Quality(java.util.List<Double> lossPercents, Duration delay, java.net.InetSocketAddress mediaTarget,
                   int proxyPort, long seed) {
    }

    static final int MAX_ROOMS = 1000;
    static final int MAX_PER_ROOM = 1000;
    static final int MAX_BOTS = 10_000;
    static final Duration MAX_DURATION = Duration.ofHours(24);
    static final Duration MAX_RAMP_UP = Duration.ofHours(1);
    /** After sending stops, how long receivers keep counting packets in flight. */
    static final Duration DRAIN = Duration.ofSeconds(2);
    static final int MAX_STEPS = 100;
    /** Chrome opens at most 16 audio captures per browser process. */
    static final int MAX_PAGES_PER_BROWSER = 16;
    static final int DEFAULT_PAGES_PER_BROWSER = 6;
    /** Each page decodes every remote video in software: a few dozen pages already fill a big machine. */
    static final int MAX_CHROMIUM_PAGES = 200;

    static final String USAGE = """
            Usage: java -jar chorus-loadtest.jar [options]

            Native WebRTC bots (plain Java, no browser) join rooms of a running Chorus server, publish synthetic
            audio/video and measure loss, one-way latency, jitter and join time; the server's forwarding rate,
            CPU and memory are sampled alongside. Stops by itself after ramp-up + duration (+ %d s drain).
            With --bots chromium the bots are headless Chromium pages instead (see --bots).

            Options:
              --server URL         server base URL, loopback only (default http://127.0.0.1:8080)
              --rooms N            rooms (default 1, max %d)
              --publishers N       publishing bots per room, they also receive each other (default 2)
              --subscribers N      receive-only bots per room (default 10)
              --duration D         how long to run at full load after ramp-up (default 30s; units ms, s, m, h)
              --ramp-up D          bots join evenly spread over this time, publishers first (default 5s)
              --profile P          native bots: audio | 360p | 720p | 1080p (default 360p): video ~300 kbit/s /
                                   1 / 2.5 Mbit/s at 30 fps with a key frame every 3 s; audio always 50 packets/s.
                                   (Chromium pages send what the page's fake camera and Chrome's encoder make.)
              --bots KIND          native | chromium (default native). chromium: every bot is a page of headless
                                   Chromium (Debian's chromium + chromedriver; CHORUS_CHROMIUM / CHORUS_CHROMEDRIVER
                                   override the paths) opening /r/<room>?name=<name> with the fake camera and mic;
                                   subscribers add &publish=0 (receive-only). Figures come from the pages'
                                   getStats(): frames decoded, freezes, loss, jitter, join-to-first-frame
              --pages-per-browser N  chromium bots: pages (windows) per browser process (default %d, max %d)
              --server-pid N       the server's process id on this machine, to sample its CPU and RSS from /proc
              --report DIR         where result.json and index.html go (default loadtest/target/report)
              --help               this text

            Capacity benchmark (--capacity): raises the load step by step and reports the highest forwarded
            packets/s per server CPU core reached within the limits, with a table of every step. Step 1 runs
            --rooms rooms of --publishers + --subscribers bots; each further step adds --step-rooms rooms
            (their bots join over --ramp-up) and measures --step-duration. It stops at the first step over a
            limit, when bots fail to join, or when the load generator itself falls behind.
              --capacity           run the capacity benchmark instead of a fixed load (needs --server-pid)
              --step-rooms N       rooms added per step (default 1)
              --step-duration D    measuring window of each step, after its bots joined (default 15s)
              --max-steps N        at most this many steps (default 12, max %d)
              --max-loss-percent X loss limit of a step (default 1)
              --max-p99-ms X       p99 one-way latency limit of a step (default 50)

            Quality table (--quality): media quality under loss. For each loss level a fresh two-party call of
            headless Chromium pages (both publish camera and microphone, each receives the other) runs through a
            UDP impairment proxy started in this process; every flow loses that share of packets at random and
            is delayed, in both directions. The server must announce the proxy as its candidate:
            chorus.media.public-address=127.0.0.1 and chorus.media.public-port=<--proxy-port>
            (loadtest/quality.sh does all this). Each call is measured for --duration (default 60s here) once
            both pages decode each other's video. Writes quality.json and quality.md to --report.
              --quality            run the quality table
              --loss-levels LIST   loss levels in percent, comma-separated (default 0,2,5,10)
              --delay D            one-way delay the proxy adds in each direction (default 50ms)
              --media-target H:P   the SFU's own UDP media address, loopback (required)
              --proxy-port N       the proxy listens on 127.0.0.1:N, the server's public port (required)
              --seed N             the proxy's random seed (default 1)
            """.formatted(DRAIN.toSeconds(), MAX_ROOMS, DEFAULT_PAGES_PER_BROWSER, MAX_PAGES_PER_BROWSER, MAX_STEPS);

    int botsPerRoom() {
        return publishers + subscribers;
    }

    int totalBots() {
        return rooms * botsPerRoom();
    }

    /** The signaling WebSocket URI derived from {@link #server()}. */
    URI webSocketUri() {
        String scheme = server.getScheme().equals("https") ? "wss" : "ws";
        return URI.create(scheme + "://" + server.getRawAuthority() + "/ws");
    }

    static LoadTestConfig parse(String... args) {
        String server = "http://127.0.0.1:8080";
        int rooms = 1;
        int publishers = 2;
        int subscribers = 10;
        Duration duration = Duration.ofSeconds(30);
        Duration rampUp = Duration.ofSeconds(5);
        Profile profile = Profile.P360;
        OptionalLong pid = OptionalLong.empty();
        Path report = Path.of("loadtest", "target", "report");
        boolean help = false;
        boolean capacity = false;
        int stepRooms = 1;
        Duration stepDuration = Duration.ofSeconds(15);
        int maxSteps = 12;
        double maxLossPercent = 1;
        double maxP99 = 50;
        BotKind bots = BotKind.NATIVE;
        int pagesPerBrowser = DEFAULT_PAGES_PER_BROWSER;
        boolean profileGiven = false;
        boolean pagesGiven = false;
        boolean quality = false;
        boolean durationGiven = false;
        boolean reportGiven = false;
        java.util.Set<String> roomShape = new java.util.TreeSet<>();
        java.util.List<Double> lossLevels = java.util.List.of(0.0, 2.0, 5.0, 10.0);
        Duration delay = Duration.ofMillis(50);
        java.net.InetSocketAddress mediaTarget = null;
        int proxyPort = -1;
        long seed = 1;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) {
                help = true;
                continue;
            }
            if (a.equals("--capacity")) {
                capacity = true;
                continue;
            }
            if (a.equals("--quality")) {
                quality = true;
                continue;
            }
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + a + "' (options start with --)");
            }
            String name;
            String value;
            int eq = a.indexOf('=');
            if (eq > 0) {
                name = a.substring(0, eq);
                value = a.substring(eq + 1);
            } else {
                name = a;
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(name + " needs a value");
                }
                value = args[++i];
            }
            switch (name) {
                case "--server" -> server = value;
                case "--rooms" -> {
                    rooms = intIn(name, value, 1, MAX_ROOMS);
                    roomShape.add(name);
                }
                case "--publishers" -> {
                    publishers = intIn(name, value, 1, MAX_PER_ROOM);
                    roomShape.add(name);
                }
                case "--subscribers" -> {
                    subscribers = intIn(name, value, 0, MAX_PER_ROOM);
                    roomShape.add(name);
                }
                case "--duration" -> {
                    duration = duration(name, value, Duration.ofSeconds(1), MAX_DURATION);
                    durationGiven = true;
                }
                case "--loss-levels" -> lossLevels = lossLevels(name, value);
                case "--delay" -> delay = duration(name, value, Duration.ZERO, Duration.ofSeconds(5));
                case "--media-target" -> mediaTarget = loopbackSocket(name, value);
                case "--proxy-port" -> proxyPort = intIn(name, value, 1, 65535);
                case "--seed" -> {
                    try {
                        seed = Long.parseLong(value.trim());
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--seed must be a whole number, not '" + value + "'");
                    }
                }
                case "--ramp-up" -> rampUp = duration(name, value, Duration.ZERO, MAX_RAMP_UP);
                case "--step-rooms" -> stepRooms = intIn(name, value, 1, MAX_ROOMS);
                case "--step-duration" -> stepDuration = duration(name, value, Duration.ofSeconds(3), Duration.ofMinutes(10));
                case "--max-steps" -> maxSteps = intIn(name, value, 1, MAX_STEPS);
                case "--max-loss-percent" -> maxLossPercent = decimalIn(name, value, 0, 100);
                case "--max-p99-ms" -> maxP99 = decimalIn(name, value, 0.1, 60_000);
                case "--profile" -> {
                    profile = Profile.parse(value);
                    profileGiven = true;
                    roomShape.add(name);
                }
                case "--bots" -> {
                    bots = BotKind.parse(value);
                    roomShape.add(name);
                }
                case "--pages-per-browser" -> {
                    pagesPerBrowser = intIn(name, value, 1, MAX_PAGES_PER_BROWSER);
                    pagesGiven = true;
                    roomShape.add(name);
                }
                case "--server-pid" -> pid = OptionalLong.of(intIn(name, value, 1, Integer.MAX_VALUE));
                case "--report" -> {
                    if (value.isBlank()) {
                        throw new IllegalArgumentException("--report needs a directory");
                    }
                    report = Path.of(value);
                    reportGiven = true;
                }
                default -> throw new IllegalArgumentException("unknown option " + name + " (see --help)");
            }
        }
        if (publishers + subscribers > MAX_PER_ROOM) {
            throw new IllegalArgumentException("--publishers + --subscribers must be at most " + MAX_PER_ROOM
                    + " per room, got " + (publishers + subscribers));
        }
        if ((long) rooms * (publishers + subscribers) > MAX_BOTS) {
            throw new IllegalArgumentException("at most " + MAX_BOTS + " bots in total, asked for "
                    + (long) rooms * (publishers + subscribers) + " (rooms x (publishers + subscribers))");
        }
        if (bots == BotKind.CHROMIUM) {
            if (profileGiven) {
                throw new IllegalArgumentException("--profile applies to native bots; Chromium pages send what their"
                        + " fake camera and Chrome's encoder make");
            }
            if ((long) rooms * (publishers + subscribers) > MAX_CHROMIUM_PAGES) {
                throw new IllegalArgumentException("at most " + MAX_CHROMIUM_PAGES + " Chromium pages, asked for "
                        + (long) rooms * (publishers + subscribers) + " (rooms x (publishers + subscribers))");
            }
        } else if (pagesGiven) {
            throw new IllegalArgumentException("--pages-per-browser applies to --bots chromium only");
        }
        Capacity cap = null;
        if (capacity) {
            if (bots == BotKind.CHROMIUM) {
                throw new IllegalArgumentException("--capacity runs native bots (a browser page costs far more than"
                        + " the packets it makes the server forward)");
            }
            if (pid.isEmpty() && !help) {
                throw new IllegalArgumentException("--capacity needs --server-pid: the figure is packets per server CPU core");
            }
            long largest = (long) (rooms + (long) stepRooms * (maxSteps - 1)) * (publishers + subscribers);
            if (largest > MAX_BOTS) {
                throw new IllegalArgumentException("the last capacity step would run " + largest + " bots, more than "
                        + MAX_BOTS + ": lower --max-steps, --step-rooms or the room size");
            }
            cap = new Capacity(stepRooms, stepDuration, maxSteps, maxLossPercent / 100, maxP99);
        }
        Quality q = null;
        if (quality) {
            if (capacity) {
                throw new IllegalArgumentException("--quality and --capacity are two different runs: pick one");
            }
            if (!roomShape.isEmpty()) {
                throw new IllegalArgumentException("--quality always runs a two-party Chromium call; drop "
                        + String.join(", ", roomShape));
            }
            if (!help && (mediaTarget == null || proxyPort < 0)) {
                throw new IllegalArgumentException("--quality needs --media-target (the SFU's UDP media address) and"
                        + " --proxy-port (the port the server announces as chorus.media.public-port)");
            }
            if (mediaTarget != null && mediaTarget.getPort() == proxyPort) {
                throw new IllegalArgumentException("--proxy-port must differ from the --media-target port: the proxy"
                        + " sits in front of the SFU");
            }
            q = new Quality(lossLevels, delay, mediaTarget, proxyPort, seed);
            bots = BotKind.CHROMIUM;
            publishers = 2;
            subscribers = 0;
            if (!durationGiven) {
                duration = Duration.ofSeconds(60);
            }
            if (!reportGiven) {
                report = Path.of("loadtest", "target");
            }
        } else if (mediaTarget != null || proxyPort >= 0) {
            throw new IllegalArgumentException("--media-target and --proxy-port apply to --quality only");
        }
        return new LoadTestConfig(loopbackServer(server), rooms, publishers, subscribers, duration, rampUp,
                profile, pid, report, bots, pagesPerBrowser, cap, q, help);
    }

    /** http(s) URL on a loopback host, without path beyond "/", query or credentials. */
    static URI loopbackServer(String s) {
        URI u;
        try {
            u = new URI(s);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("--server is not a URL: " + s);
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("--server must be an http:// or https:// URL, not " + s);
        }
        if (u.getHost() == null || u.getUserInfo() != null || u.getRawQuery() != null || u.getRawFragment() != null
                || (u.getRawPath() != null && !u.getRawPath().isEmpty() && !u.getRawPath().equals("/"))) {
            throw new IllegalArgumentException("--server must be a plain base URL like http://127.0.0.1:8080, not " + s);
        }
        String host = u.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        boolean loopback;
        if (host.equalsIgnoreCase("localhost")) {
            loopback = true;
        } else if (host.matches("[0-9.]+") || host.contains(":")) {
            try {
                loopback = InetAddress.getByName(host).isLoopbackAddress(); // a literal: no DNS lookup
            } catch (UnknownHostException e) {
                loopback = false;
            }
        } else {
            loopback = false; // other names are not resolved: they could point anywhere
        }
        if (!loopback) {
            throw new IllegalArgumentException("--server must be on this machine (127.0.0.0/8, ::1 or localhost);"
                    + " refusing " + s);
        }
        return URI.create(scheme + "://" + u.getRawAuthority());
    }

    /** "0,2,5,10": percentages in 0..100, at least one, each once. */
    static java.util.List<Double> lossLevels(String name, String value) {
        java.util.List<Double> levels = new java.util.ArrayList<>();
        for (String part : value.split(",", -1)) {
            double v = decimalIn(name, part, 0, 100);
            if (levels.contains(v)) {
                throw new IllegalArgumentException(name + " lists " + part.trim() + " twice");
            }
            levels.add(v);
        }
        if (levels.size() > 20) {
            throw new IllegalArgumentException(name + " takes at most 20 levels, got " + levels.size());
        }
        return java.util.List.copyOf(levels);
    }

    /** "127.0.0.1:10000" or "[::1]:10000": a loopback address literal and a port. */
    static java.net.InetSocketAddress loopbackSocket(String name, String value) {
        String v = value.trim();
        int colon = v.lastIndexOf(':');
        if (colon <= 0 || colon == v.length() - 1) {
            throw new IllegalArgumentException(name + " must be HOST:PORT like 127.0.0.1:10000, not '" + value + "'");
        }
        String host = v.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = intIn(name + " port", v.substring(colon + 1), 1, 65535);
        InetAddress address;
        try {
            if (!host.matches("[0-9.]+") && !host.contains(":")) {
                throw new UnknownHostException(host);
            }
            address = InetAddress.getByName(host); // a literal: no DNS lookup
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(name + " needs an address literal (127.0.0.1 or ::1), not '" + host + "'");
        }
        if (!address.isLoopbackAddress()) {
            throw new IllegalArgumentException(name + " must be on this machine (loopback); refusing " + value);
        }
        return new java.net.InetSocketAddress(address, port);
    }

    private static int intIn(String name, String value, int min, int max) {
        long v;
        try {
            v = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, not '" + value + "'");
        }
        if (v < min || v > max) {
            throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", got " + v);
        }
        return (int) v;
    }

    private static double decimalIn(String name, String value, double min, double max) {
        double v;
        try {
            v = Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number, not '" + value + "'");
        }
        if (!(v >= min && v <= max)) {
            throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", got " + value);
        }
        return v;
    }

    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)?");

    static Duration duration(String name, String value, Duration min, Duration max) {
        Matcher m = DURATION.matcher(value.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException(name + " must be a duration like 500ms, 30s, 5m or 1h, not '"
                    + value + "'");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        Duration d = switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofSeconds(n);
        };
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw new IllegalArgumentException(name + " must be between " + min.toString().substring(2).toLowerCase(Locale.ROOT)
                    + " and " + max.toString().substring(2).toLowerCase(Locale.ROOT) + ", got " + value);
        }
        return d;
    }
}
