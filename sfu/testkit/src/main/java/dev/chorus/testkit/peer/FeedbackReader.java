package dev.chorus.testkit.peer;

import dev.chorus.sfu.rtcp.FirView;
import dev.chorus.sfu.rtcp.NackView;
import dev.chorus.sfu.rtcp.PliView;
import dev.chorus.sfu.rtcp.RtcpCompoundReader;
import dev.chorus.sfu.rtcp.RtcpPacketType;
import dev.chorus.sfu.rtcp.RtcpValidity;
import java.util.function.IntConsumer;
import java.util.function.LongConsumer;

/**
 * Finds the key frame requests (PLI, FIR) and generic NACKs in a compound RTCP packet from the SFU and
 * reports the SSRC each one asks about (and for a NACK each lost sequence number). Reader thread only: the
 * views are reused.
 */
final class FeedbackReader {
    /** A sequence number the SFU reports lost on one of our SSRCs. */
    @FunctionalInterface
    interface NackListener {
        void onNack(long mediaSsrc, int sequenceNumber);
    }

    private final RtcpCompoundReader reader = new RtcpCompoundReader();
    private final PliView pli = new PliView();
    private final FirView fir = new FirView();
    private final NackView nack = new NackView();
    private final LongConsumer keyframeRequested;
    private final NackListener nacked;
    private final IntConsumer lost = this::lost;
    private long nackSsrc;
    private volatile long rtcpPackets;
    private volatile long malformed;
    private volatile long nacks;

    FeedbackReader(LongConsumer keyframeRequested, NackListener nacked) {
        this.keyframeRequested = keyframeRequested;
        this.nacked = nacked;
    }

    void onRtcp(byte[] buf, int off, int len) {
        reader.reset(buf, off, len);
        while (reader.next()) {
            rtcpPackets++;
            int at = reader.packetOffset();
            int n = reader.packetLength();
            if (reader.packetType() == RtcpPacketType.RTPFB
                    && reader.fmt() == RtcpPacketType.FMT_NACK
                    && nack.wrap(buf, at, n) == RtcpValidity.OK) {
                nacks++;
                nackSsrc = nack.mediaSsrc();
                nack.forEachLost(lost);
            }
            if (reader.packetType() != RtcpPacketType.PSFB) {
                continue;
            }
            if (reader.fmt() == RtcpPacketType.FMT_PLI && pli.wrap(buf, at, n) == RtcpValidity.OK) {
                keyframeRequested.accept(pli.mediaSsrc());
            } else if (reader.fmt() == RtcpPacketType.FMT_FIR && fir.wrap(buf, at, n) == RtcpValidity.OK) {
                for (int i = 0; i < fir.entryCount(); i++) {
                    keyframeRequested.accept(fir.entrySsrc(i));
                }
            }
        }
        if (reader.error() != RtcpValidity.OK) {
            malformed++;
        }
    }

    private void lost(int seq) {
        nacked.onNack(nackSsrc, seq);
    }

    long rtcpPackets() {
        return rtcpPackets;
    }

    long malformed() {
        return malformed;
    }

    /** NACK packets received (each may report many sequence numbers). */
    long nacks() {
        return nacks;
    }
}
