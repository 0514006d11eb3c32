package dev.chorus.sfu.transport;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * RFC 7675 consent freshness of one transport. ice4j sends the consent checks (interval from application.conf) and
 * tells us about each answer; it never declares the session dead itself. We do: when nothing authenticated (a consent
 * answer, SRTP that verified, DTLS after the handshake) arrived for {@link TransportConfig#consentTimeout()}, the
 * watch reports "CONSENT_EXPIRED". Runs on the transport timer; {@link #heard()} is called from packet threads.
 */
final class ConsentFreshness {
    private static final long NEVER = Long.MIN_VALUE;
    private final long timeoutNanos;
    private final long periodMillis;
    private final ScheduledExecutorService timer;
    private final LongSupplier nanoClock;
    private final Consumer<String> onExpired;
    private volatile long lastHeardNanos = NEVER;
    private volatile ScheduledFuture<?> task;
    private volatile boolean stopped;

    /** @param onExpired gets the reason ("CONSENT_EXPIRED: ..."), on the timer thread, once a period until stopped */
    ConsentFreshness(
            Duration timeout, ScheduledExecutorService timer, LongSupplier nanoClock, Consumer<String> onExpired) {
        this.timeoutNanos = timeout.toNanos();
        this.periodMillis = Math.max(50, Math.min(1000, timeout.toMillis() / 10));
        this.timer = timer;
        this.nanoClock = nanoClock;
        this.onExpired = onExpired;
    }

    /** Something authenticated arrived from the peer. Any thread; one volatile write. */
    void heard() {
        lastHeardNanos = nanoClock.getAsLong();
    }

    /** Starts the watch (ICE connected); counts as hearing the peer now. A no-op once stopped. */
    void start() {
        heard();
        ScheduledFuture<?> t;
        try {
            t = timer.scheduleAtFixedRate(this::check, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            return; // the ports are closing, and this transport with them
        }
        task = t;
        if (stopped) {
            t.cancel(false); // stop() ran while we were scheduling
        }
    }

    private void check() {
        if (stopped) {
            return;
        }
        long silent = nanoClock.getAsLong() - lastHeardNanos;
        if (silent > timeoutNanos) {
            onExpired.accept("CONSENT_EXPIRED: nothing heard from the peer for " + TimeUnit.NANOSECONDS.toMillis(silent)
                    + " ms");
        }
    }

    /** Idempotent; safe before {@link #start()}. */
    void stop() {
        stopped = true;
        ScheduledFuture<?> t = task;
        if (t != null) {
            t.cancel(false);
        }
    }

    /** Milliseconds since the peer was last heard, or -1 before ICE connected. */
    long msSinceHeard() {
        long last = lastHeardNanos;
        return last == NEVER ? -1 : TimeUnit.NANOSECONDS.toMillis(nanoClock.getAsLong() - last);
    }
}
