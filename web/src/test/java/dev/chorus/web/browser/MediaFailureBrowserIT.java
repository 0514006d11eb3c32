package dev.chorus.web.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A media plane that cannot connect must say so on the page. The server here only
 * accepts media from 10.255.255.0/24, so the page's ICE checks from 127.0.0.1 are
 * dropped: ICE fails, and the page shows #media-status while chat keeps working.
 */
class MediaFailureBrowserIT {

  @Test
  void iceFailureIsShownAndChatStillWorks() throws Exception {
    try (TestServer server = TestServer.start(Map.of("chorus.media.allowed-remotes.0", "10.255.255.0/24"));
        RoomPage page = RoomPage.open(server.url("/r/nomedia?name=Ada"))) {
      page.awaitState("joined");
      long start = System.nanoTime();
      try {
        new WebDriverWait(page.driver(), Duration.ofSeconds(60))
            .withMessage(() -> "waiting for #media-status failed (is " + page.mediaStatus() + ")")
            .until(d -> page.mediaStatus().startsWith("failed/"));
      } finally {
        page.screenshot("media-failure");
      }
      long ms = (System.nanoTime() - start) / 1_000_000;
      System.out.println("media failure shown after " + ms + " ms: " + page.mediaStatus());
      assertTrue(page.isDisplayed("media-status"));
      assertTrue(page.mediaStatus().contains("could not connect"), page.mediaStatus());
      page.sendChat("still here");
      page.awaitChat(java.util.List.of("still here"));
      assertEquals("joined", page.state());
    }
  }
}
