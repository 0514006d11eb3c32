package dev.chorus.loadtest;

import dev.chorus.sfu.codec.MediaKind;
import dev.chorus.sfu.sdp.Direction;
import dev.chorus.testkit.peer.NativePeer;
import dev.chorus.testkit.peer.SendStream;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One thread that paces the media of every bot: each published line is an entry in a priority queue
 * ordered by when it is next due (audio every 20 ms, video every 1/30 s, and for every bot, publisher or not,
 * an RTCP receiver report every second), with a random phase per line so
 * thousands of streams do not all fire at once. The thread sleeps until the earliest entry is due. If it
 * falls behind by more than {@link #MAX_LAG_PERIODS} periods, a line skips ahead instead of bursting (the
 * skipped sends are counted).
 */
final class Pacer implements Runnable {
    static final long AUDIO_PERIOD_NANOS = TimeUnit.SECONDS.toNanos(1) / Profile.AUDIO_PACKETS_PER_SECOND;
    static final long VIDEO_PERIOD_NANOS = TimeUnit.SECONDS.toNanos(1) / Profile.FPS;
    /** Receiver reports once a second, as browsers send them. */
    static final long REPORT_PERIOD_NANOS = TimeUnit.SECONDS.toNanos(1);

    static final int MAX_LAG_PERIODS = 5;

    private enum Kind {
        AUDIO,
        VIDEO,
        REPORT
    }

    private static final class Line {
        final Bot bot;
        final NativePeer peer;
        final String mid;
        final Kind kind;
        final long period;
        final int keyPhase;
        long due;
        long frames;

        Line(Bot bot, String mid, Kind kind, long due, int keyPhase) {
            this.bot = bot;
            this.peer = bot.peer();
            this.mid = mid;
            this.kind = kind;
            this.period = switch (kind) {
                case AUDIO -> AUDIO_PERIOD_NANOS;
                case VIDEO -> VIDEO_PERIOD_NANOS;
                case REPORT -> REPORT_PERIOD_NANOS;
            };
            this.due = due;
            this.keyPhase = keyPhase;
        }
    }

    private final ConcurrentLinkedQueue<Bot> inbox = new ConcurrentLinkedQueue<>();
    private final PriorityQueue<Line> queue = new PriorityQueue<>((a, b) -> Long.compare(a.due, b.due));
    private final SplittableRandom random = new SplittableRandom(7);
    private final byte[][] deltaFrames;
    private final byte[] keyFrame;
    private volatile boolean running = true;
    private volatile long skipped;
    private volatile long lines;
    private volatile Thread thread;

    Pacer(Profile profile) {
        if (profile.hasVideo()) {
            int[] sizes = profile.deltaFrameSizes();
            deltaFrames = new byte[sizes.length][];
            for (int i = 0; i < sizes.length; i++) {
                deltaFrames[i] = new byte[sizes[i]];
            }
            keyFrame = new byte[profile.keyframeBytes()];
        } else {
            deltaFrames = new byte[0][];
            keyFrame = new byte[0];
        }
    }

    void start() {
        Thread t = new Thread(this, "chorus-load-pacer");
        t.setDaemon(true);
        t.setPriority(Thread.MAX_PRIORITY);
        thread = t;
        t.start();
    }

    /** Starts sending for {@code bot}: its published lines and its receiver reports (any thread). */
    void add(Bot bot) {
        inbox.add(bot);
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /** Stops sending; returns when the thread has ended (at most {@code timeoutMillis}). */
    void stop(long timeoutMillis) throws InterruptedException {
        running = false;
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
            t.join(timeoutMillis);
        }
    }

    long skipped() {
        return skipped;
    }

    long lines() {
        return lines;
    }

    @Override
    public void run() {
        while (running) {
            long now = System.nanoTime();
            for (Bot b; (b = inbox.poll()) != null; ) {
                for (String mid : b.peer().mids(MediaKind.AUDIO, Direction.SENDONLY)) {
                    queue.add(new Line(b, mid, Kind.AUDIO, now + random.nextLong(AUDIO_PERIOD_NANOS), 0));
                }
                for (String mid : b.peer().mids(MediaKind.VIDEO, Direction.SENDONLY)) {
                    queue.add(new Line(
                            b,
                            mid,
                            Kind.VIDEO,
                            now + random.nextLong(VIDEO_PERIOD_NANOS),
                            random.nextInt(Profile.KEYFRAME_INTERVAL_FRAMES)));
                }
                queue.add(new Line(b, null, Kind.REPORT, now + random.nextLong(REPORT_PERIOD_NANOS), 0));
                lines = queue.size();
            }
            Line next = queue.peek();
            if (next == null) {
                LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(5));
                continue;
            }
            long wait = next.due - now;
            if (wait > 0) {
                LockSupport.parkNanos(this, Math.min(wait, TimeUnit.MILLISECONDS.toNanos(5)));
                continue;
            }
            queue.poll();
            if (next.bot.state() != Bot.State.CONNECTED) {
                lines = queue.size(); // failed or closed: drop the line
                continue;
            }
            send(next);
            next.due += next.period;
            if (now - next.due > MAX_LAG_PERIODS * next.period) {
                long behind = (now - next.due) / next.period;
                skipped += behind;
                next.due += behind * next.period;
            }
            queue.add(next);
        }
    }

    private void send(Line l) {
        try {
            if (l.kind == Kind.REPORT) {
                l.peer.sendReceiverReport();
                return;
            }
            if (l.kind == Kind.AUDIO) {
                int level = l.bot.audioLevel(System.nanoTime(), l.frames++);
                SendStream stream = l.peer.sendStream(l.mid);
                if (level == Speech.SKIP) {
                    stream.skipAudio(); // Opus DTX: this packet's 20 ms pass unsent
                } else {
                    stream.audioLevel(level);
                    stream.sendAudio();
                }
                return;
            }
            boolean key = (l.frames + l.keyPhase) % Profile.KEYFRAME_INTERVAL_FRAMES == 0;
            byte[] frame = key ? keyFrame : deltaFrames[(int) ((l.frames * 7 + l.keyPhase) % deltaFrames.length)];
            l.peer.sendVideoFrame(l.mid, frame, key);
            l.frames++;
        } catch (RuntimeException e) {
            // a peer closed under us: the bot's state says so; do not kill the pacer
        }
    }
}
