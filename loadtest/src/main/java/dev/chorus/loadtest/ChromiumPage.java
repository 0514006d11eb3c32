package dev.chorus.loadtest;

/**
 * One Chromium bot page: where it goes (room, name, publisher or subscriber, how many videos it should
 * receive, which browser holds it) and what was last read from it. {@code latest} is written by its
 * browser's thread, the rest by the sampling thread.
 */
final class ChromiumPage {
    final int index;
    final String room;
    final String name;
    final boolean publisher;
    final int expectedVideos;
    final int browser;
    volatile String handle;
    volatile String failure;
    volatile boolean openDone;
    volatile PageSnapshot latest = PageSnapshot.EMPTY;
    PageSnapshot used = PageSnapshot.EMPTY;
    PageSnapshot steadyStart;
    PageSnapshot steadyEnd;

    ChromiumPage(int index, String room, String name, boolean publisher, int expectedVideos, int browser) {
        this.index = index;
        this.room = room;
        this.name = name;
        this.publisher = publisher;
        this.expectedVideos = expectedVideos;
        this.browser = browser;
    }

    String role() {
        return publisher ? "publisher" : "subscriber";
    }

    boolean failed() {
        return failure != null || latest.mediaFailed();
    }
}
