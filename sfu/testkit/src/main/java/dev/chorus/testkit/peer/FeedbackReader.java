package dev.chorus.testkit.peer;

import dev.chorus.sfu.rtcp.FirView;
import dev.chorus.sfu.rtcp.PliView;
import dev.chorus.sfu.rtcp.RtcpCompoundReader;
import dev.chorus.sfu.rtcp.RtcpPacketType;
import dev.chorus.sfu.rtcp.RtcpValidity;
import java.util.function.LongConsumer;

/**
 * Finds the key frame requests (PLI, FIR) in a compound RTCP packet from the SFU and reports the SSRC
 * each one asks about. Reader thread only: the views are reused.
 */
final class FeedbackReader {
    private final RtcpCompoundReader reader = new RtcpCompoundReader();
    private final PliView pli = new PliView();
    private final FirView fir = new FirView();
    private final LongConsumer keyframeRequested;
    private volatile long rtcpPackets;
    private volatile long malformed;

    FeedbackReader(LongConsumer keyframeRequested) {
        this.keyframeRequested = keyframeRequested;
    }

    void onRtcp(byte[] buf, int off, int len) {
        reader.reset(buf, off, len);
        while (reader.next()) {
            rtcpPackets++;
            if (reader.packetType() != RtcpPacketType.PSFB) {
                continue;
            }
            int at = reader.packetOffset();
            int n = reader.packetLength();
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

    long rtcpPackets() {
        return rtcpPackets;
    }

    long malformed() {
        return malformed;
    }
}
