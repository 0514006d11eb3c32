package dev.chorus.web.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

/**
 * A broadcast room through the real web client: a presenter's page and two viewers' pages
 * ({@code /r/<room>?role=viewer}) in one Chromium. The viewers see and hear the presenter, have no
 * camera, mic or screen controls, and are not listed; every page shows "2 watching".
 */
class BroadcastBrowserIT {

    @Test
    void viewersWatchThePresenterAndAreCountedNotListed() throws Exception {
        try (TestServer server = TestServer.start()) {
            Chromium.Started browser = Chromium.start(List.of(), Chromium.Camera.SMALL);
            List<RoomPage> pages = new ArrayList<>();
            try {
                RoomPage presenter =
                        RoomPage.openIn(browser, server.url("/r/talk?name=Ada")).awaitState("joined");
                pages.add(presenter);
                for (int i = 1; i <= 2; i++) {
                    pages.add(RoomPage.openIn(browser, server.url("/r/talk?name=Viewer" + i + "&role=viewer"))
                            .awaitState("joined"));
                }
                String presenterId = presenter.selfId();
                for (RoomPage viewer : pages.subList(1, 3)) {
                    viewer.awaitInbound(List.of(presenterId), "video", "camera", Duration.ofSeconds(60));
                    viewer.awaitInbound(List.of(presenterId), "audio", "mic", Duration.ofSeconds(30));
                    assertEquals(List.of("Ada"), viewer.participantNames(), "only the presenter is listed");
                    assertEquals(Boolean.TRUE, viewer.script("return window.chorus.viewer"));
                    for (String control : List.of("toggle-audio", "toggle-video", "toggle-screen")) {
                        assertFalse(viewer.isDisplayed(control), control + " on a viewer's page");
                    }
                    assertEquals(
                            Boolean.FALSE,
                            viewer.script(
                                    "return [...window.chorus.pc.getTransceivers()]"
                                            + ".some(t => t.currentDirection === 'sendonly' || t.currentDirection === 'sendrecv')"),
                            "a viewer sends nothing");
                    assertTrue(viewer.value("share-link").endsWith("/r/talk?role=viewer"), viewer.value("share-link"));
                }
                for (RoomPage page : pages) {
                    page.await(
                            d -> "2".equals(d.findElement(By.id("viewer-count")).getAttribute("data-count")),
                            "2 viewers counted on every page");
                    assertTrue(page.isDisplayed("viewer-count"));
                }
                assertEquals(List.of("Ada"), presenter.participantNames(), "viewers are not listed");
                assertTrue(presenter.isDisplayed("toggle-video"), "the presenter keeps its controls");

                // A viewer leaving changes the count, not the list.
                pages.remove(2).close();
                presenter.await(
                        d -> "1".equals(d.findElement(By.id("viewer-count")).getAttribute("data-count")),
                        "1 viewer left on the presenter's page");
            } finally {
                pages.forEach(p -> p.screenshot("broadcast-" + pages.indexOf(p)));
                pages.forEach(RoomPage::close);
                browser.quit();
            }
        }
    }
}
