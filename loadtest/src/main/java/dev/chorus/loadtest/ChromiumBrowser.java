package dev.chorus.loadtest;

import dev.chorus.testkit.browser.ChromiumSwitches;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * One headless Chromium process (Debian's chromium through Debian's chromedriver) holding several bot pages,
 * each in its own window so none is a throttled background tab. Every call to the driver runs on this
 * browser's own thread ({@link #submit}), so pages of different browsers are driven in parallel. Closing
 * quits the driver and then ends, by PID, whatever is left of the chromedriver and chromium processes this
 * browser started.
 */
final class ChromiumBrowser implements AutoCloseable {
    static final String BROWSER = env("CHORUS_CHROMIUM", "/usr/bin/chromium");
    static final String DRIVER = env("CHORUS_CHROMEDRIVER", "/usr/bin/chromedriver");
    private static final Object LAUNCH_LOCK = new Object();

    final int index;
    private final ChromeDriver driver;
    private final Set<Long> pids;
    private final Path profile;
    private final ExecutorService thread;
    private final AtomicBoolean closed = new AtomicBoolean();
    private boolean firstWindowFree = true;

    private ChromiumBrowser(int index, ChromeDriver driver, Set<Long> pids, Path profile, ExecutorService thread) {
        this.index = index;
        this.driver = driver;
        this.pids = pids;
        this.profile = profile;
        this.thread = thread;
    }

    /** Starts a browser; throws with the install command when chromium or chromedriver is missing. */
    static ChromiumBrowser launch(int index) throws IOException {
        requireExecutable(BROWSER);
        requireExecutable(DRIVER);
        System.setProperty("webdriver.chrome.driver", DRIVER); // else Selenium would look for a driver of its own
        Path profile = Files.createTempDirectory("chorus-load-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BROWSER);
        List<String> args = new ArrayList<>(ChromiumSwitches.headlessWebRtc(profile));
        args.add("--mute-audio");
        args.add("--window-size=800,600");
        options.addArguments(args);
        ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "chorus-chromium-" + index);
            t.setDaemon(true);
            return t;
        });
        // Launch one at a time, so the processes that appear belong to this browser.
        synchronized (LAUNCH_LOCK) {
            Set<Long> before = descendants();
            ChromeDriver driver;
            try {
                ChromeDriverService service = new ChromeDriverService.Builder()
                        .usingDriverExecutable(new File(DRIVER))
                        .usingAnyFreePort()
                        .withLogOutput(OutputStream.nullOutputStream())
                        .build();
                driver = new ChromeDriver(service, options);
            } catch (RuntimeException | Error e) {
                killNew(before);
                thread.shutdownNow();
                deleteTree(profile);
                throw e;
            }
            Set<Long> mine = new LinkedHashSet<>(descendants());
            mine.removeAll(before);
            driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
            driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
            return new ChromiumBrowser(index, driver, mine, profile, thread);
        }
    }

    /** Process ids of chromedriver and chromium started for this browser (renderers are their children). */
    Set<Long> pids() {
        return Set.copyOf(pids);
    }

    <T> Future<T> submit(java.util.concurrent.Callable<T> task) {
        return thread.submit(task);
    }

    /**
     * Opens {@code url} in a window of its own and installs the stats collector. Runs on the caller's thread:
     * call it through {@link #submit}. Returns the window handle.
     */
    String open(String url, String collector, int expectedVideos) {
        if (!firstWindowFree) {
            driver.switchTo().newWindow(WindowType.WINDOW);
        }
        firstWindowFree = false;
        String handle = driver.getWindowHandle();
        driver.get(url);
        driver.executeScript(collector, expectedVideos);
        return handle;
    }

    /**
     * Opens a blank window whose every later document runs {@code initScript} before its own scripts, and
     * returns its handle; {@link #navigate} then loads a page in it without waiting. Call through {@link #submit}.
     */
    String openBlank(String initScript) {
        if (!firstWindowFree) {
            driver.switchTo().newWindow(WindowType.WINDOW);
        }
        firstWindowFree = false;
        driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", initScript));
        return driver.getWindowHandle();
    }

    /** Starts loading {@code url} in window {@code handle} and returns at once; call through {@link #submit}. */
    void navigate(String handle, String url) {
        driver.switchTo().window(handle);
        driver.executeScript("setTimeout(() => { location.href = arguments[0]; }, 0);", url);
    }

    /** Closes window {@code handle} (the browser stays while another window is open); through {@link #submit}. */
    void closeWindow(String handle) {
        driver.switchTo().window(handle);
        if (driver.getWindowHandles().size() > 1) {
            driver.close();
        } else {
            driver.get("about:blank");
            firstWindowFree = true;
        }
    }

    /** Reads a page's snapshot; call through {@link #submit}. */
    PageSnapshot snapshot(String handle) {
        driver.switchTo().window(handle);
        Object o = driver.executeScript("return window.__chorusLoad ? window.__chorusLoad.snapshot() : null");
        if (o == null) {
            throw new IllegalStateException("the page has no stats collector (did it reload?)");
        }
        return PageSnapshot.parse(o);
    }

    /** Runs a script in a page and returns its result; call through {@link #submit}. */
    Object execute(String handle, String script, Object... args) {
        driver.switchTo().window(handle);
        return driver.executeScript(script, args);
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        thread.shutdownNow();
        // driver.quit() can hang when the browser is wedged; give it a few seconds on a thread of its own.
        Thread quit = new Thread(
                () -> {
                    try {
                        driver.quit();
                    } catch (RuntimeException ignored) {
                        // the PIDs below are ended anyway
                    }
                },
                "chorus-chromium-quit-" + index);
        quit.setDaemon(true);
        quit.start();
        try {
            quit.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (long pid : pids) {
            ProcessHandle.of(pid).ifPresent(ChromiumBrowser::endTree);
        }
        deleteTree(profile);
    }

    /** True while any process this browser started is still running (for tests). */
    boolean anyProcessAlive() {
        return pids.stream()
                .anyMatch(p -> ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false));
    }

    private static void endTree(ProcessHandle p) {
        List<ProcessHandle> tree = new ArrayList<>(p.descendants().toList());
        tree.add(p);
        for (ProcessHandle h : tree) {
            h.destroy();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        for (ProcessHandle h : tree) {
            while (h.isAlive() && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (h.isAlive()) {
                h.destroyForcibly();
            }
        }
    }

    private static void killNew(Set<Long> before) {
        for (long pid : descendants()) {
            if (!before.contains(pid)) {
                ProcessHandle.of(pid).ifPresent(ChromiumBrowser::endTree);
            }
        }
    }

    private static Set<Long> descendants() {
        return ProcessHandle.current().descendants().map(ProcessHandle::pid).collect(Collectors.toSet());
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | RuntimeException ignored) {
            // a temp directory left behind is harmless
        }
    }

    private static void requireExecutable(String path) {
        if (!new File(path).canExecute()) {
            throw new IllegalStateException(path + " not found. Install it with: apt-get install -y chromium"
                    + " chromium-driver (or point CHORUS_CHROMIUM / CHORUS_CHROMEDRIVER at them)");
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    static Map<String, String> paths() {
        return Map.of("chromium", BROWSER, "chromedriver", DRIVER);
    }
}
