package dev.chorus.loadtest;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/** A self-contained HTML page with inline SVG line charts of the time series; no scripts. */
final class Html {
    private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd"};

    private Html() {}

    record Series(String label, ToDoubleFunction<Sample> value) {}

    /** The report of a Chromium-bot run: decoder figures from the pages' getStats() and the server's figures. */
    static String chromiumPage(
            String title,
            String summary,
            String configText,
            String latencyNote,
            List<Sample> samples,
            List<String[]> videoRows) {
        StringBuilder b = new StringBuilder();
        head(b, title, summary, configText);
        b.append("<p>").append(esc(latencyNote)).append("</p>");
        chart(
                b,
                "Frames decoded per second (sum over every remote video of every page)",
                samples,
                new Series("all streams", Sample::framesDecodedPs));
        chart(
                b,
                "Slowest remote video (frames decoded per second)",
                samples,
                new Series("slowest stream", Sample::minStreamFps));
        chart(
                b,
                "Video freezes (getStats freezeCount, per second, all streams)",
                samples,
                new Series("freezes started", Sample::freezes),
                new Series("seconds frozen", Sample::freezeSeconds));
        chart(
                b,
                "Packets per second",
                samples,
                new Series("sent by publishing pages", Sample::sentPps),
                new Series("received by pages", Sample::receivedPps),
                new Series("forwarded by server (its counters)", Sample::forwardedPps));
        chart(
                b,
                "Loss (%, packetsLost / (packetsLost + packetsReceived))",
                samples,
                new Series("loss", s -> s.loss() * 100));
        chart(
                b,
                "Receivers' jitter-buffer delay and jitter (ms; not one-way latency)",
                samples,
                new Series("jitter buffer p50", Sample::jitterBufferP50Ms),
                new Series("jitter buffer p99", Sample::jitterBufferP99Ms),
                new Series("mean jitter", Sample::jitterMs));
        chart(b, "Server CPU (cores)", samples, new Series("cpu", Sample::serverCpuCores));
        chart(
                b,
                "Server memory (MiB)",
                samples,
                new Series("rss", Sample::serverRssMib),
                new Series("heap in use", Sample::serverHeapMib));
        chart(
                b,
                "Pages",
                samples,
                new Series("opened", s -> s.botsStarted()),
                new Series("media connected", s -> s.botsConnected()),
                new Series("failed", s -> s.botsFailed()));
        b.append("<h2>Remote videos, steady window</h2><table><tr><th>page</th><th>from</th><th>frames/s</th>"
                + "<th>freezes</th><th>frozen s</th><th>loss</th><th>jitter ms</th><th>jitter buffer ms</th>"
                + "<th>join to first frame ms</th></tr>");
        for (String[] row : videoRows) {
            b.append("<tr>");
            for (String cell : row) {
                b.append("<td>").append(esc(cell)).append("</td>");
            }
            b.append("</tr>");
        }
        b.append("</table></body></html>\n");
        return b.toString();
    }

    static String page(String title, String summary, String configText, List<Sample> samples) {
        StringBuilder b = new StringBuilder();
        head(b, title, summary, configText);
        chart(
                b,
                "Packets per second",
                samples,
                new Series("sent by publishers", Sample::sentPps),
                new Series("received by bots", Sample::receivedPps),
                new Series("forwarded by server (its counters)", Sample::forwardedPps));
        chart(
                b,
                "Downstream video per subscriber (kbit/s: RTP on its video lines, mean over bots receiving video)",
                samples,
                new Series("mean per subscriber", Sample::subscriberVideoKbps));
        chart(b, "Loss (%)", samples, new Series("loss", s -> s.loss() * 100));
        chart(
                b,
                "One-way latency (ms)",
                samples,
                new Series("p50", Sample::p50Ms),
                new Series("p99", Sample::p99Ms),
                new Series("jitter", Sample::jitterMs));
        chart(b, "Server CPU (cores)", samples, new Series("cpu", Sample::serverCpuCores));
        chart(
                b,
                "Server memory (MiB)",
                samples,
                new Series("rss", Sample::serverRssMib),
                new Series("heap in use", Sample::serverHeapMib));
        chart(
                b,
                "Bots",
                samples,
                new Series("started", s -> s.botsStarted()),
                new Series("media connected", s -> s.botsConnected()),
                new Series("failed", s -> s.botsFailed()));
        b.append("</body></html>\n");
        return b.toString();
    }

    /** The capacity benchmark: the step table, then the time series over all steps. */
    static String capacityPage(
            String title,
            String summary,
            String configText,
            String[] header,
            List<String[]> rows,
            List<Sample> samples) {
        StringBuilder b = new StringBuilder();
        head(b, title, summary, configText);
        b.append("<h2>Steps</h2><table><tr>");
        for (String h : header) {
            b.append("<th>").append(esc(h)).append("</th>");
        }
        b.append("</tr>");
        for (String[] row : rows) {
            b.append("<tr>");
            for (String cell : row) {
                b.append("<td>").append(esc(cell)).append("</td>");
            }
            b.append("</tr>");
        }
        b.append("</table>");
        chart(
                b,
                "Packets per second",
                samples,
                new Series("received by bots", Sample::receivedPps),
                new Series("forwarded by server (its counters)", Sample::forwardedPps));
        chart(b, "Server CPU (cores)", samples, new Series("cpu", Sample::serverCpuCores));
        chart(
                b,
                "Server memory (MiB)",
                samples,
                new Series("rss", Sample::serverRssMib),
                new Series("heap in use", Sample::serverHeapMib));
        chart(b, "Loss (%)", samples, new Series("loss", s -> s.loss() * 100));
        chart(b, "One-way latency (ms)", samples, new Series("p50", Sample::p50Ms), new Series("p99", Sample::p99Ms));
        chart(
                b,
                "Bots",
                samples,
                new Series("media connected", s -> s.botsConnected()),
                new Series("failed", s -> s.botsFailed()));
        b.append("</body></html>\n");
        return b.toString();
    }

    static void head(StringBuilder b, String title, String summary, String configText) {
        b.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>")
                .append(esc(title))
                .append("</title><style>body{font-family:sans-serif;margin:20px;max-width:960px}"
                        + "pre{background:#f4f4f4;padding:8px;overflow:auto;white-space:pre-wrap}"
                        + "svg{background:#fff;border:1px solid #ddd}h2{font-size:16px;margin:18px 0 4px}"
                        + "table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ddd;padding:2px 6px;"
                        + "text-align:right}td:first-child,td:nth-child(2){text-align:left}</style></head><body>");
        b.append("<h1>").append(esc(title)).append("</h1>");
        b.append("<pre>").append(esc(summary)).append("</pre>");
        b.append("<pre>").append(esc(configText)).append("</pre>");
    }

    private static void chart(StringBuilder b, String title, List<Sample> samples, Series... series) {
        List<String> labels = new ArrayList<>();
        List<ToDoubleFunction<Sample>> values = new ArrayList<>();
        for (Series se : series) {
            labels.add(se.label());
            values.add(se.value());
        }
        chart(b, title, samples, Sample::t, labels, values);
    }

    /**
     * A line chart of {@code values} (one line each, named by {@code labels}) over {@code time} (seconds) of
     * any kind of point; NaN values are left out.
     */
    static <T> void chart(
            StringBuilder b,
            String title,
            List<T> samples,
            ToDoubleFunction<T> time,
            List<String> labels,
            List<ToDoubleFunction<T>> values) {
        final int w = 900;
        final int h = 220;
        final int left = 60;
        final int right = 10;
        final int top = 10;
        final int bottom = 30;
        double tMax = 1;
        double yMax = 0;
        boolean any = false;
        for (T s : samples) {
            tMax = Math.max(tMax, time.applyAsDouble(s));
            for (ToDoubleFunction<T> value : values) {
                double v = value.applyAsDouble(s);
                if (Double.isFinite(v)) {
                    yMax = Math.max(yMax, v);
                    any = true;
                }
            }
        }
        b.append("<h2>").append(esc(title)).append("</h2>");
        if (!any) {
            b.append("<p>no data</p>");
            return;
        }
        if (yMax <= 0) {
            yMax = 1;
        }
        yMax *= 1.05;
        double pw = w - left - right;
        double ph = h - top - bottom;
        b.append(String.format(
                Locale.ROOT, "<svg width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">", w, h + 20, w, h + 20));
        for (int i = 0; i <= 4; i++) {
            double y = top + ph - ph * i / 4;
            b.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>"
                            + "<text x=\"%d\" y=\"%.1f\" font-size=\"10\" text-anchor=\"end\">%s</text>",
                    left,
                    y,
                    w - right,
                    y,
                    left - 4,
                    y + 3,
                    fmt(yMax * i / 4)));
        }
        for (int i = 0; i <= 5; i++) {
            double x = left + pw * i / 5;
            b.append(String.format(
                    Locale.ROOT,
                    "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" text-anchor=\"middle\">%ss</text>",
                    x,
                    h - bottom + 14,
                    fmt(tMax * i / 5)));
        }
        b.append(String.format(
                Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"%.0f\" height=\"%.0f\" fill=\"none\" stroke=\"#999\"/>",
                left,
                top,
                pw,
                ph));
        for (int k = 0; k < values.size(); k++) {
            StringBuilder pts = new StringBuilder();
            for (T s : samples) {
                double v = values.get(k).applyAsDouble(s);
                if (!Double.isFinite(v)) {
                    continue;
                }
                pts.append(String.format(
                        Locale.ROOT, "%.1f,%.1f ", left + pw * time.applyAsDouble(s) / tMax, top + ph - ph * v / yMax));
            }
            String color = COLORS[k % COLORS.length];
            b.append("<polyline fill=\"none\" stroke-width=\"1.5\" stroke=\"")
                    .append(color)
                    .append("\" points=\"")
                    .append(pts)
                    .append("\"/>");
            b.append(String.format(
                    Locale.ROOT,
                    "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/><text x=\"%d\" y=\"%d\" font-size=\"11\">%s</text>",
                    left + 10 + k * 220,
                    h + 6,
                    color,
                    left + 24 + k * 220,
                    h + 15,
                    esc(labels.get(k))));
        }
        b.append("</svg>");
    }

    private static String fmt(double v) {
        if (v >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (v >= 1) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, "%.3f", v);
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
