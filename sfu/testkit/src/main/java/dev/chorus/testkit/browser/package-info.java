/** What a test's headless Chromium is started with (the drivers live with the tests that use them). */
package dev.chorus.testkit.browser;
