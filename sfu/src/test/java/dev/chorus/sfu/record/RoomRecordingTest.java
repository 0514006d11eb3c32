package dev.chorus.sfu.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.sfu.codec.Codec;
import dev.chorus.sfu.worker.ManualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RoomRecordingTest {
    /** Keeps the drain task instead of running it: the test drains by hand, with its own clock. */
    static final class HeldDrain extends ScheduledThreadPoolExecutor {
        Runnable drain;

        HeldDrain() {
            super(1);
        }

        @Override
        public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit u) {
            drain = command;
            return super.schedule(() -> {}, 1, TimeUnit.DAYS);
        }
    }

    /** NTP time of 2026-01-01 plus {@code millis}, as a sender report carries it. */
    private static long ntp(long millis) {
        long seconds = 3_976_214_400L + millis / 1000;
        return seconds << 32 | ((millis % 1000) << 32) / 1000;
    }

    @TempDir
    Path dir;

    private final HeldDrain executor = new HeldDrain();
    private final ManualClock clock = new ManualClock(5_000_000_000L);
    private final AtomicInteger ends = new AtomicInteger();

    @AfterEach
    void shutdown() {
        executor.shutdownNow();
    }

    @Test
    void aPublishersAudioAndVideoBecomeTwoPlayableFilesAlignedByTheirSenderReports() throws Exception {
        List<MediaTools.Frame> video = MediaTools.vp8(dir, 4, 30);
        List<MediaTools.Frame> audio = MediaTools.opus(dir, 4);
        RoomRecording rec = RoomRecording.start(
                "r1", "rec1", dir.resolve("out/r1"), executor, clock, Instant.EPOCH, r -> ends.incrementAndGet());
        TrackTap a = rec.addTrack(new TrackInfo("r1", "alice", "a1", Codec.OPUS, "mic"));
        TrackTap v = rec.addTrack(new TrackInfo("r1", "alice", "v1", Codec.VP8, "camera"));
        executor.drain.run();
        assertTrue(v.keyframeWanted());
        // The publisher's RTP clocks start at random values; its reports tie both to one NTP clock. The server's
        // clock reads 5 s when alice's NTP clock reads 0 (the first report arrives 0 ms after it was sent).
        long audioBase = 123_456_789L;
        long videoBase = 4_000_000_000L;
        // Video starts 500 ms after audio on alice's clock; the recording started at 5 s server time.
        a.offerSenderReport(ntp(0), audioBase, clock.nowNanos());
        v.offerSenderReport(ntp(0), videoBase, clock.nowNanos());
        List<Vp8DepacketizerTest.Packet> packets = Vp8DepacketizerTest.packetize(
                video.stream().map(MediaTools.Frame::data).toList(), 1000, 70_000);
        int ai = 0;
        int vi = 0;
        long seqA = 1;
        for (long ms = 0; ms < 4600; ms += 10) {
            clock.advanceMillis(10);
            while (ai < audio.size() && audio.get(ai).pts() / 48 <= ms) {
                byte[] d = audio.get(ai).data();
                a.offerRtp(seqA++, audioBase + audio.get(ai).pts(), true, d, 0, d.length, clock.nowNanos());
                ai++;
            }
            while (vi < packets.size() && ms >= 500 + packets.get(vi).ts() / 90) {
                Vp8DepacketizerTest.Packet p = packets.get(vi);
                long ts = videoBase + 45_000 + p.ts(); // 500 ms after the audio's first sample
                v.offerRtp(
                        p.seq(), ts & 0xFFFF_FFFFL, p.marker(), p.payload(), 0, p.payload().length, clock.nowNanos());
                vi++;
            }
            if (ms % 20 == 0) {
                executor.drain.run();
            }
        }
        assertTrue(!v.keyframeWanted());
        rec.stop();
        executor.drain.run();
        assertEquals(1, ends.get());
        assertTrue(rec.isEnded());

        JsonNode manifest =
                new ObjectMapper().readTree(dir.resolve("out/r1/manifest.json").toFile());
        assertEquals("stopped", manifest.get("state").asText());
        JsonNode tracks = manifest.get("participants").get(0).get("tracks");
        assertEquals("alice", manifest.get("participants").get(0).get("id").asText());
        JsonNode at = tracks.get(0);
        JsonNode vt = tracks.get(1);
        assertEquals(0.0, at.get("startOffsetMillis").asDouble(), 1.0);
        assertEquals(500.0, vt.get("startOffsetMillis").asDouble(), 1.0);
        assertEquals(0, vt.get("dropped").get("framesLost").asLong());
        assertEquals(0, vt.get("dropped").get("busy").asLong());

        Path audioFile = dir.resolve("out/r1").resolve(at.get("file").asText());
        Path videoFile = dir.resolve("out/r1").resolve(vt.get("file").asText());
        JsonNode ap = MediaTools.probe(audioFile);
        JsonNode vp = MediaTools.probe(videoFile);
        assertEquals(audio.size(), ai);
        assertEquals(
                audio.size(), ap.get("streams").get(0).get("nb_read_frames").asInt());
        assertEquals(
                video.size(), vp.get("streams").get(0).get("nb_read_frames").asInt());
        assertEquals(audio.size() * 0.020, ap.get("format").get("duration").asDouble(), 0.05);
        assertEquals(4.0, vp.get("format").get("duration").asDouble(), 0.05);
        assertEquals("", MediaTools.decodeErrors(audioFile));
        assertEquals("", MediaTools.decodeErrors(videoFile));
    }

    @Test
    void framesWaitForTheFirstSenderReportAndVideoForAKeyframeAfterALoss() throws Exception {
        List<MediaTools.Frame> video = MediaTools.vp8(dir, 2, 30);
        RoomRecording rec = RoomRecording.start(
                "r1", "rec2", dir.resolve("rec2"), executor, clock, Instant.EPOCH, r -> ends.incrementAndGet());
        TrackTap v = rec.addTrack(new TrackInfo("r1", "bob", "v1", Codec.VP8, "camera"));
        executor.drain.run();
        List<Vp8DepacketizerTest.Packet> packets = Vp8DepacketizerTest.packetize(
                video.stream().map(MediaTools.Frame::data).toList(), 1000, 0);
        for (Vp8DepacketizerTest.Packet p : packets) {
            if (p.ts() == 3000L * 10) {
                // The first report: frames 0-9 waited for it, and are written now, from the keyframe at 0.
                v.offerSenderReport(ntp(0), 0, clock.nowNanos());
            }
            if (p.ts() / 3000 == 45 && p.marker()) {
                continue; // frame 45's end is lost: no frame after it decodes until a keyframe (none comes)
            }
            v.offerRtp(p.seq(), p.ts(), p.marker(), p.payload(), 0, p.payload().length, clock.nowNanos());
            clock.advanceMillis(5);
            executor.drain.run();
        }
        clock.advanceMillis(1000);
        executor.drain.run();
        assertTrue(v.keyframeWanted()); // after the loss
        rec.stop();
        executor.drain.run();
        JsonNode t = rec.manifest().get("participants").get(0).get("tracks").get(0);
        assertEquals(10, t.get("framesHeldForSenderReport").asLong());
        assertEquals("senderReport", t.get("timedBy").asText());
        assertEquals(14, t.get("dropped").get("beforeKeyframe").asLong()); // frames 46-59
        assertEquals(1, t.get("dropped").get("framesLost").asLong());
        assertEquals(45, t.get("frames").asLong());
        Path file = dir.resolve("rec2").resolve(t.get("file").asText());
        assertEquals(
                45,
                MediaTools.probe(file)
                        .get("streams")
                        .get(0)
                        .get("nb_read_frames")
                        .asInt());
        assertEquals("", MediaTools.decodeErrors(file));
    }

    @Test
    void aPublisherThatSendsNoSenderReportsIsTimedByArrival() throws Exception {
        RoomRecording rec = RoomRecording.start(
                "r1", "rec4", dir.resolve("rec4"), executor, clock, Instant.EPOCH, r -> ends.incrementAndGet());
        TrackTap a = rec.addTrack(new TrackInfo("r1", "dave", "a1", Codec.OPUS, "mic"));
        executor.drain.run();
        clock.advanceMillis(200); // the first packet comes 200 ms into the recording
        byte[] frame = {(byte) 0xFC, 1, 2, 3};
        for (int i = 0; i < 200; i++) {
            a.offerRtp(i, 5000 + 960L * i, true, frame, 0, frame.length, clock.nowNanos());
            clock.advanceMillis(20);
            executor.drain.run();
        }
        JsonNode t = rec.manifest().get("participants").get(0).get("tracks").get(0);
        assertEquals("arrival", t.get("timedBy").asText());
        assertEquals(200.0, t.get("startOffsetMillis").asDouble(), 0.5);
        assertEquals(200, t.get("frames").asLong());
        assertEquals(4000, t.get("durationMillis").asLong());
        rec.stop();
        executor.drain.run();
    }

    @Test
    void aSwitchToAnotherSimulcastLayerGoesOnFromItsKeyframeOnItsOwnClock() throws Exception {
        List<MediaTools.Frame> video = MediaTools.vp8(dir, 2, 30);
        RoomRecording rec = RoomRecording.start(
                "r1", "rec5", dir.resolve("rec5"), executor, clock, Instant.EPOCH, r -> ends.incrementAndGet());
        TrackTap v = rec.addTrack(new TrackInfo("r1", "erin", "v1", Codec.VP8, "camera"));
        executor.drain.run();
        List<Vp8DepacketizerTest.Packet> packets = Vp8DepacketizerTest.packetize(
                video.stream().map(MediaTools.Frame::data).toList(), 1000, 0);
        // Layer A (frames 0-29) from sequence 0 and RTP time 0; then layer B, whose own numbering starts at 40000
        // and its RTP clock at 7,000,000, from frame 30 (a keyframe). Both layers' reports say NTP 0 is RTP base.
        v.offerSenderReport(ntp(0), 0, clock.nowNanos());
        boolean switched = false;
        for (Vp8DepacketizerTest.Packet p : packets) {
            long frame = p.ts() / 3000;
            long seq = p.seq();
            long ts = p.ts();
            if (frame >= 30) {
                if (!switched) {
                    switched = true;
                    v.offerLayerSwitch(clock.nowNanos());
                    v.offerSenderReport(ntp(0), 7_000_000L, clock.nowNanos());
                }
                seq += 40_000;
                ts += 7_000_000L;
            }
            v.offerRtp(seq, ts, p.marker(), p.payload(), 0, p.payload().length, clock.nowNanos());
            clock.advanceMillis(5);
            executor.drain.run();
        }
        rec.stop();
        executor.drain.run();
        JsonNode t = rec.manifest().get("participants").get(0).get("tracks").get(0);
        assertEquals(1, t.get("layerSwitches").asLong());
        assertEquals(60, t.get("frames").asLong());
        assertEquals(0, t.get("dropped").get("framesLost").asLong());
        Path file = dir.resolve("rec5").resolve(t.get("file").asText());
        JsonNode probe = MediaTools.probe(file);
        assertEquals(60, probe.get("streams").get(0).get("nb_read_frames").asInt());
        assertEquals(2.0, probe.get("format").get("duration").asDouble(), 0.05, "one timeline across the switch");
        assertEquals("", MediaTools.decodeErrors(file));
    }

    @Test
    void aTrackEndedEarlyIsClosedAndTheOthersGoOn() throws Exception {
        RoomRecording rec = RoomRecording.start(
                "r1", "rec3", dir.resolve("rec3"), executor, clock, Instant.EPOCH, r -> ends.incrementAndGet());
        TrackTap a = rec.addTrack(new TrackInfo("r1", "carol", "a1", Codec.OPUS, "mic"));
        executor.drain.run();
        a.offerSenderReport(ntp(0), 0, clock.nowNanos());
        byte[] frame = {(byte) 0xFC, 1, 2, 3}; // config 31 (CELT 20 ms), one frame
        for (int i = 0; i < 50; i++) {
            a.offerRtp(i, 960L * i, true, frame, 0, frame.length, clock.nowNanos());
        }
        a.offerRtp(20, 960L * 20, true, frame, 0, frame.length, clock.nowNanos()); // a late copy: left out
        executor.drain.run();
        rec.trackEnded("a1");
        executor.drain.run();
        assertTrue(a.isClosed());
        a.offerRtp(50, 960L * 50, true, frame, 0, frame.length, clock.nowNanos()); // ignored
        JsonNode t = rec.manifest().get("participants").get(0).get("tracks").get(0);
        assertEquals("ended", t.get("state").asText());
        assertEquals(50, t.get("frames").asLong());
        assertEquals(1, t.get("dropped").get("late").asLong());
        assertEquals(1000, t.get("durationMillis").asLong());
        assertEquals(0, ends.get());
        rec.stop();
        executor.drain.run();
        assertEquals(1, ends.get());
        assertTrue(Files.exists(dir.resolve("rec3").resolve(t.get("file").asText())));
    }

    @Test
    void aFullTapCountsItsDropsAndNeverWaits() {
        TrackTap tap = new TrackTap(4);
        byte[] b = new byte[100];
        for (int i = 0; i < 10; i++) {
            tap.offerRtp(i, 0, false, b, 0, b.length, 0);
        }
        assertEquals(6, tap.droppedBusy());
        TrackTap.Slot s = tap.poll();
        tap.release(s);
        tap.offerRtp(11, 0, false, b, 0, b.length, 0);
        assertEquals(6, tap.droppedBusy());
    }
}
