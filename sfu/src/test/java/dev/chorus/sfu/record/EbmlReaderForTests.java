package dev.chorus.sfu.record;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Reads back the EBML the writer makes, to check its structure (tests only; trusts its input). */
final class EbmlReaderForTests {
    private static final Set<Integer> MASTERS = Set.of(
            Webm.EBML,
            Webm.SEGMENT,
            Webm.INFO,
            Webm.TRACKS,
            Webm.TRACK_ENTRY,
            Webm.VIDEO,
            Webm.AUDIO,
            Webm.CLUSTER,
            Webm.SEEK_HEAD,
            Webm.SEEK,
            Webm.CUES,
            Webm.CUE_POINT,
            Webm.CUE_TRACK_POSITIONS);

    record Element(int id, byte[] file, int dataStart, long end, List<Element> kids) {
        List<Element> children(int childId) {
            return kids.stream().filter(e -> e.id == childId).toList();
        }

        Element child(int childId) {
            return children(childId).get(0);
        }

        /** Where the element starts (its ID) in the file. */
        int start(int idAndSizeBytes) {
            return dataStart - idAndSizeBytes;
        }

        long uint() {
            long v = 0;
            for (int i = dataStart; i < end; i++) {
                v = v << 8 | (file[i] & 0xFF);
            }
            return v;
        }

        double float64() {
            return Double.longBitsToDouble(uint());
        }

        /** A SimpleBlock's time offset from its cluster. */
        int blockOffset() {
            return (short) ((file[dataStart + 1] & 0xFF) << 8 | (file[dataStart + 2] & 0xFF));
        }
    }

    private EbmlReaderForTests() {}

    static List<Element> read(byte[] b) {
        return read(b, 0, b.length);
    }

    private static List<Element> read(byte[] b, int from, long to) {
        List<Element> list = new ArrayList<>();
        int at = from;
        while (at < to) {
            int first = b[at] & 0xFF;
            int idLength = Integer.numberOfLeadingZeros(first) - 23;
            int id = 0;
            for (int i = 0; i < idLength; i++) {
                id = id << 8 | (b[at + i] & 0xFF);
            }
            at += idLength;
            int sizeFirst = b[at] & 0xFF;
            int sizeLength = Integer.numberOfLeadingZeros(sizeFirst) - 23;
            long size = sizeFirst & (0xFF >> sizeLength);
            for (int i = 1; i < sizeLength; i++) {
                size = size << 8 | (b[at + i] & 0xFF);
            }
            at += sizeLength;
            long end = at + size;
            List<Element> kids = MASTERS.contains(id) ? read(b, at, end) : List.of();
            list.add(new Element(id, b, at, end, kids));
            at = (int) end;
        }
        return list;
    }
}
