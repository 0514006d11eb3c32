package dev.chorus.loadtest;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.codec.MediaKind;
import dev.chorus.sfu.sdp.Direction;
import dev.chorus.testkit.peer.NativePeer;
import dev.chorus.testkit.peer.ReceiveStats;
import dev.chorus.testkit.peer.RemoteLine;
import dev.chorus.testkit.peer.SendLayer;
import dev.chorus.testkit.peer.SendStream;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a large room did for its participants, for the report's {@code largeRoom} section:
 * <ul>
 *   <li>last-N: how many videos each bot really received at once, counted from the frames that arrived
 *       whole on each of its receiving lines, once a second ({@link #sample}); a video counts in a second
 *       when more than half the profile's frames of it arrived ({@link #FULL_RATE_SHARE}), so during a
 *       switch the video going and the one coming cannot both count unless both really flow;</li>
 *   <li>dominant speaker: for each {@link Speech} turn, how long after the talker started each other bot
 *       of the room heard the server name it ({@code speaker});</li>
 *   <li>dynacast: which simulcast layers the publishers had turned off at the end, as the server's
 *       {@code layers} told them.</li>
 * </ul>
 * {@link #sample} runs on the sampler thread; {@link #write} after the run.
 */
final class LargeRoomFigures {
    /**
     * Share of the profile's frame rate a video must arrive at between two samples to count as received:
     * more than half, so a video that stopped and the one that replaced it within the same second cannot
     * both count (together they had one second of frames), with room for the samples' own jitter.
     */
    static final double FULL_RATE_SHARE = 0.6;

    private final Map<Bot, long[]> framesAtLastSample = new IdentityHashMap<>();
    private final Map<Bot, int[]> mostVideos = new IdentityHashMap<>(); // {at full rate, with any frame}
    private int samples;
    private long lastSampleNanos = -1;
    private long settledNanos = Long.MAX_VALUE;
    private double settledAtSeconds = Double.NaN;

    /** Media that takes longer than this to arrive is queued somewhere: the room has not settled. */
    static final double SETTLED_LATENCY_MS = 50;

    /**
     * Called once a second in the steady phase: the room settles ({@code nanos} + {@link Speech#LEAD_IN}) at the
     * first second in which every bot has connected or failed and the median one-way latency is back under
     * {@link #SETTLED_LATENCY_MS}: while many bots join at once the server and the bots queue packets for a
     * while, and a speaker detection measured through seconds of queue would measure the queue. Speech, if
     * any, starts then, so every bot hears every turn.
     */
    void settleWhen(boolean allJoined, Sample second, long nanos, Speech speech) {
        if (settledNanos != Long.MAX_VALUE || !allJoined || second.p50Ms() >= SETTLED_LATENCY_MS) {
            return;
        }
        settledNanos = nanos + Speech.LEAD_IN.toNanos();
        settledAtSeconds = second.t() + Speech.LEAD_IN.toMillis() / 1000.0;
        if (speech != null) {
            speech.begin(settledNanos);
        }
    }

    /**
     * Counts each connected bot's received videos since the last call (about a second ago), once the run has
     * settled ({@link #settleWhen}): before, bots still join and renegotiate, and a bot receives everything
     * until its first {@code view} with lastN reaches the server.
     */
    void sample(List<Bot> bots, long nowNanos) {
        if (nowNanos < settledNanos) {
            return;
        }
        samples++;
        double seconds = lastSampleNanos < 0 ? 1 : (nowNanos - lastSampleNanos) / 1e9;
        lastSampleNanos = nowNanos;
        double fullRate = FULL_RATE_SHARE * Profile.FPS * seconds;
        for (Bot b : bots) {
            NativePeer p = b.peer();
            if (p == null || b.state() != Bot.State.CONNECTED) {
                continue;
            }
            List<String> mids = p.mids(MediaKind.VIDEO, Direction.RECVONLY);
            long[] before = framesAtLastSample.get(b);
            long[] now = new long[mids.size()];
            int full = 0;
            int any = 0;
            for (int i = 0; i < mids.size(); i++) {
                RemoteLine line = p.remoteLine(mids.get(i)).orElse(null);
                if (line == null || !line.sfuSends() || line.ssrc().isEmpty()) {
                    continue;
                }
                now[i] = p.receivedSsrc(line.ssrc().getAsLong())
                        .map(ReceiveStats::completeFrames)
                        .orElse(0L);
                long frames = before != null && i < before.length ? now[i] - before[i] : 0;
                full += frames >= fullRate ? 1 : 0;
                any += frames > 0 ? 1 : 0;
            }
            framesAtLastSample.put(b, now);
            if (before != null) {
                int[] most = mostVideos.computeIfAbsent(b, k -> new int[2]);
                most[0] = Math.max(most[0], full);
                most[1] = Math.max(most[1], any);
            }
        }
    }

    /** Writes the {@code largeRoom} section; returns the summary's extra fields. */
    String write(
            ObjectNode root, List<Bot> bots, LoadTestConfig.LargeRoom config, Speech speech, long sendingEndNanos) {
        ObjectNode lr = root.putObject("largeRoom");
        lr.put("lastNAsked", config.lastN());
        LoadTestMain.num(lr, "settledAtSeconds", settledAtSeconds);
        ObjectNode v = lr.putObject("videosReceivedAtOnce");
        v.put("seconds", samples);
        v.put("fullRateShare", FULL_RATE_SHARE);
        int[] full = mostVideos.values().stream().mapToInt(m -> m[0]).sorted().toArray();
        int[] any = mostVideos.values().stream().mapToInt(m -> m[1]).sorted().toArray();
        v.put("bots", full.length);
        v.put("maxAtFullRate", full.length == 0 ? 0 : full[full.length - 1]);
        v.put("p50AtFullRate", full.length == 0 ? 0 : full[(full.length - 1) / 2]);
        v.put("maxWithAnyFrame", any.length == 0 ? 0 : any[any.length - 1]);
        long paused = 0;
        for (Bot b : bots) {
            paused += b.pausedMids().size();
        }
        lr.put("videosPausedByServerAtEnd", paused);
        dynacast(lr.putObject("dynacast"), bots);
        double[] follow = speech == null ? new double[0] : speakerTurns(lr, bots, speech, sendingEndNanos);
        long[] presence = presence(lr, bots, config.broadcast());
        return " presence_msgs_p50_per_bot=" + presence[0] + " presence_msgs_max_per_bot=" + presence[1]
                + " speaker_follow_p50_ms=" + LoadTestMain.f0(LoadTestMain.percentile(follow, 0.5))
                + " speaker_follow_max_ms="
                + LoadTestMain.f0(follow.length == 0 ? Double.NaN : follow[follow.length - 1])
                + " max_videos_per_bot=" + (full.length == 0 ? "n/a" : full[full.length - 1]);
    }

    /**
     * How many presence messages (participant-joined/left, viewers) each bot received over the run: in a broadcast
     * room a viewer's stays O(1) per second however large the audience. Returns {p50, max} over every bot.
     */
    private static long[] presence(ObjectNode lr, List<Bot> bots, boolean broadcast) {
        long[] counts = bots.stream().mapToLong(Bot::presenceMessages).sorted().toArray();
        ObjectNode p = lr.putObject("presenceMessagesPerBot");
        p.put("broadcast", broadcast);
        p.put("bots", counts.length);
        long p50 = counts.length == 0 ? 0 : counts[(counts.length - 1) / 2];
        long max = counts.length == 0 ? 0 : counts[counts.length - 1];
        p.put("p50", p50);
        p.put("max", max);
        return new long[] {p50, max};
    }

    /** Per layer (lowest first), how many simulcast publishers had it turned off at the end. */
    private static void dynacast(ObjectNode d, List<Bot> bots) {
        int publishers = 0;
        long messages = 0;
        int[] off = new int[VideoFigures.SIMULCAST_RIDS.size()];
        for (Bot b : bots) {
            messages += b.layersMessages();
            if (!b.simulcast() || b.peer() == null) {
                continue;
            }
            publishers++;
            for (SendStream s : b.peer().sendStreams()) {
                List<SendLayer> layers = s.layers();
                for (int i = 0;
                        i < Math.min(off.length, layers.size()) && s.track().simulcast();
                        i++) {
                    off[i] += layers.get(i).active() ? 0 : 1;
                }
            }
        }
        d.put("simulcastPublishers", publishers);
        d.put("layersMessages", messages);
        ObjectNode o = d.putObject("publishersWithLayerOffAtEnd");
        for (int i = 0; i < off.length; i++) {
            o.put(VideoFigures.SIMULCAST_RIDS.get(i), off[i]);
        }
    }

    /**
     * For each turn that ended before sending stopped, in each room: how soon the room's other connected bots
     * heard the talker named. Returns every bot's delay in milliseconds, sorted (misses left out; counted).
     */
    private static double[] speakerTurns(ObjectNode lr, List<Bot> bots, Speech speech, long sendingEndNanos) {
        Map<String, List<Bot>> rooms = new LinkedHashMap<>();
        for (Bot b : bots) {
            rooms.computeIfAbsent(b.room, k -> new ArrayList<>()).add(b);
        }
        ObjectNode sp = lr.putObject("speaker");
        sp.put("turnMs", speech.turnNanos() / 1_000_000);
        sp.put("started", speech.started());
        ArrayNode turns = sp.putArray("turns");
        List<Double> all = new ArrayList<>();
        long missed = 0;
        for (long turn = 0; speech.started() && speech.turnStartNanos(turn + 1) <= sendingEndNanos; turn++) {
            long from = speech.turnStartNanos(turn);
            long to = speech.turnStartNanos(turn + 1);
            for (List<Bot> room : rooms.values()) {
                int publishers = room.get(0).roomPublishers();
                if (publishers < 2 && turn > 0) {
                    continue; // the same talker again: nothing changes, nothing to hear
                }
                int ordinal = Speech.talker(turn, publishers);
                Bot talker = room.stream()
                        .filter(b -> b.publisherOrdinal == ordinal)
                        .findFirst()
                        .orElse(null);
                // after the run every bot is closed: "connected" means it connected and never failed
                if (talker == null
                        || talker.participantId() == null
                        || talker.connectedAfterNanos() == 0
                        || talker.failure() != null) {
                    continue;
                }
                List<Double> heard = new ArrayList<>();
                int listeners = 0;
                for (Bot b : room) {
                    if (b == talker || b.connectedAfterNanos() == 0 || b.failure() != null) {
                        continue;
                    }
                    listeners++;
                    long at = b.firstSpeakerNanos(talker.participantId(), from, to);
                    if (at >= 0) {
                        heard.add((at - from) / 1e6);
                    }
                }
                double[] ms =
                        heard.stream().mapToDouble(Double::doubleValue).sorted().toArray();
                ObjectNode t = turns.addObject();
                t.put("turn", turn);
                t.put("room", talker.room);
                t.put("talker", talker.name);
                t.put("listeners", listeners);
                t.put("heard", ms.length);
                LoadTestMain.num(t, "p50Ms", LoadTestMain.percentile(ms, 0.5));
                LoadTestMain.num(t, "maxMs", ms.length == 0 ? Double.NaN : ms[ms.length - 1]);
                missed += listeners - ms.length;
                all.addAll(heard);
            }
        }
        double[] sorted = all.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        sp.put("heard", sorted.length);
        sp.put("missed", missed);
        LoadTestMain.num(sp, "p50Ms", LoadTestMain.percentile(sorted, 0.5));
        LoadTestMain.num(sp, "p90Ms", LoadTestMain.percentile(sorted, 0.9));
        LoadTestMain.num(sp, "maxMs", sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1]);
        return sorted;
    }
}
