package dev.chorus.loadtest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One reading of a Chromium bot's page (chromium-collector.js {@code snapshot()}): its state and the
 * cumulative getStats() counters of each remote stream it receives and of what it sends. Times are epoch
 * milliseconds (the page's {@code performance.timeOrigin + now()}); NaN when unknown.
 */
record PageSnapshot(
        String state,
        String selfId,
        double joinedAt,
        double at,
        long polls,
        long errors,
        String lastError,
        String connectionState,
        String serverState,
        String serverReason,
        List<Stream> inbound,
        long packetsSent,
        long framesEncoded) {

    /** A remote stream this page receives, keyed by mid and sending participant. */
    record Stream(
            String key,
            String kind,
            String participantId,
            long packetsReceived,
            long packetsLost,
            long framesDecoded,
            long freezeCount,
            double totalFreezesSeconds,
            double jitterSeconds,
            double jitterBufferDelaySeconds,
            long jitterBufferEmitted,
            double firstFrameAt,
            long nackCount,
            long pliCount,
            long retransmittedPacketsReceived,
            long totalSamplesReceived,
            long concealedSamples) {
        boolean video() {
            return "video".equals(kind);
        }
    }

    static final PageSnapshot EMPTY =
            new PageSnapshot(null, null, Double.NaN, Double.NaN, 0, 0, null, null, null, null, List.of(), 0, 0);

    Stream stream(String key) {
        for (Stream s : inbound) {
            if (s.key.equals(key)) {
                return s;
            }
        }
        return null;
    }

    boolean connected() {
        return "connected".equals(connectionState);
    }

    boolean mediaFailed() {
        return "failed".equals(connectionState) || "failed".equals(serverState);
    }

    /** Parses what Selenium returns for the snapshot object (maps, lists, Long/Double numbers). */
    static PageSnapshot parse(Object o) {
        if (!(o instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException("page snapshot is not an object: " + o);
        }
        List<Stream> in = new ArrayList<>();
        if (m.get("inbound") instanceof List<?> list) {
            for (Object e : list) {
                if (e instanceof Map<?, ?> r) {
                    in.add(new Stream(
                            str(r.get("key")),
                            str(r.get("kind")),
                            str(r.get("participantId")),
                            lng(r.get("packetsReceived")),
                            Math.max(0, lng(r.get("packetsLost"))),
                            lng(r.get("framesDecoded")),
                            lng(r.get("freezeCount")),
                            dbl(r.get("totalFreezesDuration")),
                            dbl(r.get("jitter")),
                            dbl(r.get("jitterBufferDelay")),
                            lng(r.get("jitterBufferEmittedCount")),
                            dbl(r.get("firstFrameAt")),
                            lng(r.get("nackCount")),
                            lng(r.get("pliCount")),
                            lng(r.get("retransmittedPacketsReceived")),
                            lng(r.get("totalSamplesReceived")),
                            lng(r.get("concealedSamples"))));
                }
            }
        }
        long sent = 0;
        long frames = 0;
        if (m.get("outbound") instanceof List<?> list) {
            for (Object e : list) {
                if (e instanceof Map<?, ?> r) {
                    sent += lng(r.get("packetsSent"));
                    frames += lng(r.get("framesEncoded"));
                }
            }
        }
        return new PageSnapshot(
                str(m.get("state")),
                str(m.get("selfId")),
                dbl(m.get("joinedAt")),
                dbl(m.get("at")),
                lng(m.get("polls")),
                lng(m.get("errors")),
                str(m.get("lastError")),
                str(m.get("connectionState")),
                str(m.get("serverState")),
                str(m.get("serverReason")),
                List.copyOf(in),
                sent,
                frames);
    }

    private static String str(Object o) {
        return o == null ? null : o.toString();
    }

    private static long lng(Object o) {
        return o instanceof Number n ? n.longValue() : 0;
    }

    private static double dbl(Object o) {
        return o instanceof Number n ? n.doubleValue() : Double.NaN;
    }
}
