package dev.chorus.signaling.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** The replay buffer and the tokens, without sockets. */
class ResumableSinkTest {

    private static JsonObject chat(int i) {
        return new JsonObject().put("type", "chat").put("text", "m" + i);
    }

    @Test
    void numbersEveryMessageAndKeepsTheMostRecent() {
        int[] overflows = {0};
        ResumableSink sink = new ResumableSink(3, () -> overflows[0]++, null);
        for (int i = 1; i <= 5; i++) {
            sink.send(chat(i));
        }
        assertEquals(5, sink.lastSeq());
        assertEquals(3, sink.firstSeq());
        assertEquals(3, sink.size());
        assertTrue(sink.canReplayAfter(2), "3, 4, 5 are kept");
        assertTrue(sink.canReplayAfter(5), "nothing missed");
        assertFalse(sink.canReplayAfter(1), "2 is gone");
        assertFalse(sink.canReplayAfter(6), "ahead of the server");
        assertEquals(0, overflows[0], "attached: old messages age out quietly");
    }

    @Test
    void overflowIsReportedOnceWhenADetachedClientLosesAMessageItNeverSaw() {
        int[] overflows = {0};
        ResumableSink sink = new ResumableSink(3, () -> overflows[0]++, null);
        sink.send(chat(1));
        sink.send(chat(2));
        sink.detach(); // the client had 1 and 2 at best
        sink.send(chat(3));
        sink.send(chat(4));
        assertEquals(0, overflows[0], "1 dropped, but the client may have had it");
        sink.send(chat(5));
        assertEquals(0, overflows[0], "2 dropped, likewise");
        sink.send(chat(6));
        assertEquals(1, overflows[0], "3 dropped: sent while away");
        sink.send(chat(7));
        assertEquals(1, overflows[0], "once per detachment");
    }

    @Test
    void joinedCarriesTheResumeTokenOnce() {
        ResumableSink sink = new ResumableSink(8, () -> {}, null);
        JsonObject resume = new JsonObject().put("token", "t").put("graceMs", 20000);
        sink.announceInJoined(resume);
        JsonObject joined = new JsonObject().put("type", "joined");
        sink.send(joined);
        assertNull(joined.getValue("resume"), "the caller's object is not changed");
        sink.detach();
        sink.send(new JsonObject().put("type", "joined"));
        assertEquals(2, sink.lastSeq());
    }

    @Test
    void tokensAreRandomSingleUseAndRememberWhyTheyWereSpent() {
        ResumeTokens tokens = new ResumeTokens();
        Membership m = null; // the tokens only hold it
        String a = tokens.issue(m);
        String b = tokens.issue(m);
        assertNotEquals(a, b);
        assertEquals(43, a.length(), "256 bits, base64url without padding");
        assertTrue(tokens.isLive(a));
        tokens.retire(a, ResumeTokens.Spent.USED, 1000);
        assertFalse(tokens.isLive(a));
        assertSame(ResumeTokens.Spent.USED, tokens.spent(a, 2000));
        tokens.retire(a, ResumeTokens.Spent.EXPIRED, 2000);
        assertSame(ResumeTokens.Spent.USED, tokens.spent(a, 2000), "a spent token stays spent as it was");
        assertNull(tokens.spent("never-issued", 2000));
        assertNull(tokens.spent(a, 1000 + ResumeTokens.SPENT_RETENTION_MILLIS + 1), "forgotten after a while");
        tokens.discard(b);
        assertNull(tokens.spent(b, 2000), "a discarded token leaves no trace");
    }
}
