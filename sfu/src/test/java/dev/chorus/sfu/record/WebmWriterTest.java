package dev.chorus.sfu.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WebmWriterTest {
    @TempDir
    Path dir;

    @Test
    void vp8FramesMakeAFileFfprobeReadsWithEveryFrameDecodable() throws Exception {
        List<MediaTools.Frame> frames = MediaTools.vp8(dir, 3, 45);
        Path file = dir.resolve("v.webm");
        try (WebmWriter w = WebmWriter.create(file, new WebmWriter.Vp8(320, 240))) {
            for (MediaTools.Frame f : frames) {
                w.write(f.pts() / 90, 33, f.keyframe(), f.data(), 0, f.data().length);
            }
            assertEquals(90, w.frames());
        }
        JsonNode probe = MediaTools.probe(file);
        JsonNode stream = probe.get("streams").get(0);
        assertEquals("vp8", stream.get("codec_name").asText());
        assertEquals(320, stream.get("width").asInt());
        assertEquals(240, stream.get("height").asInt());
        assertEquals(90, stream.get("nb_read_frames").asInt());
        assertEquals(3.0, probe.get("format").get("duration").asDouble(), 0.05);
        assertEquals("", MediaTools.decodeErrors(file));
    }

    @Test
    void opusFramesMakeAFileFfprobeReads() throws Exception {
        List<MediaTools.Frame> frames = MediaTools.opus(dir, 2);
        Path file = dir.resolve("a.webm");
        try (WebmWriter w = WebmWriter.create(file, new WebmWriter.Opus(2))) {
            for (MediaTools.Frame f : frames) {
                w.write(f.pts() / 48, 20, true, f.data(), 0, f.data().length);
            }
        }
        JsonNode probe = MediaTools.probe(file);
        JsonNode stream = probe.get("streams").get(0);
        assertEquals("opus", stream.get("codec_name").asText());
        assertEquals(48000, stream.get("sample_rate").asInt());
        assertEquals(frames.size(), stream.get("nb_read_frames").asInt());
        assertEquals(frames.size() * 0.020, probe.get("format").get("duration").asDouble(), 0.05);
        assertEquals("", MediaTools.decodeErrors(file));
    }

    @Test
    void aClosedFileHasCuesForItsKeyframeClustersThatTheSeekHeadNamesAndFfmpegSeeksBy() throws Exception {
        List<MediaTools.Frame> frames = MediaTools.vp8(dir, 3, 45); // keyframes at 0 and 1.5 s
        Path file = dir.resolve("cues.webm");
        try (WebmWriter w = WebmWriter.create(file, new WebmWriter.Vp8(320, 240), 500)) {
            for (MediaTools.Frame f : frames) {
                w.write(f.pts() / 90, 33, f.keyframe(), f.data(), 0, f.data().length);
            }
            assertEquals(2, w.cuePoints(), "the clusters at 0 and 1.5 s");
        }
        byte[] b = Files.readAllBytes(file);
        EbmlReaderForTests.Element segment = EbmlReaderForTests.read(b).get(1);
        int segmentData = segment.dataStart();
        List<EbmlReaderForTests.Element> clusters = segment.children(Webm.CLUSTER);
        assertEquals(6, clusters.size()); // half-second clusters
        EbmlReaderForTests.Element cues = segment.child(Webm.CUES);
        List<EbmlReaderForTests.Element> points = cues.children(Webm.CUE_POINT);
        assertEquals(2, points.size(), "one per cluster that starts on a keyframe");
        assertEquals(0, points.get(0).child(Webm.CUE_TIME).uint());
        assertEquals(1500, points.get(1).child(Webm.CUE_TIME).uint(), 1);
        for (EbmlReaderForTests.Element p : points) {
            EbmlReaderForTests.Element track = p.child(Webm.CUE_TRACK_POSITIONS);
            assertEquals(1, track.child(Webm.CUE_TRACK).uint());
            long at = segmentData + track.child(Webm.CUE_CLUSTER_POSITION).uint();
            EbmlReaderForTests.Element cluster = clusters.stream()
                    .filter(c -> c.start(4 + 8) == at)
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no cluster at " + at));
            assertEquals(
                    p.child(Webm.CUE_TIME).uint(),
                    cluster.child(Webm.CLUSTER_TIMESTAMP).uint());
            assertEquals(0x80, b[cluster.child(Webm.SIMPLE_BLOCK).dataStart() + 3] & 0x80, "a keyframe block");
        }
        EbmlReaderForTests.Element seek = segment.child(Webm.SEEK_HEAD).child(Webm.SEEK);
        assertEquals(
                cues.start(4 + 8) - segmentData, seek.child(Webm.SEEK_POSITION).uint(), "the SeekHead names the Cues");
        assertEquals("", MediaTools.decodeErrors(file));
        // ffprobe seeks: asked for 2 s, it reads from the keyframe at 1.5 s.
        String seeked = MediaTools.runSplit(
                dir,
                "ffprobe",
                "-v",
                "error",
                "-read_intervals",
                "2%+#1",
                "-show_entries",
                "packet=pts_time,flags",
                "-of",
                "csv=p=0",
                file.toString())[0]
                .trim();
        assertTrue(seeked.startsWith("1.500000,K"), seeked);

        // Audio: every cluster can be started at.
        List<MediaTools.Frame> opus = MediaTools.opus(dir, 2);
        Path audio = dir.resolve("cues-a.webm");
        try (WebmWriter w = WebmWriter.create(audio, new WebmWriter.Opus(2), 500)) {
            for (MediaTools.Frame f : opus) {
                w.write(f.pts() / 48, 20, true, f.data(), 0, f.data().length);
            }
        }
        EbmlReaderForTests.Element audioSegment =
                EbmlReaderForTests.read(Files.readAllBytes(audio)).get(1);
        assertEquals(
                audioSegment.children(Webm.CLUSTER).size(),
                audioSegment.child(Webm.CUES).children(Webm.CUE_POINT).size());
        assertEquals("", MediaTools.decodeErrors(audio));
    }

    @Test
    void aFileCutAnywhereAfterItsFirstClusterStillPlaysItsCompleteClusters() throws Exception {
        List<MediaTools.Frame> frames = MediaTools.vp8(dir, 3, 300);
        Path file = dir.resolve("crash.webm");
        // Never closed, as after a crash: the clusters written so far are all the file has.
        WebmWriter w = WebmWriter.create(file, new WebmWriter.Vp8(320, 240), 500);
        for (MediaTools.Frame f : frames) {
            w.write(f.pts() / 90, 33, f.keyframe(), f.data(), 0, f.data().length);
        }
        long clusters = w.clusters();
        assertEquals(5, clusters); // 6 half-second clusters, the last not written yet
        byte[] whole = Files.readAllBytes(file);
        Path cut = dir.resolve("cut.webm");
        Files.write(cut, MediaTools.copyOf(whole, whole.length - 100)); // and a full disk cut the last one short
        JsonNode probe = MediaTools.probe(file);
        assertEquals(75, probe.get("streams").get(0).get("nb_read_frames").asInt());
        // The Duration is brought up to date after each cluster: 75 frames of 33 ms.
        assertEquals(2.5, probe.get("format").get("duration").asDouble(), 0.05);
        JsonNode cutProbe = MediaTools.probe(cut);
        int decoded = cutProbe.get("streams").get(0).get("nb_read_frames").asInt();
        assertTrue(decoded >= 60 && decoded <= 75, "frames of the cut file: " + decoded);
    }

    @Test
    void aKeyframeStartsANewClusterAndTimeRunsForwardOnly() throws Exception {
        Path file = dir.resolve("k.webm");
        byte[] key = {0x10, 0, 0, (byte) 0x9d, 0x01, 0x2a, 0x40, 0x01, (byte) 0xf0, 0};
        byte[] delta = {0x11, 0, 0};
        try (WebmWriter w = WebmWriter.create(file, new WebmWriter.Vp8(320, 240))) {
            w.write(0, 33, true, key, 0, key.length);
            w.write(33, 33, false, delta, 0, delta.length);
            w.write(20, 33, false, delta, 0, delta.length); // before the last: taken as 1 ms after it
            assertEquals(67, w.durationMillis());
            w.write(34, 33, false, delta, 0, delta.length); // the same time: 1 ms after it too
            assertEquals(68, w.durationMillis());
            w.write(100, 33, true, key, 0, key.length);
            assertEquals(1, w.clusters());
        }
        List<EbmlReaderForTests.Element> top = EbmlReaderForTests.read(Files.readAllBytes(file));
        assertEquals(2, top.size()); // EBML header and Segment
        EbmlReaderForTests.Element segment = top.get(1);
        assertEquals(Webm.SEGMENT, segment.id());
        assertEquals(Files.size(file), segment.end()); // its size was written at close
        List<EbmlReaderForTests.Element> clusters = segment.children(Webm.CLUSTER);
        assertEquals(2, clusters.size());
        assertEquals(0, clusters.get(0).child(Webm.CLUSTER_TIMESTAMP).uint());
        assertEquals(100, clusters.get(1).child(Webm.CLUSTER_TIMESTAMP).uint());
        List<EbmlReaderForTests.Element> blocks = clusters.get(0).children(Webm.SIMPLE_BLOCK);
        assertEquals(4, blocks.size());
        assertEquals(34, blocks.get(2).blockOffset());
        assertEquals(35, blocks.get(3).blockOffset());
        assertEquals(133.0, segment.child(Webm.INFO).child(Webm.DURATION).float64());
    }

    @Test
    void anExistingFileIsNeverOverwritten() throws Exception {
        Path file = dir.resolve("x.webm");
        Files.writeString(file, "keep");
        assertThrows(FileAlreadyExistsException.class, () -> WebmWriter.create(file, new WebmWriter.Opus(2)));
        assertEquals("keep", Files.readString(file));
    }

    @Test
    void sizesAreShortestVintsAndAllOnesIsLeftForUnknown() {
        EbmlBuffer b = new EbmlBuffer(16);
        b.size(0);
        b.size(126);
        b.size(127); // 0xFF would mean unknown: two bytes
        b.size(300);
        assertEquals("80fe407f412c", hex(b));
        b.clear();
        b.sizeOfLength(EbmlBuffer.UNKNOWN_SIZE, 8);
        assertEquals("01ffffffffffffff", hex(b));
        b.clear();
        b.uint(Webm.TIMESTAMP_SCALE, 1_000_000);
        assertEquals("2ad7b1830f4240", hex(b));
    }

    private static String hex(EbmlBuffer b) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < b.length(); i++) {
            s.append(String.format("%02x", b.array()[i] & 0xFF));
        }
        return s.toString();
    }
}
