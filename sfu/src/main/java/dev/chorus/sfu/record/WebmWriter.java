package dev.chorus.sfu.record;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes one track's frames into a WebM file as they come, so that the file plays whatever happens to the process.
 * The Segment is opened with an unknown size and each Cluster goes to the file only once it is complete (with its
 * size known): a crash, a kill or a full disk leaves a file that plays up to its last complete cluster. The
 * Duration (in a Void element reserved for it) is rewritten in place after each cluster, so such a file also says how
 * long it plays; {@link #close} finishes the last cluster, appends the Cues (a seek index: the time and place of
 * every cluster that starts on a keyframe, every cluster of audio), points the SeekHead (in a Void reserved for it) at
 * them and writes the Segment's size in place. Timestamps are milliseconds from the start of the file. One writer
 * thread; frames are copied, not kept.
 */
public final class WebmWriter implements Closeable {
    /** A cluster spans at most this long, so a crash loses at most about this much of the track. */
    public static final long DEFAULT_CLUSTER_MILLIS = 1000;
    /** A block's time is a signed 16-bit offset from its cluster's. */
    private static final long MAX_BLOCK_OFFSET = Short.MAX_VALUE;

    private static final String APP = "Chorus";
    private static final int DURATION_ELEMENT_BYTES = 11;

    /** What the one track of a file is. */
    public sealed interface Format permits Vp8, Vp9, H264, Opus {}

    /** VP8 video of the size its first keyframe announced. */
    public record Vp8(int width, int height) implements Format {}

    /** VP9 video (a picture of several spatial layers is one superframe). */
    public record Vp9(int width, int height) implements Format {}

    /**
     * H.264 video, NAL units behind 4-byte lengths, described by its AVCDecoderConfigurationRecord. WebM has no
     * H.264: such a file is Matroska (DocType "matroska", a .mkv).
     */
    public record H264(int width, int height, byte[] avcDecoderConfiguration) implements Format {}

    /** Opus audio at 48 kHz. */
    public record Opus(int channels) implements Format {}

    private final Path path;
    private final FileChannel channel;
    private final Format format;
    private final long clusterMillis;
    private final EbmlBuffer cluster = new EbmlBuffer(64 * 1024);
    private final EbmlBuffer scratch = new EbmlBuffer(64);

    /** File offsets of the Segment's size, of the Void kept for the SeekHead and of the one kept for the Duration. */
    private final long segmentSizeAt;

    private final long seekHeadAt;
    private final int seekHeadBytes;

    private final long durationAt;
    private final long segmentDataStart;

    /** The cue points so far: cluster times and their positions from the Segment's data start. */
    private long[] cueTimes = new long[64];

    private long[] cuePositions = new long[64];
    private int cues;
    private boolean clusterStartsOnKeyframe;
    private int clusterSizeAt = -1;
    private long clusterStartMillis;
    private long lastMillis = -1;
    private long lastFrameMillis;
    private long frames;
    private long clusters;
    private long bytesWritten;
    private boolean closed;

    private WebmWriter(Path path, FileChannel channel, Format format, long clusterMillis) throws IOException {
        this.path = path;
        this.channel = channel;
        this.format = format;
        this.clusterMillis = clusterMillis;
        EbmlBuffer h = new EbmlBuffer(512);
        int ebml = h.startMaster(Webm.EBML);
        h.uint(Webm.EBML_VERSION, 1);
        h.uint(Webm.EBML_READ_VERSION, 1);
        h.uint(Webm.EBML_MAX_ID_LENGTH, 4);
        h.uint(Webm.EBML_MAX_SIZE_LENGTH, 8);
        h.string(Webm.DOC_TYPE, format instanceof H264 ? "matroska" : "webm");
        h.uint(Webm.DOC_TYPE_VERSION, 4);
        h.uint(Webm.DOC_TYPE_READ_VERSION, 2);
        h.endMaster(ebml);
        h.id(Webm.SEGMENT);
        segmentSizeAt = h.length();
        h.sizeOfLength(EbmlBuffer.UNKNOWN_SIZE, 8);
        segmentDataStart = h.length();
        seekHeadAt = h.length();
        seekHeadBytes = seekHead(scratch, 0);
        h.voidElement(seekHeadBytes);
        int info = h.startMaster(Webm.INFO);
        h.uint(Webm.TIMESTAMP_SCALE, 1_000_000);
        h.string(Webm.MUXING_APP, APP);
        h.string(Webm.WRITING_APP, APP);
        durationAt = h.length();
        h.voidElement(DURATION_ELEMENT_BYTES);
        h.endMaster(info);
        int tracks = h.startMaster(Webm.TRACKS);
        int entry = h.startMaster(Webm.TRACK_ENTRY);
        h.uint(Webm.TRACK_NUMBER, 1);
        h.uint(Webm.TRACK_UID, 1);
        h.uint(Webm.FLAG_LACING, 0);
        if (format instanceof Vp8 v) {
            video(h, "V_VP8", null, v.width(), v.height());
        } else if (format instanceof Vp9 v) {
            video(h, "V_VP9", null, v.width(), v.height());
        } else if (format instanceof H264 v) {
            video(h, "V_MPEG4/ISO/AVC", v.avcDecoderConfiguration(), v.width(), v.height());
        } else if (format instanceof Opus o) {
            h.uint(Webm.TRACK_TYPE, Webm.TRACK_TYPE_AUDIO);
            h.string(Webm.CODEC_ID, "A_OPUS");
            h.bytes(Webm.CODEC_PRIVATE, opusHead(o.channels()));
            // No pre-skip: the frames are what the browser sent, played from their first sample.
            h.uint(Webm.CODEC_DELAY, 0);
            h.uint(Webm.SEEK_PRE_ROLL, 80_000_000L);
            int audio = h.startMaster(Webm.AUDIO);
            h.float64(Webm.SAMPLING_FREQUENCY, 48_000.0);
            h.uint(Webm.CHANNELS, o.channels());
            h.endMaster(audio);
        }
        h.endMaster(entry);
        h.endMaster(tracks);
        writeFully(h.array(), h.length());
    }

    private static void video(EbmlBuffer h, String codecId, byte[] codecPrivate, int width, int height) {
        h.uint(Webm.TRACK_TYPE, Webm.TRACK_TYPE_VIDEO);
        h.string(Webm.CODEC_ID, codecId);
        if (codecPrivate != null) {
            h.bytes(Webm.CODEC_PRIVATE, codecPrivate);
        }
        int video = h.startMaster(Webm.VIDEO);
        h.uint(Webm.PIXEL_WIDTH, width);
        h.uint(Webm.PIXEL_HEIGHT, height);
        h.endMaster(video);
    }

    /** Creates {@code path} (it must not exist) and writes the file's header. */
    public static WebmWriter create(Path path, Format format) throws IOException {
        return create(path, format, DEFAULT_CLUSTER_MILLIS);
    }

    public static WebmWriter create(Path path, Format format, long clusterMillis) throws IOException {
        if (clusterMillis < 1 || clusterMillis > MAX_BLOCK_OFFSET) {
            throw new IllegalArgumentException("cluster length out of range: " + clusterMillis);
        }
        FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
            return new WebmWriter(path, ch, format, clusterMillis);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** RFC 7845's identification header, the CodecPrivate of an Opus track. */
    static byte[] opusHead(int channels) {
        byte[] b = {'O', 'p', 'u', 's', 'H', 'e', 'a', 'd', 1, (byte) channels, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        int rate = 48_000;
        b[12] = (byte) rate;
        b[13] = (byte) (rate >>> 8);
        b[14] = (byte) (rate >>> 16);
        b[15] = (byte) (rate >>> 24);
        return b;
    }

    /**
     * Adds one frame at {@code millis} from the start of the file (no later than the frame before it counts as 1 ms
     * after it: a track's times must rise, or ffmpeg reports non-monotonic timestamps; a frame can land there, e.g. when a
     * new sender report moves the RTP-to-wall-clock mapping back by a millisecond). A video keyframe starts a new cluster, as does a cluster that has grown to its length; the
     * finished one goes to the file then.
     *
     * @param frameMillis how long the frame lasts, for the file's duration (the last frame's counts)
     */
    public void write(long millis, long frameMillis, boolean keyframe, byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("closed");
        }
        long t = lastMillis < 0 ? Math.max(millis, 0) : Math.max(millis, lastMillis + 1);
        boolean video = !(format instanceof Opus);
        if (clusterSizeAt >= 0
                && ((video && keyframe)
                        || t - clusterStartMillis >= clusterMillis
                        || t - clusterStartMillis > MAX_BLOCK_OFFSET)) {
            flushCluster();
        }
        if (clusterSizeAt < 0) {
            cluster.clear();
            clusterSizeAt = cluster.startMaster(Webm.CLUSTER);
            cluster.uint(Webm.CLUSTER_TIMESTAMP, t);
            clusterStartMillis = t;
            clusterStartsOnKeyframe = keyframe || !video;
        }
        cluster.id(Webm.SIMPLE_BLOCK);
        cluster.size(4L + len);
        cluster.put(0x81); // track number 1 as a vint
        int rel = (int) (t - clusterStartMillis);
        cluster.put(rel >>> 8);
        cluster.put(rel);
        // Keyframe flag: every Opus frame can be decoded on its own.
        cluster.put(keyframe || !video ? 0x80 : 0x00);
        cluster.put(b, off, len);
        lastMillis = t;
        lastFrameMillis = Math.max(0, frameMillis);
        frames++;
    }

    private void flushCluster() throws IOException {
        cluster.endMaster(clusterSizeAt);
        clusterSizeAt = -1;
        if (clusterStartsOnKeyframe) {
            cue(clusterStartMillis, bytesWritten - segmentDataStart);
        }
        writeFully(cluster.array(), cluster.length());
        clusters++;
        // The Duration of what the file holds now, in place (11 bytes where the Void was): a file the process never
        // closes still says how long it plays.
        writeDuration();
    }

    private void cue(long millis, long position) {
        if (cues == cueTimes.length) {
            cueTimes = java.util.Arrays.copyOf(cueTimes, cues * 2);
            cuePositions = java.util.Arrays.copyOf(cuePositions, cues * 2);
        }
        cueTimes[cues] = millis;
        cuePositions[cues] = position;
        cues++;
    }

    /** Writes into {@code b} (cleared) a SeekHead naming the Cues at {@code cuesPosition}; its length. */
    private static int seekHead(EbmlBuffer b, long cuesPosition) {
        b.clear();
        int head = b.startMaster(Webm.SEEK_HEAD);
        int seek = b.startMaster(Webm.SEEK);
        b.bytes(Webm.SEEK_ID, new byte[] {0x1C, 0x53, (byte) 0xBB, 0x6B});
        b.uint8(Webm.SEEK_POSITION, cuesPosition);
        b.endMaster(seek);
        b.endMaster(head);
        return b.length();
    }

    /** Appends the Cues, then points the SeekHead at them: until both are written the file has neither. */
    private void writeCues() throws IOException {
        if (cues == 0) {
            return;
        }
        long position = bytesWritten - segmentDataStart;
        EbmlBuffer b = new EbmlBuffer(64 + cues * 40);
        int all = b.startMaster(Webm.CUES);
        for (int i = 0; i < cues; i++) {
            int point = b.startMaster(Webm.CUE_POINT);
            b.uint(Webm.CUE_TIME, cueTimes[i]);
            int track = b.startMaster(Webm.CUE_TRACK_POSITIONS);
            b.uint(Webm.CUE_TRACK, 1);
            b.uint(Webm.CUE_CLUSTER_POSITION, cuePositions[i]);
            b.endMaster(track);
            b.endMaster(point);
        }
        b.endMaster(all);
        writeFully(b.array(), b.length());
        seekHead(scratch, position);
        writeAt(seekHeadAt, scratch);
    }

    /** Cue points so far (those {@link #close} writes). */
    public int cuePoints() {
        return cues;
    }

    private void writeDuration() throws IOException {
        scratch.clear();
        scratch.float64(Webm.DURATION, durationMillis());
        writeAt(durationAt, scratch);
    }

    private void writeFully(byte[] b, int len) throws IOException {
        ByteBuffer bb = ByteBuffer.wrap(b, 0, len);
        while (bb.hasRemaining()) {
            channel.write(bb);
        }
        bytesWritten += len;
    }

    private void writeAt(long position, EbmlBuffer b) throws IOException {
        ByteBuffer bb = ByteBuffer.wrap(b.array(), 0, b.length());
        long p = position;
        while (bb.hasRemaining()) {
            p += channel.write(bb, p);
        }
    }

    /** The file's length of media so far: the last frame's time plus its length, 0 before a frame. */
    public long durationMillis() {
        return lastMillis < 0 ? 0 : lastMillis + lastFrameMillis;
    }

    public long frames() {
        return frames;
    }

    /** Clusters in the file so far (what survives a crash). */
    public long clusters() {
        return clusters;
    }

    public long bytesWritten() {
        return bytesWritten;
    }

    public Path path() {
        return path;
    }

    /**
     * Writes the last cluster, the Duration in place, the Cues and the SeekHead naming them, then the Segment's size,
     * and closes the file. A file whose last write failed is closed as it is (it still plays up to its last complete
     * cluster).
     */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (clusterSizeAt >= 0) {
                flushCluster();
            }
            writeDuration();
            writeCues();
            scratch.clear();
            scratch.sizeOfLength(channel.size() - segmentDataStart, 8);
            writeAt(segmentSizeAt, scratch);
        } finally {
            channel.close();
        }
    }
}
