package dev.chorus.web.browser;

import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Whether the running test (or, in an {@code @AfterAll}, any test of the running class) has failed, so screenshots are
 * taken only when there is a failure to look at: under six pages' load one costs one or two seconds, and the suite
 * took dozens of them on every passing run. Registered for every test class through JUnit's extension autodetection
 * ({@code src/test/resources/META-INF/services}, {@code junit-platform.properties}). Its after-execution callback runs
 * before {@code @AfterEach} methods, where the screenshots are taken.
 */
public final class TestOutcome implements BeforeAllCallback, AfterTestExecutionCallback {
    private static volatile boolean failed;

    @Override
    public void beforeAll(ExtensionContext context) {
        failed = false;
    }

    @Override
    public void afterTestExecution(ExtensionContext context) {
        if (context.getExecutionException().isPresent()) {
            failed = true;
        }
    }

    /** Whether screenshots are taken now: after a failure, or always with {@code -Dchorus.test.screenshots=true}. */
    static boolean wanted() {
        return failed || Boolean.getBoolean("chorus.test.screenshots");
    }

    /** Marks the running class failed: for a test that catches its own failure to take screenshots, then rethrows. */
    static void markFailed() {
        failed = true;
    }
}
