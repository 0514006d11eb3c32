package dev.chorus.sfu.forward;

import dev.chorus.sfu.cc.BandwidthEstimator;
import dev.chorus.sfu.config.CheckedConfig;

/**
 * Congestion-control tunables of a router, read from {@code chorus.media} by {@link #from}.
 *
 * @param enabled                transport-cc feedback to publishers and the send-side estimate (with
 *                               video paused to fit it) towards subscribers; off = forward everything
 * @param feedbackIntervalMillis how often transport-cc feedback goes to a publisher that sent packets
 * @param publisherMaxBps        REMB sent to publishers with the reports: a cap on what each publisher's
 *                               browser sends (0 = no REMB)
 * @param estimator              start, floor and ceiling of the estimate towards each subscriber
 * @param retransmissionPercent  share of a subscriber's estimate that retransmissions to it may use
 *                               (1..100); NACKs beyond it are not answered
 */
public record CongestionConfig(
        boolean enabled,
        long feedbackIntervalMillis,
        long publisherMaxBps,
        BandwidthEstimator.Settings estimator,
        int retransmissionPercent) {

    public CongestionConfig {
        if (feedbackIntervalMillis < 10 || feedbackIntervalMillis > 1000 || publisherMaxBps < 0 || estimator == null) {
            throw new IllegalArgumentException("feedback interval must be 10..1000 ms and the REMB cap >= 0");
        }
        if (retransmissionPercent < 1 || retransmissionPercent > 100) {
            throw new IllegalArgumentException("retransmission budget must be 1..100 % of the estimate");
        }
    }

    /** The {@code chorus.media} defaults of reference.conf. */
    public static CongestionConfig defaults() {
        return from(CheckedConfig.mediaReference());
    }

    /** Reads the congestion-control keys of {@code chorus.media}, the estimator's included. */
    public static CongestionConfig from(CheckedConfig media) {
        return new CongestionConfig(
                media.bool("congestion-control"),
                media.millis("transport-cc-feedback-interval", ms -> ms >= 10 && ms <= 1000, "must be 10ms..1s"),
                media.longValue("publisher-max-bitrate", bps -> bps >= 0, "must be >= 0 (0 = no REMB)"),
                BandwidthEstimator.Settings.from(media),
                media.integer("retransmission-budget-percent", p -> p >= 1 && p <= 100, "must be 1..100 (%)"));
    }
}
