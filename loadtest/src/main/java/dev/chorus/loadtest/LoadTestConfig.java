package dev.chorus.loadtest;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalLong;

/**
 * The command line, checked: what to run against which server. Built by {@link #parse(String...)}.
 * {@code simulcast}: native publishers offer their video as three simulcast layers ({@code --simulcast});
 * {@code view}: the size every native bot that receives video reports for it ({@code --view}), or null.
 */
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
        boolean simulcast,
        ViewSize view,
        LargeRoom largeRoom,
        boolean help) {

    /**
     * How native bots behave as participants of a large meeting ({@link LargeRoomOptions}).
     *
     * @param speechTurn how long each publisher's turn to speak lasts ({@code --speech}); null: nobody speaks
     * @param lastN      the most videos each receiving bot asks for ({@code --last-n}); 0: the server's
     * @param broadcast  subscribers join as a broadcast room's viewers ({@code --broadcast}): counted, not listed
     */
    record LargeRoom(Duration speechTurn, int lastN, boolean broadcast) {
        static final LargeRoom NONE = new LargeRoom(null, 0, false);

        boolean speech() {
            return speechTurn != null;
        }

        /** Whether the run forwards less than everything to everyone, so sent x fanout is no expectation. */
        boolean selective() {
            return speechTurn != null || lastN > 0;
        }
    }

    /** What the bots are: plain Java WebRTC peers, or pages of headless Chromium. */
    enum BotKind {
        NATIVE,
        CHROMIUM
    }

    /**
     * What every native bot that receives video tells the server with a {@code view} message after each
     * answer: that it shows each of its receiving video lines at this size, in device pixels ({@code --view};
     * null: no view message, as before). The server then forwards each simulcast video's lowest layer that
     * covers it.
     */
    record ViewSize(int width, int height) {
        /** The protocol's bound on either side ({@code signaling/PROTOCOL.md}, {@code view}). */
        static final int MAX = 16384;

        @Override
        public String toString() {
            return width + "x" + height;
        }
    }

    /**
     * The capacity benchmark ({@code --capacity}): start with {@link #rooms()} rooms, add {@code stepRooms}
     * rooms per step, measure each step for {@code stepDuration}, stop at the first step whose loss exceeds
     * {@code maxLoss} or whose p99 latency exceeds {@code maxP99Millis} (or when bots fail to join, the
     * load generator falls behind, or after {@code maxSteps}). Null when not asked for.
     */
    record Capacity(int stepRooms, Duration stepDuration, int maxSteps, double maxLoss, double maxP99Millis) {}

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
    record Quality(
            java.util.List<Double> lossPercents,
            Duration delay,
            java.net.InetSocketAddress mediaTarget,
            int proxyPort,
            long seed,
            java.util.List<Boolean> redModes) {}

    static final int MAX_ROOMS = 1000;
    static final int MAX_PER_ROOM = 1000;
    static final int MAX_BOTS = 10_000;
    static final Duration MAX_DURATION = Duration.ofHours(24);
    static final Duration MAX_RAMP_UP = Duration.ofHours(1);
    /** After sending stops, how long receivers keep counting packets in flight. */
    static final int DRAIN_SECONDS = 2;

    static final Duration DRAIN = Duration.ofSeconds(DRAIN_SECONDS);
    static final int MAX_STEPS = 100;
    /** Chrome opens at most 16 audio captures per browser process. */
    static final int MAX_PAGES_PER_BROWSER = 16;

    static final int DEFAULT_PAGES_PER_BROWSER = 6;
    /** Each page decodes every remote video in software: a few dozen pages already fill a big machine. */
    static final int MAX_CHROMIUM_PAGES = 200;

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

    /**
     * Parses and checks a command line (declared in {@link LoadTestCommandLine}); an IllegalArgumentException
     * names the option that is wrong and why.
     */
    static LoadTestConfig parse(String... args) {
        return LoadTestCommandLine.parse(args);
    }
}
