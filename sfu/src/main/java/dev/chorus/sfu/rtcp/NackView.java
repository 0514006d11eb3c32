package dev.chorus.sfu.rtcp;

import dev.chorus.sfu.rtp.BigEndian;
import java.util.function.IntConsumer;

/**
 * Generic NACK (RTPFB, FMT 1): items of (PID, BLP); PID is a lost sequence number and bit
 * {@code i} of BLP marks {@code PID + i + 1} lost too. Sequence numbers are 0..65535.
 */
public final class NackView extends FeedbackView {
    static final int ITEM_LENGTH = 4;

    @Override
    protected int expectedPacketType() {
        return RtcpPacketType.RTPFB;
    }

    @Override
    protected int expectedFmt() {
        return RtcpPacketType.FMT_NACK;
    }

    @Override
    protected RtcpValidity checkFci() {
        return itemCount() == 0 ? RtcpValidity.BAD_FCI_LENGTH : RtcpValidity.OK;
    }

    public int itemCount() {
        return fciLength() / ITEM_LENGTH;
    }

    public int pid(int i) {
        return BigEndian.u16(buf, fciOffset() + ITEM_LENGTH * i);
    }

    public int blp(int i) {
        return BigEndian.u16(buf, fciOffset() + ITEM_LENGTH * i + 2);
    }

    /**
     * Feeds every lost sequence number, item by item in packet order, to {@code sink} (a
     * primitive callback: nothing is boxed). Returns how many were reported (0 when the view
     * is not valid).
     */
    public int forEachLost(IntConsumer sink) {
        if (!isValid()) {
            return 0;
        }
        int reported = 0;
        for (int i = 0; i < itemCount(); i++) {
            int pid = pid(i);
            int blp = blp(i);
            sink.accept(pid);
            reported++;
            for (int bit = 0; bit < 16; bit++) {
                if ((blp & (1 << bit)) != 0) {
                    sink.accept((pid + bit + 1) & 0xFFFF);
                    reported++;
                }
            }
        }
        return reported;
    }

    /** How many sequence numbers {@link #forEachLost} would report. */
    public int lostCount() {
        int lost = 0;
        for (int i = 0; i < itemCount(); i++) {
            lost += 1 + Integer.bitCount(blp(i));
        }
        return lost;
    }
}
