package dev.chorus.sfu.rtcp;

import dev.chorus.sfu.rtp.BigEndian;

/**
 * Source description (PT 202): chunks of (SSRC, items), each item (type, length, UTF-8 text),
 * each chunk ended by a null item and padded to 32 bits. {@link #wrap} validates every chunk;
 * then walk them with the cursor:
 * <pre>
 *   while (sdes.nextChunk()) { long ssrc = sdes.chunkSsrc();
 *     while (sdes.nextItem()) if (sdes.itemType() == SdesView.CNAME) ... }
 * </pre>
 */
public final class SdesView extends RtcpPacketView {
    public static final int END = 0;
    public static final int CNAME = 1;
    public static final int NAME = 2;
    public static final int EMAIL = 3;
    public static final int PHONE = 4;
    public static final int LOC = 5;
    public static final int TOOL = 6;
    public static final int NOTE = 7;
    public static final int PRIV = 8;

    private int chunkIndex;
    private int chunkAt;
    private int nextChunkAt;
    private int itemAt;
    private int nextItemAt;

    @Override
    protected int expectedPacketType() {
        return RtcpPacketType.SDES;
    }

    @Override
    protected int expectedFmt() {
        return -1;
    }

    @Override
    protected RtcpValidity checkBody() {
        int end = off + contentLength;
        int pos = off + RtcpHeader.LENGTH;
        for (int c = 0; c < chunkCount(); c++) {
            pos = chunkEnd(pos, end);
            if (pos < 0) {
                return RtcpValidity.SDES_CHUNK_OVERFLOW;
            }
        }
        rewind();
        return RtcpValidity.OK;
    }

    /** End of the chunk starting at {@code at} (aligned), or -1 when it overflows {@code end}. */
    private int chunkEnd(int at, int end) {
        int pos = at + 4;
        while (true) {
            if (pos >= end) {
                return -1;
            }
            if (buf[pos] == END) {
                int aligned = off + ((pos + 1 - off + 3) & ~3);
                return aligned <= end ? aligned : -1;
            }
            if (pos + 2 > end) {
                return -1;
            }
            pos += 2 + (buf[pos + 1] & 0xFF);
        }
    }

    /** Number of chunks (the SC field). */
    public int chunkCount() {
        return countField();
    }

    /** Restarts the cursor before the first chunk. */
    public void rewind() {
        chunkIndex = -1;
        nextChunkAt = off + RtcpHeader.LENGTH;
        itemAt = -1;
        nextItemAt = -1;
    }

    /** Moves to the next chunk; false after the last. */
    public boolean nextChunk() {
        if (chunkIndex + 1 >= chunkCount()) {
            return false;
        }
        chunkIndex++;
        chunkAt = nextChunkAt;
        nextChunkAt = chunkEnd(chunkAt, off + contentLength);
        nextItemAt = chunkAt + 4;
        itemAt = -1;
        return true;
    }

    public long chunkSsrc() {
        return BigEndian.u32(buf, chunkAt);
    }

    /** Moves to the next item of the current chunk; false at its null terminator. */
    public boolean nextItem() {
        if (nextItemAt < 0 || buf[nextItemAt] == END) {
            return false;
        }
        itemAt = nextItemAt;
        nextItemAt = itemAt + 2 + (buf[itemAt + 1] & 0xFF);
        return true;
    }

    public int itemType() {
        return buf[itemAt] & 0xFF;
    }

    /** Absolute offset of the current item's text. */
    public int itemOffset() {
        return itemAt + 2;
    }

    public int itemLength() {
        return buf[itemAt + 1] & 0xFF;
    }
}
