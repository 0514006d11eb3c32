package dev.chorus.web.browser;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The server process is killed ({@code kill -9}: no drain, no goodbye) in the middle of a call and started again on the
 * same port, as a supervisor would. Nobody touches the pages: each loses its socket and tries to resume for the grace
 * period, set shorter here ({@link #GRACE}) than the new process takes to start, so that no server answers in it. The
 * pages then keep trying with backoff, join afresh by themselves once the new process answers, and the video flows
 * again between the two. (A resume refused by a server that answers in time is {@code ResumeBrowserIT}'s.) The time
 * from the kill to the subscriber decoding video again is printed (the new process's start-up is most of it).
 */
class CrashRestartBrowserIT {
    private static final Duration BACK_WITHIN = Duration.ofSeconds(40);
    private static final String GRACE = "1s";

    @Test
    void pagesRejoinByThemselvesAfterTheServerIsKilledAndStartedAgain() throws Exception {
        Chromium.Started browser = Chromium.start(List.of(), Chromium.Camera.SMALL_NO_MICROPHONE);
        try (ServerProcess server = ServerProcess.start(
                Map.of("CHORUS_RESUME_GRACE", GRACE), Path.of("target", "crash-restart-server.log"))) {
            RoomPage pub = RoomPage.openIn(browser, server.base() + "/r/crash?name=Pub");
            RoomPage sub = RoomPage.openIn(browser, server.base() + "/r/crash?name=Sub&publish=0");
            try {
                pub.awaitState("joined");
                sub.awaitState("joined");
                String oldPubId = pub.selfId();
                String oldSubId = sub.selfId();
                sub.awaitInbound(List.of(oldPubId), "video", "camera", BACK_WITHIN);

                long killedAt = System.nanoTime();
                server.kill9();
                server.startAgain();
                long restartedMs = (System.nanoTime() - killedAt) / 1_000_000;

                long deadline = System.nanoTime() + BACK_WITHIN.toNanos();
                while (!rejoined(pub, oldPubId) || !rejoined(sub, oldSubId)) {
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("the pages did not join the new server within " + BACK_WITHIN
                                + " (states " + pub.state() + ", " + sub.state() + ")");
                    }
                    Thread.sleep(200);
                }
                String newPubId = pub.selfId();
                sub.awaitInbound(List.of(newPubId), "video", "camera", BACK_WITHIN);
                long backMs = (System.nanoTime() - killedAt) / 1_000_000;
                System.out.printf(
                        "crash restart: server up again %d ms after kill -9, the subscriber decodes the publisher's"
                                + " video %d ms after it%n",
                        restartedMs, backMs);
                assertNotEquals(oldPubId, newPubId, "a fresh join: the new server never knew the old ids");
                sub.awaitParticipants(List.of("Pub", "Sub"));
                assertTrue(backMs < BACK_WITHIN.toMillis() * 2, "back after " + backMs + " ms");
            } catch (Throwable t) {
                TestOutcome.markFailed();
                pub.screenshot("crash-restart-pub");
                sub.screenshot("crash-restart-sub");
                throw t;
            } finally {
                pub.close();
                sub.close();
            }
        } finally {
            browser.quit();
        }
    }

    /** Joined, under an id the old server did not give (a fresh join). */
    private static boolean rejoined(RoomPage page, String oldId) {
        return "joined".equals(page.state()) && !oldId.equals(page.selfId());
    }
}
