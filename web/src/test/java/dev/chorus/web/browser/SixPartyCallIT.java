package dev.chorus.web.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.PageLoadStrategy;

/**
 * The acceptance run: six headless Chromium participants in one room through the real
 * server jar, started as its own process so its CPU and memory can be read from /proc. Every page
 * must keep decoding video and receiving audio from the other five for the whole call
 * ({@code -Dchorus.sixParty.seconds}, 60 by default), and the server's /debug must show no drops
 * other than the ones a healthy call has. Figures go to target/six-party-call.json. The six pages
 * are windows of one Chromium and their cameras send 320x180 at 15 fps ({@link
 * Chromium.Camera#SMALL}): six browsers of their own, encoding 720p and decoding five streams each,
 * do not fit on two cores (page loads then time out in the renderer), and the server's share is
 * what is measured. Congestion control is off for this server (why: where the server starts).
 */
class SixPartyCallIT {

    private static final int PARTICIPANTS = 6;
    /**
     * Drops a healthy call has: Chrome's bandwidth probes (padding on the RTX stream, padding-only
     * packets, and RTX probes that resend packets the SFU already has, counted as duplicates, as are
     * RTX answers that arrive after the original), retransmissions so late that the subscriber's
     * stream has moved past them (a starved publisher page answers NACKs seconds late: CI saw 6 in a
     * 5-minute call), packets for a subscriber whose media is still connecting (its consumers wait
     * paused), packets before its first keyframe, and frames of a temporal or simulcast layer the
     * subscriber's estimate cannot carry (a decision, not a loss: CI's loaded machine dips the estimates
     * and saw 770; the frame rates checked during the call say whether it still worked). Anything else
     * is a bug or an overload.
     */
    private static final Set<String> EXPECTED_DROPS = Set.of(
            "RTX_PADDING",
            "DUPLICATE",
            "TOO_LATE_TO_MAP",
            "PADDING_ONLY",
            "CONSUMER_PAUSED",
            "WAITING_FOR_KEYFRAME",
            "TEMPORAL_LAYER_DROPPED",
            "LAYER_LEFT");

    @Test
    void sixParticipantsSeeAndHearEachOtherForTheWholeCall() throws Exception {
        int seconds = Integer.getInteger("chorus.sixParty.seconds", 60);
        Path log = Path.of("target", "six-party-server.log");
        ServerProcess server = ServerProcess.launch(
                Map.of(
                        // Six renderers on two cores starve one another: a starved page's transport-cc feedback
                        // reads as congestion, and the SFU paused its videos for minutes (CI: estimate 58 kbps,
                        // one video paused for the whole call; fd32c84 did the same on a loaded day). This test
                        // is about the forwarding plane at six-party scale and what it costs; congestion control
                        // has its own tests (CongestionControlTest, BandwidthCapBrowserIT, SimulcastBrowserIT).
                        "CHORUS_MEDIA_CONGESTION_CONTROL",
                        "false",
                        // The call ends with the browser's quit, which drops the last page's socket without a
                        // close frame: with resume on, that participant stays for the 20 s grace, the SIGTERM
                        // drain waits for it, and the test waited 15 s for an exit on every run. Resume has
                        // tests of its own.
                        "CHORUS_RESUME_GRACE",
                        "0s"),
                log,
                false); // the JVM as in production: the test reports the server's CPU
        List<RoomPage> pages = new ArrayList<>();
        // One browser, one window per participant (see the class comment).
        // Pages open without waiting for their load: the six load at once, before any of them starts its media,
        // instead of each loading while the ones before it encode and decode (26-33 s for the six joins).
        Chromium.Started browser = Chromium.start(List.of(), Chromium.Camera.SMALL, PageLoadStrategy.NONE);
        try {
            String base = server.base();
            server.awaitHealthy();
            ProcStat proc = new ProcStat(server.process().pid());

            long joinStart = System.nanoTime();
            // All six open before any is awaited: each page joins by itself (deep link), so the
            // joins overlap instead of queuing behind one another's WebDriver round trips.
            for (int i = 1; i <= PARTICIPANTS; i++) {
                pages.add(RoomPage.openIn(browser, base + "/r/six?name=P" + i));
            }
            pages.forEach(page -> page.awaitState("joined"));
            double secondsToJoin = (System.nanoTime() - joinStart) / 1e9;
            List<String> ids = pages.stream().map(RoomPage::selfId).toList();
            for (int i = 0; i < pages.size(); i++) {
                RoomPage page = pages.get(i);
                page.awaitMediaConnected();
                String self = ids.get(i);
                List<String> others =
                        ids.stream().filter(id -> !id.equals(self)).toList();
                page.awaitInbound(others, "video", "camera", Duration.ofSeconds(60));
                page.awaitInbound(others, "audio", "mic", Duration.ofSeconds(30));
            }

            double secondsToMedia = (System.nanoTime() - joinStart) / 1e9;
            System.out.printf(
                    "six-party call: %d pages joined in %.1f s, all media flowing after %.1f s%n",
                    PARTICIPANTS, secondsToJoin, secondsToMedia);
            // The call's time counts from here, all media flowing: reading the six pages' first stats (seconds
            // under load) is part of it, and each stream's rate is taken over its own page's two reads.
            long cpuStart = proc.cpuTicks();
            long wallStart = System.nanoTime();
            Map<String, Long> startNanos = new LinkedHashMap<>();
            Map<String, RoomPage.Inbound> start = snapshot(pages, startNanos);
            System.out.printf(
                    "six-party call: stats of the six pages read in %.1f s%n", (System.nanoTime() - wallStart) / 1e9);
            long maxRssKb = proc.rssKb();
            List<Long> rssSamples = new ArrayList<>();
            long callEnd = wallStart + java.util.concurrent.TimeUnit.SECONDS.toNanos(seconds);
            // Bounded: one sample every 5 s (at most) for the rest of the call.
            for (long left = callEnd - System.nanoTime(); left > 0; left = callEnd - System.nanoTime()) {
                Thread.sleep(Math.min(5_000, java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(left) + 1));
                long rss = proc.rssKb();
                rssSamples.add(rss);
                maxRssKb = Math.max(maxRssKb, rss);
                assertTrue(server.process().isAlive(), "server exited during the call; see " + log);
            }
            double wallSeconds = (System.nanoTime() - wallStart) / 1e9;
            double cpuSeconds = (proc.cpuTicks() - cpuStart) / (double) ProcStat.CLOCK_TICKS;
            // Under the pages' load the server gets little CPU: /debug has taken seconds here (CI timed
            // out at 10 and at 30 s), so it gets minutes, its time is a figure, and it is asked now, to
            // answer while the pages' stats are read rather than after.
            long debugStart = System.nanoTime();
            java.util.concurrent.atomic.AtomicLong debugDone = new java.util.concurrent.atomic.AtomicLong();
            CompletableFuture<String> debugText = CompletableFuture.supplyAsync(() -> {
                try {
                    String text = ServerProcess.get(base + "/debug", Duration.ofMinutes(3));
                    debugDone.set(System.nanoTime());
                    return text;
                } catch (IOException | InterruptedException e) {
                    throw new CompletionException(e);
                }
            });
            Map<String, Long> endNanos = new LinkedHashMap<>();
            long readStart = System.nanoTime();
            Map<String, RoomPage.Inbound> end = snapshot(pages, endNanos);
            System.out.printf(
                    "six-party call: stats of the six pages read in %.1f s%n", (System.nanoTime() - readStart) / 1e9);

            // Every one of the 6 x 5 video streams kept decoding and every audio stream kept arriving.
            double minFps = Double.MAX_VALUE;
            double minAudioPps = Double.MAX_VALUE;
            int streams = 0;
            for (Map.Entry<String, RoomPage.Inbound> e : end.entrySet()) {
                RoomPage.Inbound before = start.get(e.getKey());
                RoomPage.Inbound after = e.getValue();
                assertTrue(before != null, "stream " + e.getKey() + " appeared mid-call");
                // Reading six pages' stats takes seconds under load: rate each stream over its own page's interval.
                double interval = (endNanos.get(e.getKey()) - startNanos.get(e.getKey())) / 1e9;
                if ("video".equals(after.kind())) {
                    double fps = (after.framesDecoded() - before.framesDecoded()) / interval;
                    assertTrue(fps > 1, e.getKey() + " decoded " + fps + " frames/s");
                    minFps = Math.min(minFps, fps);
                } else {
                    long packets = after.packetsReceived() - before.packetsReceived();
                    assertTrue(packets > 10 * interval, e.getKey() + " received " + packets + " audio packets");
                    minAudioPps = Math.min(minAudioPps, packets / interval);
                }
                streams++;
            }
            assertEquals(PARTICIPANTS * (PARTICIPANTS - 1) * 2, streams, "inbound streams: " + end.keySet());

            JsonObject debug = new JsonObject(debugText.join());
            long debugMillis = (debugDone.get() - debugStart) / 1_000_000;
            Map<String, Long> drops = forwardingDrops(debug);
            Map<String, Long> unexpected = new LinkedHashMap<>(drops);
            unexpected.keySet().removeAll(EXPECTED_DROPS);
            Map<String, Long> transportDrops = transportDrops(debug);
            Map<String, Long> lossRecovery = lossRecovery(debug);
            // A page restarts ICE when it hears nothing for a while (ice-restart.js): on a healthy call none should,
            // but a page starved of CPU does, and one page here restarted every 5 s for whole calls. A figure, not
            // a bound, until those false alarms are told apart (an attempt broke ChromiumBotsIT: see f3034e4).
            long iceRestarts = sumOf(debug.getJsonObject("media"), "iceRestarts");

            JsonObject result = new JsonObject()
                    .put("participants", PARTICIPANTS)
                    .put("secondsToJoin", secondsToJoin)
                    .put("secondsToMedia", secondsToMedia)
                    .put("seconds", wallSeconds)
                    .put("serverCpuPercent", 100 * cpuSeconds / wallSeconds)
                    .put("serverCpuSeconds", cpuSeconds)
                    .put("serverMaxRssMiB", maxRssKb / 1024)
                    .put("serverRssSamplesKiB", new JsonArray(rssSamples))
                    .put("minVideoFpsPerStream", minFps)
                    .put("minAudioPacketsPerSecondPerStream", minAudioPps)
                    .put("forwardingDrops", new JsonObject(new LinkedHashMap<>(drops)))
                    .put("debugMillis", debugMillis)
                    .put("transportDrops", new JsonObject(new LinkedHashMap<>(transportDrops)))
                    .put("lossRecovery", new JsonObject(new LinkedHashMap<>(lossRecovery)))
                    .put("iceRestarts", iceRestarts)
                    .put(
                            "workers",
                            debug.getJsonObject("media")
                                    .getJsonObject("forwarding")
                                    .getJsonArray("workers"));
            Files.writeString(Path.of("target", "six-party-call.json"), result.encodePrettily());
            System.out.printf(
                    "six-party call: %.0f s, server CPU %.1f %% of one core, max RSS %d MiB, "
                            + "min video %.1f fps and min audio %.1f packets/s per stream, drops %s,"
                            + " transport drops %s%n",
                    wallSeconds,
                    100 * cpuSeconds / wallSeconds,
                    maxRssKb / 1024,
                    minFps,
                    minAudioPps,
                    drops,
                    transportDrops);
            System.out.printf("six-party call loss recovery: %s; ICE restarts: %d%n", lossRecovery, iceRestarts);
            assertEquals(Map.of(), unexpected, "unexpected forwarding drops");
            assertEquals(0L, transportDrops.getOrDefault("SRTP_AUTH_FAILED", 0L), "SRTP authentication failures");
        } catch (Throwable t) {
            TestOutcome.markFailed(); // the pages as they were when it failed
            throw t;
        } finally {
            // After a failure, or with -Dchorus.test.screenshots=true (screenshot() does nothing otherwise).
            for (int i = 0; i < pages.size(); i++) {
                pages.get(i).screenshot("sixParty-" + i);
            }
            pages.forEach(RoomPage::close);
            browser.quit();
            server.close();
        }
    }

    /** Every page's inbound streams by "receiver<-sender/kind/source", and when each was read. */
    private static Map<String, RoomPage.Inbound> snapshot(List<RoomPage> pages, Map<String, Long> readAtNanos) {
        Map<String, RoomPage.Inbound> all = new LinkedHashMap<>();
        for (RoomPage page : pages) {
            // One WebDriver call per page for its id, not one per stream: under the pages' load every
            // call takes 0.2-2 s, and reading ids per stream made each snapshot take a minute.
            String self = page.selfId();
            List<RoomPage.Inbound> inbound = page.inbound();
            long readAt = System.nanoTime();
            for (RoomPage.Inbound in : inbound) {
                if (in.participantId() != null) {
                    String key = self + "<-" + in.participantId() + "/" + in.kind() + "/" + in.source();
                    all.put(key, in);
                    readAtNanos.put(key, readAt);
                }
            }
        }
        return all;
    }

    /** NACK/RTX counters summed over every router's consumers (subscriber side) and producers (publisher side). */
    private static Map<String, Long> lossRecovery(JsonObject debug) {
        Map<String, Long> sums = new LinkedHashMap<>();
        JsonArray routers =
                debug.getJsonObject("media").getJsonObject("forwarding").getJsonArray("routers");
        for (int i = 0; i < routers.size(); i++) {
            JsonArray consumers = routers.getJsonObject(i).getJsonArray("consumers");
            for (int j = 0; j < consumers.size(); j++) {
                JsonObject c = consumers.getJsonObject(j);
                for (String k : List.of("nacksReceived", "nackedPackets", "retransmitted", "retransmittedRtx")) {
                    sums.merge("subscriber." + k, c.getLong(k, 0L), Long::sum);
                }
                JsonObject misses = c.getJsonObject("nackMisses");
                if (misses != null) {
                    misses.forEach(e -> sums.merge(
                            "subscriber.miss." + e.getKey(), ((Number) e.getValue()).longValue(), Long::sum));
                }
            }
            JsonArray producers = routers.getJsonObject(i).getJsonArray("producers");
            for (int j = 0; j < producers.size(); j++) {
                JsonObject p = producers.getJsonObject(j);
                for (String k : List.of("rtxReceived", "rtxRecovered", "rtxPadding", "duplicates")) {
                    sums.merge("publisher." + k, p.getLong(k, 0L), Long::sum);
                }
                JsonObject nack = p.getJsonObject("nackToPublisher");
                if (nack != null) {
                    for (String k : List.of(
                            "missingDetected",
                            "nackRequests",
                            "recovered",
                            "gaveUpRetries",
                            "gaveUpAge",
                            "gaveUpGapTooLarge")) {
                        sums.merge("publisher.nack." + k, nack.getLong(k, 0L), Long::sum);
                    }
                }
            }
        }
        return sums;
    }

    /** Drops by reason summed over every router. */
    private static Map<String, Long> forwardingDrops(JsonObject debug) {
        Map<String, Long> sums = new LinkedHashMap<>();
        JsonArray routers =
                debug.getJsonObject("media").getJsonObject("forwarding").getJsonArray("routers");
        for (int i = 0; i < routers.size(); i++) {
            JsonObject drops = routers.getJsonObject(i).getJsonObject("drops");
            if (drops != null) {
                drops.forEach(e -> sums.merge(e.getKey(), ((Number) e.getValue()).longValue(), Long::sum));
            }
        }
        return sums;
    }

    /** Every number under {@code key} anywhere in {@code json}, summed. */
    private static long sumOf(Object json, String key) {
        long sum = 0;
        if (json instanceof JsonObject o) {
            for (Map.Entry<String, Object> e : o) {
                sum += key.equals(e.getKey()) && e.getValue() instanceof Number n
                        ? n.longValue()
                        : sumOf(e.getValue(), key);
            }
        } else if (json instanceof JsonArray a) {
            for (Object v : a) {
                sum += sumOf(v, key);
            }
        }
        return sum;
    }

    /** Transport-level drops (before forwarding) summed over every participant. */
    private static Map<String, Long> transportDrops(JsonObject debug) {
        Map<String, Long> sums = new LinkedHashMap<>();
        JsonArray rooms = debug.getJsonObject("media").getJsonArray("rooms");
        for (int r = 0; r < rooms.size(); r++) {
            JsonArray sessions = rooms.getJsonObject(r).getJsonArray("sessions");
            for (int s = 0; s < sessions.size(); s++) {
                JsonObject transport = sessions.getJsonObject(s).getJsonObject("transport");
                JsonObject drops = transport == null ? null : transport.getJsonObject("drops");
                if (drops != null) {
                    drops.forEach(e -> {
                        long n = ((Number) e.getValue()).longValue();
                        if (n != 0) {
                            sums.merge(e.getKey(), n, Long::sum);
                        }
                    });
                }
            }
        }
        return sums;
    }

    /** CPU time and resident memory of a process, from /proc. */
    private record ProcStat(long pid) {
        /** USER_HZ: 100 on every Linux this runs on (sysconf(_SC_CLK_TCK)). */
        static final long CLOCK_TICKS = 100;

        long cpuTicks() throws IOException {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            // Fields after the command name, which is in parentheses and may contain spaces.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime + stime
        }

        long rssKb() throws IOException {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D+", ""));
                }
            }
            return 0;
        }
    }
}
