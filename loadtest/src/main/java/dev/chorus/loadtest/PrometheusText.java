package dev.chorus.loadtest;

import java.util.HashMap;
import java.util.Map;

/** The server's /metrics page read as numbers: what the capacity run's and the soak's probes both need. */
final class PrometheusText {
    private PrometheusText() {}

    /**
     * Prometheus text to plain series by name (label-less lines), plus {@code heap}: the sum of
     * {@code jvm_memory_used_bytes} over the heap's pools.
     */
    static Map<String, Double> parse(String text) {
        Map<String, Double> out = new HashMap<>();
        double heap = 0;
        for (String line : text.split("\n")) {
            int space = line.lastIndexOf(' ');
            if (line.isEmpty() || line.charAt(0) == '#' || space < 0) {
                continue;
            }
            String name = line.substring(0, space);
            double value;
            try {
                value = Double.parseDouble(line.substring(space + 1));
            } catch (NumberFormatException e) {
                continue;
            }
            if (name.startsWith("jvm_memory_used_bytes{") && name.contains("area=\"heap\"")) {
                heap += value;
            } else if (name.indexOf('{') < 0) {
                out.put(name, value);
            }
        }
        out.put("heap", heap);
        return out;
    }
}
