package dev.chorus.sfu.conference;

import dev.chorus.sfu.forward.RouterConfig;
import dev.chorus.sfu.transport.TransportConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A media service on 127.0.0.1 whose control thread is the test's own: tasks the service hands to
 * its control executor (renegotiation requests, transport events) wait in a queue until
 * {@link #runControlTasks()}. Also the offers of {@code src/test/resources/sdp} (captured from Chromium,
 * and one in Firefox's shape).
 */
final class TestConference implements AutoCloseable {
    static final String PUBLISH = "chrome-publish.sdp";
    static final String PUBLISH_RECEIVE = "chrome-publish-receive.sdp";
    static final String RENEGOTIATE_STOPPED = "chrome-renegotiate-stopped.sdp";
    static final String SIMULCAST = "chrome-simulcast.sdp";
    static final String FIREFOX_LIKE_SIMULCAST = "firefox-like-simulcast.sdp";

    final Queue<Runnable> controlTasks = new ConcurrentLinkedQueue<>();
    final MediaService service;

    TestConference(int workers, int queueCapacity) throws IOException {
        this(workers, queueCapacity, MediaConfig.reference().simulcast());
    }

    TestConference(int workers, int queueCapacity, boolean simulcast) throws IOException {
        TransportConfig transport = TransportConfig.builder()
                .port(0)
                .allowRemote("127.0.0.0/8")
                .dtlsHandshakeTimeout(Duration.ofSeconds(5))
                .build();
        service = MediaService.start(
                new MediaService.Settings(transport, workers, 256, queueCapacity, RouterConfig.defaults(), simulcast),
                controlTasks::add);
    }

    void runControlTasks() {
        for (Runnable task = controlTasks.poll(); task != null; task = controlTasks.poll()) {
            task.run();
        }
    }

    static String offer(String fixture) {
        try (InputStream in = TestConference.class.getResourceAsStream("/sdp/" + fixture)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + fixture);
            }
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What a participant was told, in order, e.g. "renegotiate 1 1", "failed router_failed". */
    static final class Events implements MediaSessionListener {
        final List<String> seen = new ArrayList<>();

        @Override
        public void renegotiationNeeded(int audioTracks, int videoTracks) {
            seen.add("renegotiate " + audioTracks + " " + videoTracks);
        }

        @Override
        public void mediaConnected() {
            seen.add("connected");
        }

        @Override
        public void mediaFailed(String reason) {
            seen.add("failed " + reason);
        }

        @Override
        public void mediaLost(String reason) {
            seen.add("lost " + reason);
        }
    }

    @Override
    public void close() {
        service.close();
    }
}
