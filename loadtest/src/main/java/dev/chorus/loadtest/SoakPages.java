package dev.chorus.loadtest;

import dev.chorus.testkit.netsim.TcpDropProxy;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * The soak's Chromium pages: windows of one headless Chromium in a room of their own, the first publishing the
 * fake camera and microphone, the second receive-only ({@code publish=0}). Each page reaches the server through
 * its own {@link TcpDropProxy}, so its signaling socket can be dropped (reset, as by a network change) without
 * touching the other page or the native bots; the web client then reconnects and resumes by itself. Each page
 * goes round join (load {@code /r/<room>?name=...}), then {@code drops} times (drop its connections, wait for
 * the page to count a resume in {@code window.chorus.resumes}), then leave (navigate to about:blank, which
 * closes its socket with 1001, a leave). One step per {@link #step} call, from the soak's thread.
 */
final class SoakPages implements AutoCloseable {
    static final long JOIN_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(45);
    /** The web client retries within the server's 20 s grace period; past it the page would join afresh. */
    static final long RESUME_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(20);

    /**
     * Installed before the page's own scripts: asks every getUserMedia for the camera at 320x180, 15 fps (the
     * page's own 1280x720 would cost the browser most of a core for the whole soak) and for an unprocessed
     * microphone.
     */
    static final String SMALL_CAMERA = "(() => {"
            + "  const md = navigator.mediaDevices; if (!md || !md.getUserMedia) return;"
            + "  const original = md.getUserMedia.bind(md);"
            + "  const merged = (t, extra) => t ? Object.assign({}, typeof t === 'object' ? t : {}, extra) : t;"
            + "  md.getUserMedia = (c) => original(c ? Object.assign({}, c, {"
            + "    video: merged(c.video, {width: {ideal: 320}, height: {ideal: 180}, frameRate: {ideal: 15}}),"
            + "    audio: merged(c.audio, {echoCancellation: false, noiseSuppression: false, autoGainControl: false})"
            + "  }) : c);"
            + "})();";

    private enum Phase {
        ABSENT,
        JOINING,
        PRESENT,
        RESUMING
    }

    private final SoakOptions options;
    private final String room;
    private final ChromiumBrowser browser;
    private final TcpDropProxy[] proxies;
    private final String[] windows;
    private final Phase[] phase;
    private final int[] dropsThisVisit;
    private final long[] resumesBefore;
    private final long[] since;
    private final int[] visits;
    final SoakTally tally = new SoakTally();

    SoakPages(SoakOptions options, String runId) throws Exception {
        this.options = options;
        this.room = "soak-" + runId + "-pages";
        int n = options.pages();
        proxies = new TcpDropProxy[n];
        windows = new String[n];
        phase = new Phase[n];
        dropsThisVisit = new int[n];
        resumesBefore = new long[n];
        since = new long[n];
        visits = new int[n];
        Arrays.fill(phase, Phase.ABSENT);
        browser = n == 0 ? null : ChromiumBrowser.launch(0);
        try {
            for (int i = 0; i < n; i++) {
                proxies[i] = TcpDropProxy.start(options.server().getPort());
                windows[i] =
                        browser.submit(() -> browser.openBlank(SMALL_CAMERA)).get(30, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    int size() {
        return windows.length;
    }

    /** Takes page {@code i}'s next step. {@code leaving}: only leave (the churn is over). */
    void step(int i, boolean leaving) throws Exception {
        long now = System.nanoTime();
        String who = "page " + i + " visit " + visits[i];
        switch (phase[i]) {
            case ABSENT -> {
                if (!leaving) {
                    String url = "http://127.0.0.1:" + proxies[i].port() + "/r/" + room + "?name=c" + i + "-v"
                            + visits[i]++ + (i == 0 ? "" : "&publish=0");
                    run(i, "setTimeout(() => { location.href = arguments[0]; }, 0);", url);
                    tally.joins++;
                    dropsThisVisit[i] = 0;
                    since[i] = now;
                    phase[i] = Phase.JOINING;
                }
            }
            case JOINING -> {
                if ("joined".equals(poll(i, "return window.chorus ? window.chorus.state : null;"))) {
                    phase[i] = Phase.PRESENT;
                } else if (now - since[i] > JOIN_TIMEOUT_NANOS) {
                    tally.fail(
                            who,
                            "not joined within 45 s (state " + poll(i, "return document.body?.dataset.state;") + ")");
                    leave(i, false);
                }
            }
            case PRESENT -> {
                if (!leaving && dropsThisVisit[i] < options.dropsPerVisit()) {
                    resumesBefore[i] = resumes(i);
                    if (proxies[i].dropAll() == 0) {
                        tally.fail(who, "no connection through its proxy to drop");
                    }
                    dropsThisVisit[i]++;
                    tally.drops++;
                    since[i] = now;
                    phase[i] = Phase.RESUMING;
                } else {
                    leave(i, true);
                }
            }
            case RESUMING -> {
                if (resumes(i) > resumesBefore[i]) {
                    tally.resumes++;
                    phase[i] = Phase.PRESENT;
                } else if (now - since[i] > RESUME_TIMEOUT_NANOS) {
                    tally.fail(
                            who,
                            "no resume within 20 s of the drop (state "
                                    + poll(i, "return document.body?.dataset.state;") + ")");
                    leave(i, false);
                }
            }
        }
    }

    private long resumes(int i) {
        Object n = poll(i, "return window.chorus ? window.chorus.resumes.length : -1;");
        return n instanceof Number num ? num.longValue() : -1;
    }

    private void leave(int i, boolean counted) throws Exception {
        run(i, "setTimeout(() => { location.href = 'about:blank'; }, 0);");
        if (counted) {
            tally.leaves++;
        }
        phase[i] = Phase.ABSENT;
    }

    /** {@link #run}, or null when the script fails (a page still loading): for reads retried on the next step. */
    private Object poll(int i, String script) {
        try {
            return run(i, script);
        } catch (Exception e) {
            return null;
        }
    }

    private Object run(int i, String script, Object... args) throws Exception {
        String handle = windows[i];
        return browser.submit(() -> browser.execute(handle, script, args)).get(15, TimeUnit.SECONDS);
    }

    /** Steps every page until each has left, for at most {@code timeoutNanos}; counts the rest as failures. */
    void leaveAll(long timeoutNanos) throws Exception {
        long deadline = System.nanoTime() + timeoutNanos;
        while (System.nanoTime() < deadline) {
            boolean any = false;
            for (int i = 0; i < phase.length; i++) {
                if (phase[i] != Phase.ABSENT) {
                    step(i, true);
                    any |= phase[i] != Phase.ABSENT;
                }
            }
            if (!any) {
                return;
            }
            Thread.sleep(200);
        }
        for (int i = 0; i < phase.length; i++) {
            if (phase[i] != Phase.ABSENT) {
                tally.fail("page " + i, "still " + phase[i] + " when the churn ended");
                leave(i, false);
            }
        }
    }

    /**
     * Resets the connections still open through the proxies: Chromium keeps idle HTTP connections of a page it
     * left, and each holds a socket (a file descriptor) in the server, which would blur the baseline.
     */
    void dropIdleConnections() {
        for (TcpDropProxy p : proxies) {
            if (p != null) {
                p.dropAll();
            }
        }
    }

    /** Quits the browser (its processes ended by PID) and stops the proxies. */
    @Override
    public void close() {
        if (browser != null) {
            browser.close();
        }
        for (TcpDropProxy p : proxies) {
            if (p != null) {
                p.close();
            }
        }
    }
}
