package dev.chorus.loadtest;

import dev.chorus.sfu.codec.MediaKind;
import dev.chorus.sfu.sdp.Direction;
import dev.chorus.testkit.peer.NativePeer;
import dev.chorus.testkit.peer.ReceiveStats;
import dev.chorus.testkit.peer.RemoteLine;
import java.util.ArrayList;
import java.util.List;

/** What a native bot reads from its peer's negotiated lines and receive counters (kept out of {@link Bot}). */
final class PeerLines {
    private PeerLines() {}

    /** Whether the answer took our video's layers (it accepted the rid header extension they are named by). */
    static boolean simulcastAccepted(NativePeer p) {
        for (String mid : p.mids(MediaKind.VIDEO, Direction.SENDONLY)) {
            if (p.remoteLine(mid).map(l -> l.ridExtensionId().isEmpty()).orElse(true)) {
                return false;
            }
        }
        return true;
    }

    static long[] rtxSsrcs(NativePeer p) {
        List<Long> out = new ArrayList<>();
        for (MediaKind kind : MediaKind.values()) {
            for (String mid : p.mids(kind, Direction.RECVONLY)) {
                p.remoteLine(mid).ifPresent(l -> l.rtxSsrc().ifPresent(out::add));
            }
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    /**
     * Bytes of the RTP packets (header and payload, as decrypted) received so far on the peer's video lines:
     * the media SSRC the answer announced on each, plus its RTX SSRC (retransmissions and the server's padding
     * probes). 0 before the peer exists. Any thread; not on the per-packet path.
     */
    static long videoBytesReceived(NativePeer p) {
        if (p == null) {
            return 0;
        }
        long bytes = 0;
        for (String mid : p.mids(MediaKind.VIDEO, Direction.RECVONLY)) {
            RemoteLine line = p.remoteLine(mid).orElse(null);
            if (line != null) {
                bytes += ssrcBytes(p, line.ssrc().isPresent() ? line.ssrc().getAsLong() : -1);
                bytes +=
                        ssrcBytes(p, line.rtxSsrc().isPresent() ? line.rtxSsrc().getAsLong() : -1);
            }
        }
        return bytes;
    }

    private static long ssrcBytes(NativePeer p, long ssrc) {
        return ssrc < 0 ? 0 : p.receivedSsrc(ssrc).map(ReceiveStats::bytes).orElse(0L);
    }

    /**
     * Adds to {@code counts[i]} one for each received video line whose last packet came from simulcast layer
     * {@code i} (as the sender stamped it), and to {@code counts[counts.length - 1]} one for each that had no
     * layer stamp (a plain stream) or nothing yet.
     */
    static void countReceivedVideoLayers(NativePeer p, long[] counts) {
        if (p == null) {
            return;
        }
        for (String mid : p.mids(MediaKind.VIDEO, Direction.RECVONLY)) {
            RemoteLine line = p.remoteLine(mid).orElse(null);
            if (line == null || !line.sfuSends() || line.ssrc().isEmpty()) {
                continue;
            }
            int layer = p.receivedSsrc(line.ssrc().getAsLong())
                    .map(ReceiveStats::lastLayer)
                    .orElse(-1);
            counts[layer >= 0 && layer < counts.length - 1 ? layer : counts.length - 1]++;
        }
    }
}
