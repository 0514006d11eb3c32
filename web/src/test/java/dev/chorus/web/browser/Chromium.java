package dev.chorus.web.browser;

import dev.chorus.testkit.browser.ChromiumSwitches;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.openqa.selenium.PageLoadStrategy;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Starts Debian's headless Chromium through Debian's chromedriver. Missing binaries fail
 * the test with the command that installs them: a browser test never skips.
 */
public final class Chromium {

    static final String BROWSER = env("CHORUS_CHROMIUM", "/usr/bin/chromium");
    static final String DRIVER = env("CHORUS_CHROMEDRIVER", "/usr/bin/chromedriver");

    private Chromium() {}

    /** What the fake camera captures. */
    public enum Camera {
        /**
         * 320x180 at 15 fps from the first frame, the microphone unprocessed. Six browsers encoding
         * and decoding 720p on two cores starve each other (page loads then time out in the
         * renderer); most tests are about tracks reaching the right places, not about resolution.
         */
        SMALL(320, true),
        /** What the page asks for (1280x720 at 30 fps): for tests that need a real bitrate. */
        AS_REQUESTED(0, true),
        /**
         * As {@link #SMALL}, with no microphone at all: the page publishes its camera only. For tests
         * about video alone: a publishing page's audio pipeline is most of what it costs (four
         * publishing pages: 1.3-1.6 cores with microphones, 0.6 without).
         */
        SMALL_NO_MICROPHONE(320, false),
        /** As {@link #AS_REQUESTED}, with no microphone (see {@link #SMALL_NO_MICROPHONE}). */
        AS_REQUESTED_NO_MICROPHONE(0, false),
        /**
         * 640x360 at 15 fps, no microphone: the smallest camera of which Chromium sends VP9 SVC in two spatial
         * layers (at 320x180 it sends one), at an eighth of 720p30's pixels.
         */
        MEDIUM_NO_MICROPHONE(640, false);

        /** The width asked for (16:9, 15 fps); 0: what the page asks for. */
        private final int width;

        private final boolean microphone;

        Camera(int width, boolean microphone) {
            this.width = width;
            this.microphone = microphone;
        }

        /** The script that shapes the page's getUserMedia, or null when it needs none. */
        String script() {
            if (width == 0 && microphone) {
                return null;
            }
            String video = width > 0
                    ? "merged(c.video, {width: {ideal: " + width + "}, height: {ideal: " + width * 9 / 16
                            + "}, frameRate: {ideal: 15}})"
                    : "c.video";
            String audio = microphone
                    ? "merged(c.audio, {echoCancellation: false, noiseSuppression: false, autoGainControl: false})"
                    : "false";
            return "(() => {"
                    + "  const md = navigator.mediaDevices; if (!md || !md.getUserMedia) return;"
                    + "  const original = md.getUserMedia.bind(md);"
                    + "  const merged = (track, extra) => track"
                    + "      ? Object.assign({}, typeof track === 'object' ? track : {}, extra) : track;"
                    + "  md.getUserMedia = (c) => original(c ? Object.assign({}, c, {"
                    + "    video: " + video + ","
                    + "    audio: " + audio
                    + "  }) : c);"
                    + "})();";
        }
    }

    /**
     * Keeps the first {@value #KEPT_MESSAGES} text messages the page sends on any WebSocket (its signaling), in
     * {@code window.__chorusSent}, for {@link RoomPage#sentMessages()}: real client messages, e.g. to seed fuzzing.
     */
    static final int KEPT_MESSAGES = 200;

    private static final String KEEP_SENT_MESSAGES = "(() => {"
            + "  const kept = []; window.__chorusSent = kept;"
            + "  const send = WebSocket.prototype.send;"
            + "  WebSocket.prototype.send = function (data) {"
            + "    if (typeof data === 'string' && kept.length < " + KEPT_MESSAGES + ") kept.push(data);"
            + "    return send.call(this, data);"
            + "  };"
            + "})();";

    // Camera.script(): asks every getUserMedia of the page for 320x180 at 15 fps and for the microphone without echo
    // cancellation, noise suppression and gain control (that processing costs each browser about a tenth of a core
    // here), or for no microphone, whatever the page's own constraints: it runs before the page's scripts, in every
    // document the browser opens.

    /** A fresh browser with its own profile, fake camera and microphone, loopback-only networking. */
    public static Started start(List<String> extraArgs, Camera camera) {
        return start(extraArgs, camera, PageLoadStrategy.NORMAL);
    }

    /**
     * As {@link #start(List, Camera)}; with {@link PageLoadStrategy#NONE} opening a page does not wait for it to
     * load, so several pages load at once (the test then waits for what it needs, e.g. a page's state).
     */
    public static Started start(List<String> extraArgs, Camera camera, PageLoadStrategy pageLoad) {
        requireExecutable(BROWSER);
        requireExecutable(DRIVER);
        // Selenium would otherwise try to download a driver of its own.
        System.setProperty("webdriver.chrome.driver", DRIVER);
        Path profile = freshProfile();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BROWSER);
        List<String> args = new ArrayList<>(ChromiumSwitches.headlessWebRtc(profile));
        args.add("--window-size=1280,800");
        args.addAll(extraArgs);
        options.addArguments(args);
        options.setPageLoadStrategy(pageLoad);
        // Keep the page's console, so RoomPage.screenshot() can save it next to the picture.
        options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(DRIVER))
                .usingAnyFreePort()
                .withLogOutput(java.io.OutputStream.nullOutputStream())
                .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        Started started = new Started(driver, profile, camera);
        try {
            // Generous: on two busy cores a renderer can take tens of seconds to answer.
            driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
            driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(15));
            return started;
        } catch (RuntimeException e) {
            started.quit();
            throw e;
        }
    }

    /**
     * A running browser: its driver, its windows (one page each) and its profile directory, which
     * names its processes. Used from one test thread at a time: the driver talks to one window at
     * a time, so every use goes through {@link #on(String)}.
     */
    public static final class Started {
        private final ChromeDriver driver;
        private final Path profile;
        private final Camera camera;
        private boolean firstWindowFree = true;
        private String current;

        private Started(ChromeDriver driver, Path profile, Camera camera) {
            this.driver = driver;
            this.profile = profile;
            this.camera = camera;
        }

        /** A window for a new page (the browser's first, then new ones); returns its handle. */
        public String openWindow() {
            if (!firstWindowFree) {
                driver.switchTo().newWindow(WindowType.WINDOW);
            }
            firstWindowFree = false;
            current = driver.getWindowHandle();
            // Per window: the scripts are installed in the window the driver talks to.
            String script = camera.script();
            if (script != null) {
                driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", script));
            }
            driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", KEEP_SENT_MESSAGES));
            return current;
        }

        /** The driver, talking to {@code window}. */
        public ChromeDriver on(String window) {
            if (!window.equals(current)) {
                driver.switchTo().window(window);
                current = window;
            }
            return driver;
        }

        /** Closes one page's window, as a person closing the tab would. Never throws. */
        public void closeWindow(String window) {
            try {
                on(window).close();
                // The driver must talk to a window that exists, or opening the next one fails.
                current = driver.getWindowHandles().stream().findFirst().orElse(null);
                if (current != null) {
                    driver.switchTo().window(current);
                }
            } catch (RuntimeException e) {
                System.err.println("chromium " + profile + ": window did not close (" + e + ")");
                current = null;
            }
        }

        /**
         * Quits the browser. A browser that no longer answers (a hung renderer) would stay behind
         * and slow every later test: its processes, found by this browser's own profile directory
         * on their command line, are then ended by PID. Never throws.
         */
        public void quit() {
            try {
                driver.quit();
            } catch (RuntimeException e) {
                System.err.println("chromium " + profile + " did not quit cleanly ("
                        + e.getClass().getSimpleName() + "); ending its processes");
            }
            String marker = ChromiumSwitches.userDataDir(profile);
            ProcessHandle.allProcesses()
                    .filter(p -> p.info()
                            .arguments()
                            .map(a -> List.of(a).contains(marker))
                            .orElse(false))
                    .forEach(ProcessHandle::destroyForcibly);
        }
    }

    private static Path freshProfile() {
        try {
            Path dir = Files.createTempDirectory("chorus-chromium-");
            dir.toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new IllegalStateException("cannot create a Chromium profile directory", e);
        }
    }

    private static void requireExecutable(String path) {
        if (!new File(path).canExecute()) {
            throw new IllegalStateException(path + " not found. Install it with: "
                    + "apt-get install -y chromium chromium-driver (conf/test.sh does this for you)");
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
