package dev.chorus.loadtest;

import java.util.ArrayList;
import java.util.List;

/**
 * What the churn did, for one kind of client (native bots or Chromium pages): joins, leaves, socket drops,
 * resumes, and failures with their reasons (the first {@link #MAX_REASONS} kept). Soak thread only.
 */
final class SoakTally {
    static final int MAX_REASONS = 20;

    long joins;
    long leaves;
    long drops;
    long resumes;
    int failures;
    final List<String> reasons = new ArrayList<>();

    void fail(String who, String why) {
        failures++;
        if (reasons.size() < MAX_REASONS) {
            reasons.add(who + ": " + why);
        }
    }

    @Override
    public String toString() {
        return "joins=" + joins + " leaves=" + leaves + " drops=" + drops + " resumes=" + resumes + " failures="
                + failures;
    }
}
