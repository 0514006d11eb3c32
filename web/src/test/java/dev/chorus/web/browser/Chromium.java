package dev.chorus.web.browser;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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

    /** A fresh browser with its own profile, fake camera and microphone, loopback-only networking. */
    public static ChromeDriver start(List<String> extraArgs) {
        requireExecutable(BROWSER);
        requireExecutable(DRIVER);
        // Selenium would otherwise try to download a driver of its own.
        System.setProperty("webdriver.chrome.driver", DRIVER);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BROWSER);
        List<String> args = new ArrayList<>(List.of(
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
                "--disable-features=MediaRouter,OptimizationHints,Translate,WebRtcHideLocalIpsWithMdns",
                "--use-fake-device-for-media-stream",
                "--use-fake-ui-for-media-stream",
                "--allow-loopback-in-peer-connection",
                "--autoplay-policy=no-user-gesture-required",
                "--window-size=1280,800",
                "--user-data-dir=" + freshProfile()));
        args.addAll(extraArgs);
        options.addArguments(args);
        // Keep the page's console, so RoomPage.screenshot() can save it next to the picture.
        options.setCapability("goog:loggingPrefs", java.util.Map.of("browser", "ALL"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(DRIVER))
                .usingAnyFreePort()
                .withLogOutput(java.io.OutputStream.nullOutputStream())
                .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(15));
        return driver;
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
