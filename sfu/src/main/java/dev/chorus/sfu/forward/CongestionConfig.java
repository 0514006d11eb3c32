package dev.chorus.sfu.forward;

import dev.chorus.sfu.cc.BandwidthEstimator;

/**
 * Congestion-control tunables of a router.
 *
 * @param enabled                transport-cc feedback to publishers and the send-side estimate (with
 *                               video paused to fit it) towards subscribers; off = forward everything
 * @param feedbackIntervalMillis how often transport-cc feedback goes to a publisher that sent packets
 * @param publisherMaxBps        REMB sent to publishers with the reports: a cap on what each publisher's
 *                               browser sends (0 = no REMB)
 * @param estimator              start, floor and ceiling of the estimate towards each subscriber
 */
public record CongestionConfig(boolean enabled, long feedbackIntervalMillis, long publisherMaxBps,
                               BandwidthEstimator.Settings estimator) {
    public static final CongestionConfig DEFAULT =
            new CongestionConfig(true, 50, 4_000_000, BandwidthEstimator.Settings.DEFAULT);
    public static final CongestionConfig DISABLED =
            new CongestionConfig(false, 50, 0, BandwidthEstimator.Settings.DEFAULT);

    public CongestionConfig {
        if (feedbackIntervalMillis < 10 || feedbackIntervalMillis > 1000 || publisherMaxBps < 0 || estimator == null) {
            throw new IllegalArgumentException("feedback interval must be 10..1000 ms and the REMB cap >= 0");
        }
    }
}
