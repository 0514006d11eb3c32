package dev.chorus.sfu.conference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import dev.chorus.sfu.cc.BandwidthEstimator;
import dev.chorus.sfu.forward.CongestionConfig;
import dev.chorus.sfu.forward.RouterConfig;
import dev.chorus.sfu.transport.TransportConfig;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MediaConfigTest {

    private static final Config REFERENCE =
            ConfigFactory.defaultReferenceUnresolved().withOnlyPath(MediaConfig.PATH);

    /** The reference configuration with some keys overridden, as an operator's file would. */
    private static MediaConfig with(String hocon) {
        return MediaConfig.from(
                ConfigFactory.parseString(hocon).withFallback(REFERENCE).resolve());
    }

    private static String failure(String hocon) {
        return assertThrows(IllegalArgumentException.class, () -> with(hocon)).getMessage();
    }

    @Test
    void everyKeyOfReferenceConfHasAReader() {
        for (String key : REFERENCE.getConfig(MediaConfig.PATH).root().keySet()) {
            Config broken = ConfigFactory.parseMap(Map.of(MediaConfig.PATH + "." + key, Map.of("not", "a value")))
                    .withFallback(REFERENCE)
                    .resolve();
            ConfigException e = assertThrows(
                    ConfigException.class,
                    () -> MediaConfig.from(broken),
                    "chorus.media." + key + " is in reference.conf but nothing reads it");
            assertTrue(e.getMessage().contains(key), e.getMessage());
        }
    }

    @Test
    void settingsObjectsAreTheOnesReadFromTheKeys() {
        MediaConfig m = with("chorus.media { rtcp-report-interval = 2s, rtcp-cname = \"sfu-7\","
                + " transport-cc-feedback-interval = 100ms, min-bitrate = 20000, max-bitrate = 20000000,"
                + " start-bitrate = 1000000, congestion-control = false, workers = 3, port = 0,"
                + " public-address = \"203.0.113.9\", public-port = 40000, consent-timeout = 5s,"
                + " simulcast = false }");
        RouterConfig router = m.router();
        assertEquals(2000, router.rtcpIntervalMillis());
        assertEquals("sfu-7", router.cname());
        CongestionConfig cc = router.congestion();
        assertSame(m.congestion(), cc);
        assertEquals(false, cc.enabled());
        assertEquals(100, cc.feedbackIntervalMillis());
        assertEquals(new BandwidthEstimator.Settings(1_000_000, 20_000, 20_000_000), cc.estimator());
        assertSame(m.estimator(), cc.estimator());
        TransportConfig t = m.transport();
        assertEquals(0, t.port());
        assertEquals("203.0.113.9", t.advertisedAddress().getHostAddress());
        assertEquals(40000, m.publicPort());
        assertEquals(Duration.ofSeconds(5), t.consentTimeout());
        assertSame(t, m.settings().transport());
        assertSame(router, m.settings().router());
        assertEquals(3, m.settings().workers());
        assertEquals(false, m.simulcast());
        assertEquals(false, m.settings().simulcast());
        assertEquals(
                false,
                with("chorus.media.simulcast = \"false\"").simulcast(),
                "a string, as CHORUS_MEDIA_SIMULCAST=false arrives");
        assertEquals(
                Runtime.getRuntime().availableProcessors(),
                with("chorus.media.workers = 0").settings().workers());
        assertNull(with("chorus.media.public-address = \"\"").transport().advertisedAddress());
    }

    @Test
    void defaultsForTestsAndToolsComeFromReferenceConf() {
        MediaConfig reference = MediaConfig.reference();
        assertEquals(reference.router(), RouterConfig.defaults());
        assertEquals(reference.congestion(), CongestionConfig.defaults());
        assertEquals(reference.estimator(), BandwidthEstimator.Settings.defaults());
        assertEquals(reference.port(), TransportConfig.builder().build().port());
        assertEquals(
                reference.transport().consentTimeout(),
                TransportConfig.builder().build().consentTimeout());
        assertEquals(true, reference.simulcast(), "simulcast is accepted unless turned off");
        assertEquals(
                reference.simulcast(),
                new MediaService.Settings(reference.transport(), 1, 1, 64, reference.router()).simulcast());
        assertEquals(7, reference.router().withDefaultRtt(7).defaultRttMillis());
        assertEquals(
                reference.router().cname(), reference.router().withDefaultRtt(7).cname());
    }

    @Test
    void aBuilderLeftIncompleteNamesWhatIsMissing() {
        IllegalStateException router = assertThrows(
                IllegalStateException.class,
                () -> new RouterConfig.Builder().rtcpIntervalMillis(1000).build());
        assertTrue(router.getMessage().contains("pliMinIntervalMillis"), router.getMessage());
        IllegalStateException transport = assertThrows(
                IllegalStateException.class,
                () -> new TransportConfig.Builder().port(0).build());
        assertTrue(transport.getMessage().contains("bindAddress"), transport.getMessage());
    }

    @Test
    void badValuesFailWithTheKeyNamed() {
        assertTrue(failure("chorus.media.rtcp-report-interval = 0s").contains("chorus.media.rtcp-report-interval"));
        assertTrue(failure("chorus.media.rtcp-cname = \"\"").contains("chorus.media.rtcp-cname"));
        assertTrue(failure("chorus.media.transport-cc-feedback-interval = 5ms")
                .contains("chorus.media.transport-cc-feedback-interval"));
        assertTrue(failure("chorus.media.min-bitrate = 0").contains("chorus.media.min-bitrate"));
        assertTrue(failure("chorus.media { min-bitrate = 100000, max-bitrate = 90000 }")
                .contains("chorus.media.max-bitrate"));
        assertTrue(failure("chorus.media.start-bitrate = 60000000").contains("chorus.media.start-bitrate"));
        assertTrue(failure("chorus.media.workers = -1").contains("chorus.media.workers"));
        assertTrue(failure("chorus.media.queue-capacity = 10").contains("chorus.media.queue-capacity"));
        assertTrue(failure("chorus.media.dtls-timeout = 10ms").contains("chorus.media.dtls-timeout"));
        assertTrue(
                failure("chorus.media.allowed-remotes = [\"example.org/8\"]").contains("chorus.media.allowed-remotes"));
        assertTrue(failure("chorus.media.address = \"0.0.0.0\"").contains("chorus.media.address"));
        assertTrue(failure("chorus.media.audio-red-redundancy = 5").contains("chorus.media.audio-red-redundancy"));
        assertEquals(0, with("chorus.media.audio-red-redundancy = 0").router().audioRedundancy());
        assertEquals(2, MediaConfig.reference().router().audioRedundancy(), "RED, two earlier frames deep");
        assertTrue(failure("chorus.media.video-codecs = [\"VP7\"]").contains("chorus.media.video-codecs"));
        assertTrue(failure("chorus.media.video-codecs = []").contains("chorus.media.video-codecs"));
        assertTrue(failure("chorus.media.video-codecs = [VP8, vp8]").contains("chorus.media.video-codecs"));
    }

    @Test
    void roomVideoCodecsArePreferredVp8ThenH264ThenVp9UnlessConfigured() {
        assertEquals(
                java.util.List.of("VP8", "H264", "VP9", "AV1"),
                MediaConfig.reference().settings().videoCodecs());
        assertEquals(
                java.util.List.of("H264", "VP8"),
                with("chorus.media.video-codecs = [h264, VP8]").settings().videoCodecs(),
                "any case; as CHORUS_MEDIA_VIDEO_CODECS=h264,VP8 arrives");
        assertEquals(
                MediaConfig.reference().settings().videoCodecs(),
                new MediaService.Settings(MediaConfig.reference().transport(), 1, 1, 64, RouterConfig.defaults())
                        .videoCodecs());
    }

    @Test
    void theStartUpLogShowsEveryKey() {
        String logged = MediaConfig.reference().toString();
        for (String key : REFERENCE.getConfig(MediaConfig.PATH).root().keySet()) {
            assertTrue(logged.contains(key + "="), key + " missing from " + logged);
        }
    }
}
