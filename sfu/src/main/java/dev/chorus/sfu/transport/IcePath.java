package dev.chorus.sfu.transport;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.transport.WebRtcTransport.IceState;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which {@link IceSession} a transport's DTLS and SRTP go over. Usually one. An ICE restart (RFC 8445 section 2.4: the
 * peer offers new credentials) is make-before-break: a second session gathers and answers checks under new
 * credentials while media and DTLS go on over the current one, and takes over once it has a selected pair; the old
 * one is closed then. Both push what they receive to the same SRTP path, so packets from either are accepted
 * throughout.
 *
 * <p>Both sessions' state changes pass through {@link #onIceState} and come out as the one ICE state of the
 * transport: while a restart is under way the current session's failure is held back (the restart exists to replace
 * a failing path), and reported only if the new session fails too or does not connect within the restart timeout.
 *
 * <p>Threads: {@link #current()} is a volatile read for the packet and DTLS threads; the rest is synchronized on this
 * object and runs on ice4j's threads, the transport timer and the transport's owner.
 */
final class IcePath {
    private static final Logger LOG = LoggerFactory.getLogger(IcePath.class);

    /** What {@link #onIceState} decided, for the transport to act on outside this object's lock. */
    enum Outcome {
        /** Nothing to report. */
        NONE,
        /** Report the state as it came (the current session, no restart under way). */
        REPORT,
        /** The new session has a selected pair and is now current: close the retired one, report the restart. */
        RESTARTED,
        /** The new session failed while the current one still works: close it (retired), report it. */
        RESTART_FAILED,
        /** Both failed: close the retired session and report the transport's ICE failure with {@code reason}. */
        FAILED
    }

    /** An outcome, the session it took out of use (to close, or null) and the reason to report. */
    record Decision(Outcome outcome, IceSession retired, String reason) {
        static final Decision NONE = new Decision(Outcome.NONE, null, null);
    }

    private final ScheduledExecutorService timer;
    private final long restartTimeoutMillis;

    private volatile IceSession current;
    /** The restart's session, or null; guarded by this. */
    private IceSession next;

    private ScheduledFuture<?> restartTimeout;
    /** The current session failed while a restart was under way: its reason; guarded by this. */
    private String heldFailure;

    private int restarts;
    private int restartsFailed;

    IcePath(IceSession first, ScheduledExecutorService timer, long restartTimeoutMillis) {
        this.current = first;
        this.timer = timer;
        this.restartTimeoutMillis = restartTimeoutMillis;
    }

    /** The session DTLS and media are sent on. Any thread. */
    IceSession current() {
        return current;
    }

    /** The session the next SDP answer describes and remote candidates go to: the restart's, or the current one. */
    synchronized IceSession newest() {
        return next != null ? next : current;
    }

    /**
     * Starts a restart with {@code session} (already created, not started); a restart still under way is replaced,
     * and that session is returned for the caller to close (else null). {@code onTimeout} runs on the timer if the
     * new session has no selected pair within the restart timeout.
     */
    synchronized IceSession beginRestart(IceSession session, Runnable onTimeout) {
        IceSession replaced = next;
        next = session;
        if (restartTimeout != null) {
            restartTimeout.cancel(false);
        }
        try {
            restartTimeout = timer.schedule(onTimeout, restartTimeoutMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            restartTimeout = null; // the ports are closing, and this transport with them
        }
        return replaced;
    }

    /**
     * Abandons the restart under way (its offer was refused); returns its session to close, or null. If the current
     * path failed meanwhile, {@link #heldFailure()} says why, and the caller reports it: nothing else will.
     */
    synchronized IceSession cancelRestart() {
        IceSession s = next;
        next = null;
        cancelTimeout();
        return s;
    }

    /** Decides what a session's state change means for the transport; see {@link Outcome}. */
    synchronized Decision onIceState(IceSession source, IceState state, String reason) {
        if (source == next) {
            if (state == IceState.CONNECTED) {
                IceSession old = current;
                current = next;
                next = null;
                heldFailure = null;
                cancelTimeout();
                restarts++;
                return new Decision(Outcome.RESTARTED, old, null);
            }
            return state == IceState.FAILED ? restartFailed(reason) : Decision.NONE;
        }
        if (source == current) {
            if (next != null && state == IceState.FAILED) {
                heldFailure = reason;
                LOG.debug("[ufrag={}] ICE failed during a restart, held: {}", source.localUfrag(), reason);
                return Decision.NONE;
            }
            return new Decision(Outcome.REPORT, null, reason);
        }
        return Decision.NONE; // a session already out of use
    }

    /** The restart's session has not connected in time (timer thread); same as its failure. */
    synchronized Decision restartTimedOut(IceSession session) {
        if (session != next) {
            return Decision.NONE;
        }
        return restartFailed("ICE_RESTART_TIMEOUT: no selected pair after " + restartTimeoutMillis + " ms");
    }

    private Decision restartFailed(String reason) {
        IceSession failed = next;
        next = null;
        cancelTimeout();
        restartsFailed++;
        LOG.debug("[ufrag={}] ICE restart failed: {}", failed.localUfrag(), reason);
        return heldFailure != null
                ? new Decision(Outcome.FAILED, failed, heldFailure)
                : new Decision(Outcome.RESTART_FAILED, failed, reason);
    }

    /** Why the current path failed while a restart was under way, or null. */
    synchronized String heldFailure() {
        return heldFailure;
    }

    private void cancelTimeout() {
        if (restartTimeout != null) {
            restartTimeout.cancel(false);
            restartTimeout = null;
        }
    }

    /** Ends the restart timer; the transport closes the sessions. Returns the restart's session, or null. */
    synchronized IceSession close() {
        cancelTimeout();
        IceSession s = next;
        next = null;
        return s;
    }

    synchronized void addJson(ObjectNode o) {
        o.put("iceRestarts", restarts);
        o.put("iceRestartsFailed", restartsFailed);
        if (next != null) {
            o.put("iceRestartUfrag", next.localUfrag());
            o.put("iceRestartState", next.state().name());
        }
    }
}
