package dev.chorus.sfu.sdp;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Offers captured from headless Chromium 156, and one written by hand in Firefox's shape (see
 * src/test/resources/sdp/README.md).
 */
final class Fixtures {
    static final String PUBLISH = "chrome-publish.sdp";
    static final String PUBLISH_RECEIVE = "chrome-publish-receive.sdp";
    static final String RENEGOTIATE_STOPPED = "chrome-renegotiate-stopped.sdp";
    static final String SIMULCAST = "chrome-simulcast.sdp";
    static final String FIREFOX_LIKE_SIMULCAST = "firefox-like-simulcast.sdp";

    private Fixtures() {}

    static String text(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/sdp/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static SessionDescription parsed(String name) {
        try {
            return SdpParser.parse(text(name));
        } catch (SdpException e) {
            throw new AssertionError(name + " does not parse", e);
        }
    }
}
