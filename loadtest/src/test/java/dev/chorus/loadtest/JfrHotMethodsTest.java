package dev.chorus.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import jdk.jfr.Recording;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JfrHotMethodsTest {
    static volatile long sink;

    /** Busy on purpose, so the sampler finds this method on top of the stack. */
    static long spinForSampling(long nanos) {
        long end = System.nanoTime() + nanos;
        long x = 1;
        while (System.nanoTime() < end) {
            for (int i = 0; i < 10_000; i++) {
                x = x * 6364136223846793005L + 1442695040888963407L;
            }
        }
        return x;
    }

    @Test
    void aRecordingOfABusyMethodNamesItAmongTheHottest(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("busy.jfr");
        try (Recording r = new Recording()) {
            r.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(10));
            r.start();
            sink = spinForSampling(Duration.ofMillis(1500).toNanos());
            r.stop();
            r.dump(file);
        }
        assertTrue(Files.size(file) > 0);
        JfrHotMethods hot = new JfrHotMethods();
        hot.read(file);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        hot.print(new PrintStream(bytes, true, StandardCharsets.UTF_8), 5);
        String report = bytes.toString(StandardCharsets.UTF_8);
        String selfSection = report.substring(report.indexOf("Self"), report.indexOf("Inclusive"));
        assertTrue(selfSection.contains("dev.chorus.loadtest.JfrHotMethodsTest.spinForSampling"), report);
        assertTrue(report.matches("(?s)^\\d+ execution samples.*") && !report.startsWith("0 "), report);
    }

    @Test
    void threadNamesOfOnePoolCountTogether() {
        assertEquals("chorus-media-worker-N", JfrHotMethods.threadGroup("chorus-media-worker-3"));
        assertEquals("pool-N-thread-N", JfrHotMethods.threadGroup("pool-12-thread-7"));
        assertEquals("main", JfrHotMethods.threadGroup("main"));
        assertEquals("?", JfrHotMethods.threadGroup(null));
    }
}
