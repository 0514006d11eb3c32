package dev.chorus.testkit.browser;

import java.nio.file.Path;
import java.util.List;

/**
 * The Chromium command-line switches shared by every headless browser our tests and the load test
 * start: fake camera and microphone granted without a prompt, loopback-only networking (no QUIC,
 * no background requests, no mDNS host candidates, no name lookups), and no throttling of pages in windows that
 * are not in front, so one browser can hold several participants.
 */
public final class ChromiumSwitches {

    private ChromiumSwitches() {}

    /** The shared switches, with {@code profile} as the browser's own user-data directory. */
    public static List<String> headlessWebRtc(Path profile) {
        return List.of(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-quic",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-features=MediaRouter,OptimizationHints,Translate,WebRtcHideLocalIpsWithMdns,"
                        + "IntensiveWakeUpThrottling",
                "--disable-background-timer-throttling",
                "--disable-renderer-backgrounding",
                "--disable-backgrounding-occluded-windows",
                "--use-fake-device-for-media-stream",
                "--use-fake-ui-for-media-stream",
                "--allow-loopback-in-peer-connection",
                "--autoplay-policy=no-user-gesture-required",
                // Names never leave the machine: Chromium still looks up its vendors' hosts (search engines,
                // updates) despite the switches above, and this machine's resolver is not on loopback. The tests
                // use IP literals, which the rules also cover, hence the exclusions.
                "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost",
                userDataDir(profile));
    }

    /**
     * The switch naming {@code profile} as the user-data directory. Every process of that browser
     * carries it on its command line, so it also finds them.
     */
    public static String userDataDir(Path profile) {
        return "--user-data-dir=" + profile;
    }
}
