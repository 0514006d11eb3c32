package dev.chorus.web.browser;

import java.util.ArrayList;
import java.util.List;

/**
 * The frames a page presented for one participant's camera tile, as [page time ms, width], and what they
 * say about layer switches. A switch is a change of the presented width; its freeze is the longest gap
 * between presented frames that ends from {@link #WINDOW_MS} before to {@link #WINDOW_MS} after the first
 * frame of the new size, so a stall of the old layer leading into the switch counts too, not only the gap
 * from the last old frame to the first new one. Chromium's freezeCount only counts gaps over about 150 ms
 * and does not say when; this sees every gap and places it.
 */
final class FrameLog {
    static final double WINDOW_MS = 1000;

    /** {@link #install} for Selenium, whose scripts get their arguments as {@code arguments}. */
    static final String INSTALL = install("arguments[0]");

    /**
     * A script that logs every frame presented in one participant's camera tile (requestVideoFrameCallback),
     * following the tile's video element if the grid replaces it; {@code participantId} is the expression that
     * names the participant in the driver's script. Returns whether the element exists and the callback is
     * supported.
     */
    static String install(String participantId) {
        return "const id = " + participantId + ";"
                + "const log = (window.chorusFrameLog ??= { frames: [], video: null });"
                + "const selector = '#grid .tile[data-participant-id=\"' + id + '\"]:not([data-source]) video';"
                + "const watch = () => {"
                + "  const v = document.querySelector(selector);"
                + "  if (!v || v === log.video) return;"
                + "  log.video = v;"
                + "  const onFrame = (now, meta) => {"
                + "    if (log.video !== v) return;"
                + "    log.frames.push([Math.round(now * 10) / 10, meta.width]);"
                + "    v.requestVideoFrameCallback(onFrame);"
                + "  };"
                + "  v.requestVideoFrameCallback(onFrame);"
                + "};"
                + "watch();"
                + "log.timer ??= setInterval(watch, 250);"
                + "return log.video !== null && typeof HTMLVideoElement.prototype.requestVideoFrameCallback === 'function';";
    }

    /**
     * One switch.
     *
     * @param atMs                page time of the first frame of the new size
     * @param lastOldToFirstNewMs the gap across the switch itself
     * @param freezeMs            the longest gap around it (see the class comment)
     */
    record Switch(double atMs, int fromWidth, int toWidth, double lastOldToFirstNewMs, double freezeMs) {}

    private FrameLog() {}

    /** The switches among {@code frames} whose first new frame is at or after {@code fromMs}. */
    static List<Switch> switches(List<double[]> frames, double fromMs) {
        List<Switch> out = new ArrayList<>();
        for (int i = 1; i < frames.size(); i++) {
            double[] a = frames.get(i - 1);
            double[] b = frames.get(i);
            if (b[0] < fromMs || a[1] == b[1]) continue;
            double freeze = 0;
            for (int j = 1; j < frames.size(); j++) {
                double end = frames.get(j)[0];
                if (end >= b[0] - WINDOW_MS && end <= b[0] + WINDOW_MS) {
                    freeze = Math.max(freeze, end - frames.get(j - 1)[0]);
                }
            }
            out.add(new Switch(b[0], (int) a[1], (int) b[1], b[0] - a[0], freeze));
        }
        return out;
    }
}
