package dev.chorus.loadtest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The soak's report: {@code result.json} (options, baseline and end readings, the verdict's checks, what the
 * churn did, every reading) and {@code index.html}, the verdict and charts of the server's memory, threads,
 * file descriptors and participants over time, in the load test's chart style ({@link Html}).
 */
final class SoakReport {
    private SoakReport() {}

    record Result(
            SoakOptions options,
            SoakReading baseline,
            SoakReading end,
            SoakVerdict verdict,
            SoakTally bots,
            SoakTally pages,
            Map<String, Integer> threadsGained,
            List<SoakReading> readings) {}

    static void write(Path dir, Result r) throws IOException {
        Files.createDirectories(dir);
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = json.createObjectNode();
        ObjectNode o = root.putObject("options");
        o.put("server", r.options().server().toString());
        o.put("durationSeconds", r.options().duration().toSeconds());
        o.put("warmupSeconds", r.options().warmup().toSeconds());
        o.put("bots", r.options().bots());
        o.put("roomSize", r.options().roomSize());
        o.put("pages", r.options().pages());
        o.put("everyMillis", r.options().every().toMillis());
        o.put("dropsPerVisit", r.options().dropsPerVisit());
        o.put("profile", r.options().profile().token());
        o.put("heapToleranceMib", r.options().heapToleranceMib());
        o.put("threadTolerance", r.options().threadTolerance());
        o.put("fdTolerance", r.options().fdTolerance());
        root.put("passed", r.verdict().passed());
        root.set("checks", json.valueToTree(r.verdict().checks()));
        root.set("baseline", json.valueToTree(r.baseline()));
        root.set("end", json.valueToTree(r.end()));
        root.set("bots", tally(json, r.bots()));
        root.set("pages", tally(json, r.pages()));
        root.set("threadsGained", json.valueToTree(r.threadsGained()));
        root.set("readings", json.valueToTree(r.readings()));
        json.writeValue(dir.resolve("result.json").toFile(), root);
        Files.writeString(dir.resolve("index.html"), html(r));
    }

    private static ObjectNode tally(ObjectMapper json, SoakTally t) {
        ObjectNode n = json.createObjectNode();
        n.put("joins", t.joins);
        n.put("leaves", t.leaves);
        n.put("drops", t.drops);
        n.put("resumes", t.resumes);
        n.put("failures", t.failures);
        n.set("failureReasons", json.valueToTree(t.reasons));
        return n;
    }

    static String html(Result r) {
        StringBuilder b = new StringBuilder();
        String summary = r.verdict().table() + "\n\nnative bots: " + r.bots() + "\nChromium pages: " + r.pages()
                + (r.bots().reasons.isEmpty() && r.pages().reasons.isEmpty()
                        ? ""
                        : "\nfailures: " + String.join("; ", r.bots().reasons) + " "
                                + String.join("; ", r.pages().reasons))
                + "\nbaseline at " + Math.round(r.baseline().t()) + " s (after the warm-up and a GC), end at "
                + Math.round(r.end().t()) + " s (after everyone left and a GC)"
                + (r.threadsGained().isEmpty() ? "" : "\nthreads gained (names, digits as #): " + r.threadsGained());
        Html.head(b, "Chorus churn soak", summary, r.options().toString());
        List<SoakReading> s = r.readings();
        chart(
                b,
                "Server memory (MiB)",
                s,
                List.of("heap in use", "heap after GC", "RSS"),
                List.of(SoakReading::heapMib, x -> x.afterGc() ? x.heapMib() : Double.NaN, SoakReading::rssMib));
        chart(
                b,
                "Server threads",
                s,
                List.of("live Java threads", "OS threads (JVM-internal too)"),
                List.of(x -> x.javaThreads(), x -> x.osThreads()));
        chart(b, "Open file descriptors", s, List.of("fds"), List.of(x -> x.fds()));
        chart(
                b,
                "Participants, WebSockets and transports",
                s,
                List.of("participants", "WebSockets", "transports", "awaiting resume"),
                List.of(x -> x.participants(), x -> x.connections(), x -> x.transports(), x -> x.detached()));
        chart(b, "Pooled packet buffers in use", s, List.of("buffers"), List.of(x -> x.buffersInUse()));
        b.append("</body></html>\n");
        return b.toString();
    }

    private static void chart(
            StringBuilder b,
            String title,
            List<SoakReading> s,
            List<String> labels,
            List<ToDoubleFunction<SoakReading>> values) {
        Html.chart(b, title, s, SoakReading::t, labels, values);
    }
}
