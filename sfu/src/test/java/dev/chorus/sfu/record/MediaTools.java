package dev.chorus.sfu.record;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Real VP8 and Opus frames for tests, encoded by ffmpeg (Debian's, which conf/test.sh installs), and ffprobe's
 * verdict on the files the recorder writes.
 */
final class MediaTools {
    private MediaTools() {}

    /** One encoded frame and its time in the source, in its codec's clock (90 kHz video, 48 kHz audio). */
    record Frame(long pts, boolean keyframe, byte[] data) {}

    /** Runs a command to its end; its output and errors, or an assertion error with them when it failed. */
    static String run(Path dir, String... command) throws IOException, InterruptedException {
        String[] out = runSplit(dir, command);
        return out[0] + out[1];
    }

    /** Runs a command to its end; its standard output and its error output, apart. */
    static String[] runSplit(Path dir, String... command) throws IOException, InterruptedException {
        Path err = Files.createTempFile(dir, "stderr", ".txt");
        Process p = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectError(err.toFile())
                .start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + String.join(" ", command));
        }
        String text = new String(out, StandardCharsets.UTF_8);
        String errors = Files.readString(err);
        Files.delete(err);
        assertEquals(0, p.exitValue(), () -> String.join(" ", command) + "\n" + text + errors);
        return new String[] {text, errors};
    }

    /** Encoded once per test JVM: encoding is most of these tests' time. */
    private static final Map<String, List<Frame>> ENCODED = new ConcurrentHashMap<>();

    /** {@code seconds} of a 320x240 30 fps test picture as VP8, a keyframe every {@code gop} frames. */
    static List<Frame> vp8(Path dir, int seconds, int gop) throws IOException, InterruptedException {
        List<Frame> known = ENCODED.get("vp8-" + seconds + "-" + gop);
        if (known != null) {
            return known;
        }
        Path ivf = dir.resolve("src-" + seconds + "-" + gop + ".ivf");
        run(
                dir,
                "ffmpeg",
                "-v",
                "error",
                "-y",
                "-f",
                "lavfi",
                "-i",
                "testsrc=size=320x240:rate=30:duration=" + seconds,
                "-c:v",
                "libvpx",
                "-g",
                String.valueOf(gop),
                "-b:v",
                "300k",
                "-deadline",
                "realtime",
                ivf.toString());
        List<Frame> frames = readIvf(Files.readAllBytes(ivf));
        ENCODED.put("vp8-" + seconds + "-" + gop, frames);
        return frames;
    }

    /**
     * {@code seconds} of a 320x240 30 fps test picture as VP9 profile 0, a keyframe every {@code gop} frames, with
     * alternate reference frames (two passes): those come as superframes (a hidden frame and a shown one), which is what a picture
     * of several spatial layers is stored as too.
     */
    static List<Frame> vp9(Path dir, int seconds, int gop) throws IOException, InterruptedException {
        String key = "vp9-" + seconds + "-" + gop;
        List<Frame> known = ENCODED.get(key);
        if (known != null) {
            return known;
        }
        Path ivf = dir.resolve(key + ".ivf");
        // libvpx makes alternate reference frames in its second pass only.
        for (String pass : List.of("1", "2")) {
            run(
                    dir,
                    "ffmpeg",
                    "-v",
                    "error",
                    "-y",
                    "-f",
                    "lavfi",
                    "-i",
                    "testsrc=size=320x240:rate=30:duration=" + seconds,
                    "-c:v",
                    "libvpx-vp9",
                    "-g",
                    String.valueOf(gop),
                    "-b:v",
                    "300k",
                    "-pass",
                    pass,
                    "-passlogfile",
                    dir.resolve(key).toString(),
                    "-auto-alt-ref",
                    "1",
                    "-lag-in-frames",
                    "16",
                    "-cpu-used",
                    "8",
                    "-pix_fmt",
                    "yuv420p",
                    "-f",
                    "ivf",
                    pass.equals("1") ? "/dev/null" : ivf.toString());
        }
        List<Frame> frames = readIvf(Files.readAllBytes(ivf));
        ENCODED.put(key, frames);
        return frames;
    }

    /**
     * {@code seconds} of a 320x240 30 fps test picture as H.264 Constrained Baseline in Annex B (start codes), two
     * slices per picture, an IDR every {@code gop} frames: one access unit (its NAL units, start codes left out) per
     * frame. The keyframe flag marks IDR access units.
     */
    static List<List<byte[]>> h264(Path dir, int seconds, int gop) throws IOException, InterruptedException {
        Path raw = dir.resolve("h264-" + seconds + "-" + gop + ".h264");
        run(
                dir,
                "ffmpeg",
                "-v",
                "error",
                "-y",
                "-f",
                "lavfi",
                "-i",
                "testsrc=size=320x240:rate=30:duration=" + seconds,
                "-c:v",
                "libx264",
                "-profile:v",
                "baseline",
                "-pix_fmt",
                "yuv420p",
                "-g",
                String.valueOf(gop),
                "-x264-params",
                "slices=2:keyint_min=" + gop + ":scenecut=0",
                "-b:v",
                "300k",
                "-f",
                "h264",
                raw.toString());
        return accessUnits(splitAnnexB(Files.readAllBytes(raw)));
    }

    /** The NAL units of an Annex B stream (3- or 4-byte start codes), without their start codes. */
    static List<byte[]> splitAnnexB(byte[] b) {
        List<byte[]> nals = new ArrayList<>();
        int start = -1;
        for (int i = 0; i + 2 < b.length; i++) {
            if (b[i] == 0 && b[i + 1] == 0 && b[i + 2] == 1) {
                if (start >= 0) {
                    int end = i > 0 && b[i - 1] == 0 ? i - 1 : i;
                    nals.add(Arrays.copyOfRange(b, start, end));
                }
                start = i + 3;
                i += 2;
            }
        }
        if (start >= 0) {
            nals.add(Arrays.copyOfRange(b, start, b.length));
        }
        return nals;
    }

    /** NAL units grouped into access units: a new one at an AUD, SEI, SPS or PPS, or a slice with first_mb 0. */
    static List<List<byte[]>> accessUnits(List<byte[]> nals) {
        List<List<byte[]>> units = new ArrayList<>();
        List<byte[]> unit = null;
        boolean sliceSeen = false;
        for (byte[] nal : nals) {
            int type = nal[0] & 0x1F;
            boolean first = type == 9
                    || type == 6
                    || type == 7
                    || type == 8
                    || ((type == 1 || type == 5) && (nal[1] & 0x80) != 0);
            if (unit == null || first && sliceSeen) {
                unit = new ArrayList<>();
                units.add(unit);
                sliceSeen = false;
            }
            unit.add(nal);
            sliceSeen |= type == 1 || type == 5;
        }
        return units;
    }

    /** {@code seconds} of a 440 Hz tone as 20 ms Opus frames. */
    static List<Frame> opus(Path dir, int seconds) throws IOException, InterruptedException {
        List<Frame> known = ENCODED.get("opus-" + seconds);
        if (known != null) {
            return known;
        }
        Path ogg = dir.resolve("src-" + seconds + ".opus");
        run(
                dir,
                "ffmpeg",
                "-v",
                "error",
                "-y",
                "-f",
                "lavfi",
                "-i",
                "sine=frequency=440:sample_rate=48000:duration=" + seconds,
                "-ac",
                "2",
                "-c:a",
                "libopus",
                "-frame_duration",
                "20",
                "-b:a",
                "48k",
                ogg.toString());
        List<Frame> frames = readOggOpus(Files.readAllBytes(ogg));
        ENCODED.put("opus-" + seconds, frames);
        return frames;
    }

    /** IVF: a 32-byte file header, then per frame a 12-byte header (size, 64-bit pts) and the frame. */
    static List<Frame> readIvf(byte[] b) {
        ByteBuffer in = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int headerLength = in.getShort(6) & 0xFFFF;
        int rate = in.getInt(16);
        int scale = in.getInt(20);
        in.position(headerLength);
        List<Frame> frames = new ArrayList<>();
        while (in.remaining() >= 12) {
            int size = in.getInt();
            long pts = in.getLong();
            byte[] data = new byte[size];
            in.get(data);
            frames.add(new Frame(pts * scale * 90_000L / rate, (data[0] & 1) == 0, data));
        }
        return frames;
    }

    /** Ogg pages' packets, less the two Opus header packets; each packet's time from its TOC. */
    static List<Frame> readOggOpus(byte[] b) {
        List<byte[]> packets = new ArrayList<>();
        java.io.ByteArrayOutputStream partial = new java.io.ByteArrayOutputStream();
        int at = 0;
        while (at + 27 <= b.length) {
            int segments = b[at + 26] & 0xFF;
            int data = at + 27 + segments;
            for (int i = 0; i < segments; i++) {
                int lace = b[at + 27 + i] & 0xFF;
                partial.write(b, data, lace);
                data += lace;
                if (lace < 255) {
                    packets.add(partial.toByteArray());
                    partial.reset();
                }
            }
            at = data;
        }
        List<Frame> frames = new ArrayList<>();
        long pts = 0;
        for (byte[] p : packets.subList(2, packets.size())) {
            frames.add(new Frame(pts, true, p));
            pts += OpusToc.durationMicros(p, 0, p.length) * 48 / 1000;
        }
        return frames;
    }

    /** ffprobe's view of a file's format and first stream, with the frames counted by decoding them. */
    static JsonNode probe(Path file) throws IOException, InterruptedException {
        String[] out = runSplit(
                file.getParent(),
                "ffprobe",
                "-v",
                "error",
                "-count_frames",
                "-show_format",
                "-show_streams",
                "-of",
                "json",
                file.toString());
        return new ObjectMapper().readTree(out[0]);
    }

    /** What ffmpeg reports when it decodes the whole file (empty: nothing wrong). */
    static String decodeErrors(Path file) throws IOException, InterruptedException {
        return runSplit(file.getParent(), "ffmpeg", "-v", "error", "-i", file.toString(), "-f", "null", "-")[1].trim();
    }

    static byte[] copyOf(byte[] b, int len) {
        return Arrays.copyOf(b, len);
    }
}
