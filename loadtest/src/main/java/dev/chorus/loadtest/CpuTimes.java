package dev.chorus.loadtest;

/**
 * A process's CPU time split into user and system (kernel) time: seconds since the process started as read from
 * {@code /proc/<pid>/stat}, or, as {@link #coresSince}'s result, cores used over a window. On loopback the kernel's
 * share of a packet's cost is large, so the two are reported apart for the server and for the load generator.
 */
record CpuTimes(double user, double system) {
    static final CpuTimes UNKNOWN = new CpuTimes(Double.NaN, Double.NaN);

    double total() {
        return user + system;
    }

    /** Cores used from {@code earlier} to this reading, {@code seconds} apart. */
    CpuTimes coresSince(CpuTimes earlier, double seconds) {
        return new CpuTimes((user - earlier.user) / seconds, (system - earlier.system) / seconds);
    }
}
