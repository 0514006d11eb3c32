package dev.chorus.loadtest;

import dev.chorus.loadtest.OptionConverters.LastN;
import dev.chorus.loadtest.OptionConverters.SpeechTurn;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The options that make native bots behave like the participants of a large meeting, shown as one section of
 * the help and checked in {@link LoadTestCommandLine}: who speaks when ({@code --speech}), how many videos
 * each bot asks for ({@code --last-n}) and whether subscribers are a broadcast room's viewers ({@code --broadcast}). Bots always follow the server's {@code layers} (dynacast) and record its
 * {@code speaker} and {@code video-paused} messages.
 */
final class LargeRoomOptions {
    @Option(
            names = "--speech",
            order = 1,
            paramLabel = "D",
            converter = SpeechTurn.class,
            description =
                    "native publishers take turns speaking, D each, from 2 s after the room settled (every bot connected, median latency under 50 ms): the turn's"
                            + " talker sends loud speech (-25 dBov, a short dip every 600 ms), the previous talker goes"
                            + " on quietly (-50 dBov), everyone else is silent and sends one packet per 400 ms (Opus DTX)."
                            + " Each bot's audio packets carry their level (RFC 6464); the report says how soon the"
                            + " server's 'speaker' followed each turn. Default: every bot silent, 50 packets/s")
    Duration speechTurn;

    @Option(
            names = "--last-n",
            order = 2,
            paramLabel = "N",
            converter = LastN.class,
            description = "every native bot that receives video asks for at most N videos ('view' lastN; it"
                    + " can only lower the server's chorus.media.last-n); the report counts how many videos each"
                    + " bot really received at full frame rate. Default: the server's")
    Integer lastN;

    @Option(
            names = "--broadcast",
            order = 3,
            description = "a broadcast room: the --subscribers join as viewers (role viewer: receive-only, counted"
                    + " not listed, chorus.rooms.max-viewers of them per room) and the --publishers as its"
                    + " presenters; the report counts the presence messages (participant-joined/left, viewers)"
                    + " each bot received")
    boolean broadcast;
}
