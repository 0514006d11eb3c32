package dev.chorus.loadtest;

import dev.chorus.loadtest.OptionConverters.LoopbackSocket;
import dev.chorus.loadtest.OptionConverters.LossLevelList;
import dev.chorus.loadtest.OptionConverters.LossLevels;
import dev.chorus.loadtest.OptionConverters.ProxyDelay;
import dev.chorus.loadtest.OptionConverters.RedModeList;
import dev.chorus.loadtest.OptionConverters.RedModes;
import dev.chorus.loadtest.OptionConverters.Seed;
import dev.chorus.loadtest.OptionConverters.UdpPort;
import java.net.InetSocketAddress;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The {@code --quality} options, shown as a section of the help; checked in {@link LoadTestCommandLine#toConfig}, as
 * they only matter with --quality.
 */
final class QualityOptions {
    @Option(names = "--quality", order = 1, description = "run the quality table")
    boolean run;

    @Option(
            names = "--loss-levels",
            order = 2,
            paramLabel = "LIST",
            converter = LossLevelList.class,
            defaultValue = "0,2,5,10",
            description = "loss levels in percent, comma-separated (default ${DEFAULT-VALUE})")
    LossLevels lossLevels;

    @Option(
            names = "--delay",
            order = 3,
            paramLabel = "D",
            converter = ProxyDelay.class,
            defaultValue = "50ms",
            description = "one-way delay the proxy adds in each direction (default ${DEFAULT-VALUE})")
    Duration delay;

    @Option(
            names = "--media-target",
            order = 4,
            paramLabel = "H:P",
            converter = LoopbackSocket.class,
            description = "the SFU's own UDP media address, loopback (required)")
    InetSocketAddress mediaTarget;

    @Option(
            names = "--proxy-port",
            order = 5,
            paramLabel = "N",
            converter = UdpPort.class,
            description = "the proxy listens on 127.0.0.1:N, the server's public port (required)")
    Integer proxyPort;

    @Option(
            names = "--seed",
            order = 6,
            paramLabel = "N",
            converter = Seed.class,
            defaultValue = "1",
            description = "the proxy's random seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(
            names = "--red",
            order = 7,
            paramLabel = "MODE",
            converter = RedModeList.class,
            defaultValue = "both",
            description = "Opus RED in the pages' offers: both (each level without, then with), on, off"
                    + " (default ${DEFAULT-VALUE})")
    RedModes red;
}
