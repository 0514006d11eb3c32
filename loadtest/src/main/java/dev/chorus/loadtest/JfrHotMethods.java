package dev.chorus.loadtest;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a Java Flight Recorder recording spent its CPU: the methods most often on top of the sampled stacks
 * (self time), the methods most often anywhere on them (inclusive time), and the threads sampled. Used by
 * {@code loadtest/capacity.sh} with {@code CAPACITY_JFR=1} to profile the server under load:
 * {@code java -cp chorus-loadtest.jar dev.chorus.loadtest.JfrHotMethods server.jfr [top]}.
 */
public final class JfrHotMethods {
    private final Map<String, Long> self = new HashMap<>();
    private final Map<String, Long> inclusive = new HashMap<>();
    private final Map<String, Long> threads = new HashMap<>();
    private long samples;

    public static void main(String[] args) throws IOException {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: JfrHotMethods <recording.jfr> [top (default 25)]");
            System.exit(2);
        }
        int top = args.length == 2 ? Integer.parseInt(args[1]) : 25;
        JfrHotMethods h = new JfrHotMethods();
        h.read(Path.of(args[0]));
        h.print(System.out, top);
    }

    void read(Path recording) throws IOException {
        for (RecordedEvent e : RecordingFile.readAllEvents(recording)) {
            if (e.getEventType().getName().equals("jdk.ExecutionSample")) {
                add(e);
            }
        }
    }

    private void add(RecordedEvent e) {
        RecordedStackTrace stack = e.getStackTrace();
        if (stack == null || stack.getFrames().isEmpty()) {
            return;
        }
        samples++;
        if (e.getThread("sampledThread") != null) {
            threads.merge(threadGroup(e.getThread("sampledThread").getJavaName()), 1L, Long::sum);
        }
        List<RecordedFrame> frames = stack.getFrames();
        self.merge(name(frames.get(0).getMethod()), 1L, Long::sum);
        Set<String> seen = new HashSet<>();
        for (RecordedFrame f : frames) {
            String n = name(f.getMethod());
            if (seen.add(n)) {
                inclusive.merge(n, 1L, Long::sum);
            }
        }
    }

    /** Thread names without their numbers, so a pool's threads count together. */
    static String threadGroup(String name) {
        return name == null ? "?" : name.replaceAll("[-#]?\\d+", "-N");
    }

    private static String name(RecordedMethod m) {
        if (m == null) {
            return "?";
        }
        String type = m.getType() == null ? "?" : m.getType().getName();
        return type + "." + m.getName();
    }

    void print(PrintStream out, int top) {
        out.printf(Locale.ROOT, "%d execution samples%n", samples);
        table(out, "Self (top of stack)", self, top);
        table(out, "Inclusive (anywhere on the stack)", inclusive, top);
        table(out, "Threads", threads, top);
    }

    private void table(PrintStream out, String title, Map<String, Long> counts, int top) {
        out.printf(Locale.ROOT, "%n%s%n", title);
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(top)
                .forEach(en -> out.printf(
                        Locale.ROOT,
                        "%6.1f%%  %7d  %s%n",
                        samples == 0 ? 0.0 : 100.0 * en.getValue() / samples,
                        en.getValue(),
                        en.getKey()));
    }
}
