package dev.chorus.signaling.http;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;

/** A /metrics page read as samples, for the tests that check what the server reports there. */
final class PrometheusSamples {
    private PrometheusSamples() {}

    /** Every sample by its full name, labels included ({@code name{a="b"}}); comments left out. */
    static Map<String, Double> parse(String text) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            out.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return out;
    }

    /** The sample {@code key}, which must be there. */
    static double value(Map<String, Double> samples, String key) {
        Double v = samples.get(key);
        assertTrue(v != null, "no sample " + key + " in " + samples.keySet());
        return v;
    }
}
