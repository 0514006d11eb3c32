package dev.chorus.web.browser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Debian's headless Firefox ESR, driven over WebDriver BiDi (see {@link BidiConnection}): Debian
 * packages no geckodriver and nothing may be downloaded, so the test talks to the browser's own
 * remote agent ({@code --remote-debugging-port=0}, whose address Firefox prints on stderr).
 *
 * <p>Each browser has a fresh profile whose {@code user.js} gives it a fake camera and microphone
 * without a prompt, ICE on every local address (host candidates unobfuscated), and nothing that
 * reaches out on its own (updates, telemetry, safe browsing, plugin downloads, first-run pages).
 * Firefox offers no 127.0.0.1 host candidate, so WebRTC tests run it in their own network namespace
 * with a non-loopback address on {@code lo} (see {@link NetworkNamespace}).
 *
 * <p>Used from one test thread; {@link #close()} ends the browser and every process it started
 * (by PID) and deletes the profile.
 */
public final class Firefox implements AutoCloseable {

    static final String BROWSER = env("CHORUS_FIREFOX", "/usr/bin/firefox-esr");
    private static final Duration START_WAIT = Duration.ofSeconds(60);
    /** Generous: on two busy cores a content process can take long to answer. */
    static final Duration COMMAND_WAIT = Duration.ofSeconds(60);

    private static final Pattern LISTENING = Pattern.compile("WebDriver BiDi listening on (ws://\\S+)");

    private static final Map<String, Object> PREFS = prefs();

    private final ObjectMapper json = new ObjectMapper();
    private final Process process;
    private final Path profile;
    private final Path log;
    private final Map<String, List<String>> console = new ConcurrentHashMap<>();
    private BidiConnection bidi;
    private String firstContext;

    private Firefox(Process process, Path profile, Path log) {
        this.process = process;
        this.profile = profile;
        this.log = log;
    }

    private static Map<String, Object> prefs() {
        Map<String, Object> p = new java.util.LinkedHashMap<>();
        // Media: fake devices, no permission prompt, candidates on every address, shown as they are.
        p.put("media.navigator.streams.fake", true);
        p.put("media.navigator.permission.disabled", true);
        p.put("media.peerconnection.ice.loopback", true);
        p.put("media.peerconnection.ice.obfuscate_host_addresses", false);
        // Without this, a machine with no route to the outside is "offline" and ICE gathers nothing.
        p.put("network.manage-offline-status", false);
        p.put("media.autoplay.default", 0);
        p.put("media.autoplay.blocking_policy", 0);
        // Nothing of its own on the network (the namespace has no way out anyway; this keeps it quiet).
        p.put("app.update.disabledForTesting", true);
        p.put("app.normandy.enabled", false);
        p.put("browser.shell.checkDefaultBrowser", false);
        p.put("browser.startup.homepage_override.mstone", "ignore");
        p.put("browser.startup.page", 0);
        p.put("browser.aboutwelcome.enabled", false);
        p.put("browser.newtabpage.enabled", false);
        p.put("browser.safebrowsing.malware.enabled", false);
        p.put("browser.safebrowsing.phishing.enabled", false);
        p.put("browser.safebrowsing.downloads.enabled", false);
        p.put("browser.safebrowsing.blockedURIs.enabled", false);
        p.put("browser.region.network.url", "");
        p.put("datareporting.policy.dataSubmissionEnabled", false);
        p.put("datareporting.healthreport.uploadEnabled", false);
        p.put("toolkit.telemetry.enabled", false);
        p.put("toolkit.telemetry.server", "");
        p.put("toolkit.telemetry.reportingpolicy.firstRun", false);
        p.put("extensions.update.enabled", false);
        p.put("extensions.getAddons.cache.enabled", false);
        p.put("media.gmp-manager.updateEnabled", false);
        p.put("media.gmp-manager.url", "");
        p.put("network.captive-portal-service.enabled", false);
        p.put("network.connectivity-service.enabled", false);
        p.put("network.dns.disablePrefetch", true);
        p.put("network.prefetch-next", false);
        p.put("network.trr.mode", 5);
        p.put("dom.push.connection.enabled", false);
        p.put("services.settings.server", "data:,");
        p.put("geo.provider.network.url", "");
        return Map.copyOf(p);
    }

    /** A fresh headless browser with its own profile; fails (never skips) when Firefox is missing. */
    public static Firefox start() {
        if (!new File(BROWSER).canExecute()) {
            throw new IllegalStateException(BROWSER + " not found. Install it with: "
                    + "apt-get install -y firefox-esr (conf/test.sh does this for you)");
        }
        Path profile;
        Path log;
        try {
            profile = Files.createTempDirectory("chorus-firefox-");
            StringBuilder userJs = new StringBuilder();
            PREFS.forEach((k, v) -> userJs.append("user_pref(\"")
                    .append(k)
                    .append("\", ")
                    .append(v instanceof String s ? "\"" + s + "\"" : v)
                    .append(");\n"));
            Files.writeString(profile.resolve("user.js"), userJs);
            Path logs = Files.createDirectories(Path.of("target", "firefox"));
            log = logs.resolve(profile.getFileName() + ".log");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare a Firefox profile", e);
        }
        ProcessBuilder pb = new ProcessBuilder(
                        BROWSER,
                        "--headless",
                        "--no-remote",
                        "--remote-debugging-port=0",
                        "--profile",
                        profile.toString(),
                        "about:blank")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().put("MOZ_CRASHREPORTER_DISABLE", "1");
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            deleteTree(profile);
            throw new UncheckedIOException("cannot start " + BROWSER, e);
        }
        Firefox firefox = new Firefox(process, profile, log);
        try {
            firefox.connect(firefox.awaitEndpoint());
            return firefox;
        } catch (RuntimeException e) {
            firefox.close();
            throw e;
        }
    }

    /** Firefox prints its BiDi address on stderr once the remote agent listens. */
    private URI awaitEndpoint() {
        long deadline = System.nanoTime() + START_WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            Matcher m = LISTENING.matcher(logText());
            if (m.find()) return URI.create(m.group(1) + "/session");
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "firefox exited (" + process.exitValue() + ") before its remote agent listened: " + logText());
            }
            sleep(100);
        }
        throw new IllegalStateException("firefox printed no 'WebDriver BiDi listening on' within "
                + START_WAIT.toSeconds() + " s: " + logText());
    }

    private void connect(URI endpoint) {
        bidi = BidiConnection.open(endpoint, this::event, COMMAND_WAIT);
        ObjectNode caps = bidi.params();
        caps.putObject("capabilities");
        bidi.send("session.new", caps, COMMAND_WAIT);
        ObjectNode sub = bidi.params();
        sub.putArray("events").add("log.entryAdded");
        bidi.send("session.subscribe", sub, COMMAND_WAIT);
        ObjectNode tree = bidi.params();
        tree.put("maxDepth", 0);
        firstContext = bidi.send("browsingContext.getTree", tree, COMMAND_WAIT)
                .path("contexts")
                .path(0)
                .path("context")
                .asText(null);
        if (firstContext == null) throw new IllegalStateException("firefox has no browsing context");
    }

    /** Console messages and uncaught errors, kept per page for {@link #consoleOf}. */
    private void event(JsonNode message) {
        if (!"log.entryAdded".equals(message.path("method").asText())) return;
        JsonNode p = message.path("params");
        String context = p.path("source").path("context").asText("");
        console.computeIfAbsent(context, c -> new CopyOnWriteArrayList<>())
                .add(p.path("level").asText() + " " + p.path("text").asText());
    }

    /**
     * A browsing context for a new page: the browser's first tab, then new windows (each its own
     * foreground page, so none is throttled as a background tab would be).
     */
    public String openContext() {
        if (firstContext != null) {
            String c = firstContext;
            firstContext = null;
            return c;
        }
        ObjectNode p = bidi.params();
        p.put("type", "window");
        return bidi.send("browsingContext.create", p, COMMAND_WAIT)
                .path("context")
                .asText();
    }

    /**
     * Runs {@code functionDeclaration} (e.g. {@code "() => { ... }"}) in every document the page loads
     * from now on, before the page's own scripts.
     */
    public void addPreloadScript(String context, String functionDeclaration) {
        ObjectNode p = bidi.params();
        p.put("functionDeclaration", functionDeclaration);
        p.putArray("contexts").add(context);
        bidi.send("script.addPreloadScript", p, COMMAND_WAIT);
    }

    /** Loads {@code url} in the page and waits for its load event. */
    public void navigate(String context, String url) {
        ObjectNode p = bidi.params();
        p.put("context", context);
        p.put("url", url);
        p.put("wait", "complete");
        bidi.send("browsingContext.navigate", p, COMMAND_WAIT);
    }

    /** The page's viewport in CSS pixels, and its device pixel ratio. */
    public void setViewport(String context, int width, int height, double devicePixelRatio) {
        ObjectNode p = bidi.params();
        p.put("context", context);
        p.putObject("viewport").put("width", width).put("height", height);
        p.put("devicePixelRatio", devicePixelRatio);
        bidi.send("browsingContext.setViewport", p, COMMAND_WAIT);
    }

    /**
     * Runs {@code body} as the body of an async function in the page, with {@code args} (JSON values,
     * passed as JSON text) in scope as the array {@code args}, and returns its awaited result as JSON
     * (null for undefined). The result crosses as one JSON string, not as BiDi remote values.
     */
    public JsonNode call(String context, String body, Object... args) {
        ObjectNode p = bidi.params();
        p.put(
                "functionDeclaration",
                "async function (...encoded) { const args = encoded.map((a) => JSON.parse(a));"
                        + " const value = await (async () => {\n" + body + "\n})();"
                        + " return JSON.stringify(value === undefined ? null : value); }");
        ArrayNode arguments = p.putArray("arguments");
        for (Object a : args) {
            try {
                arguments.addObject().put("type", "string").put("value", json.writeValueAsString(a));
            } catch (IOException e) {
                throw new IllegalArgumentException("not JSON-able: " + a, e);
            }
        }
        p.putObject("target").put("context", context);
        p.put("awaitPromise", true);
        p.put("resultOwnership", "none");
        JsonNode r = bidi.send("script.callFunction", p, COMMAND_WAIT);
        if (!"success".equals(r.path("type").asText())) {
            JsonNode d = r.path("exceptionDetails");
            throw new BidiConnection.BidiException(
                    "script threw: " + d.path("text").asText() + " at line "
                            + d.path("lineNumber").asInt() + "; stack " + d.path("stackTrace"));
        }
        try {
            return json.readTree(r.path("result").path("value").asText("null"));
        } catch (IOException e) {
            throw new IllegalStateException("script result is not JSON: " + r, e);
        }
    }

    /** The page as a PNG. */
    public byte[] screenshot(String context) {
        ObjectNode p = bidi.params();
        p.put("context", context);
        String data = bidi.send("browsingContext.captureScreenshot", p, COMMAND_WAIT)
                .path("data")
                .asText();
        return Base64.getDecoder().decode(data);
    }

    /** What the page logged to its console (and its uncaught errors), oldest first. */
    public List<String> consoleOf(String context) {
        return new ArrayList<>(console.getOrDefault(context, List.of()));
    }

    /** Closes one page. Never throws. */
    public void closeContext(String context) {
        try {
            ObjectNode p = bidi.params();
            p.put("context", context);
            bidi.send("browsingContext.close", p, Duration.ofSeconds(10));
        } catch (RuntimeException e) {
            System.err.println("firefox " + profile + ": page did not close (" + e.getMessage() + ")");
        }
    }

    private String logText() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    /**
     * Ends the browser: asks it to close, then ends by PID every process it started (taken before it
     * goes, as its children are re-parented once it exits) and the browser itself, and deletes the
     * profile. Never throws.
     */
    @Override
    public void close() {
        List<ProcessHandle> tree = process.descendants().toList();
        if (bidi != null) {
            try {
                bidi.send("browser.close", bidi.params(), Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                // The browser may close the socket before it answers.
            }
            bidi.close();
        }
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                System.err.println("firefox " + profile + " did not quit; ending its processes");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Stream.concat(tree.stream(), process.descendants())
                .filter(ProcessHandle::isAlive)
                .forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deleteTree(profile);
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            System.err.println("firefox: could not delete profile " + dir + ": " + e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
