package dev.chorus.signaling.session;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Resume tokens: 256 random bits each, one live token per participant that may resume. A token that was live
 * is remembered for a while as spent, with why, so that a client is told "used", "expired" or "overflow"
 * rather than only "unknown". Signaling thread only. Tokens are never logged.
 */
final class ResumeTokens {

    /** Why a once-live token no longer resumes. */
    enum Spent {
        /** A resume took it (and handed out the next). */
        USED,
        /** The participant left: the grace period ran out, or it left or was removed. */
        EXPIRED,
        /** It missed more messages than are kept. */
        OVERFLOW
    }

    private record Tomb(Spent why, long atMillis) {}

    /** Spent tokens are told apart from unknown ones for this long, and at most this many of them. */
    static final long SPENT_RETENTION_MILLIS = 10 * 60_000;

    static final int MAX_SPENT = 10_000;

    private final SecureRandom random = new SecureRandom();
    private final Base64.Encoder encoder = Base64.getUrlEncoder().withoutPadding();
    private final Map<String, Membership> live = new HashMap<>();
    /** Insertion order is age order: the oldest are purged first. */
    private final LinkedHashMap<String, Tomb> spent = new LinkedHashMap<>();

    String issue(Membership membership) {
        String token;
        do {
            byte[] bytes = new byte[32];
            random.nextBytes(bytes);
            token = encoder.encodeToString(bytes);
        } while (live.containsKey(token) || spent.containsKey(token));
        live.put(token, membership);
        return token;
    }

    Membership live(String token) {
        return live.get(token);
    }

    boolean isLive(String token) {
        return token != null && live.containsKey(token);
    }

    /** Why {@code token} is spent, or null when it never was a token (or was forgotten). */
    Spent spent(String token, long nowMillis) {
        purge(nowMillis);
        Tomb tomb = spent.get(token);
        return tomb == null ? null : tomb.why();
    }

    /** Ends a live token; no-op for one that is not live. */
    void retire(String token, Spent why, long nowMillis) {
        if (token == null || !live.containsKey(token)) {
            return;
        }
        live.remove(token);
        purge(nowMillis);
        spent.put(token, new Tomb(why, nowMillis));
    }

    /** Forgets a live token without a trace (its join failed, so the client never had it). */
    void discard(String token) {
        if (token != null) {
            live.remove(token);
        }
    }

    int liveCount() {
        return live.size();
    }

    int spentCount() {
        return spent.size();
    }

    private void purge(long nowMillis) {
        Iterator<Tomb> it = spent.values().iterator();
        while (it.hasNext()) {
            Tomb t = it.next();
            if (spent.size() > MAX_SPENT || nowMillis - t.atMillis() > SPENT_RETENTION_MILLIS) {
                it.remove();
            } else {
                break;
            }
        }
    }
}
