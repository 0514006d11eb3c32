package dev.chorus.sfu.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.sfu.codec.Codec;
import dev.chorus.sfu.rtp.RtpExtension;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The (spatial, temporal) steps a subscriber's allocation climbs, from what a simulcast publisher
 * measurably sends on the fake clock: every frame rate of the lowest layer, only 15 fps or more
 * above it, and one step per layer for a stream without temporal layers.
 */
class QualityLadderTest {
    private static final int MID = 1;
    private static final int RID = 4;
    private static final long[] SSRC = {0x7000_0001L, 0x7000_0002L, 0x7000_0003L};
    private static final int[] FRAME_BYTES = {300, 900, 1200};

    private final ForwardHarness h = new ForwardHarness();
    private final Endpoint alice = h.endpoint("alice", new RecordingSender(), 0xA0);
    private final Producer producer = h.router.addProducer(
            "alice",
            ProducerParams.simulcast(
                    "video-1",
                    Codec.VP8,
                    96,
                    HeaderExtensionIds.NONE.with(RtpExtension.MID, MID).with(RtpExtension.RTP_STREAM_ID, RID),
                    "0",
                    List.of("l", "m", "h")));
    private final int[] seq = {1, 1, 1};

    /** {@code seconds} of frames every {@code frameMillis} on every layer; {@code layered}: TIDs 0, 2, 1, 2. */
    private void publish(double seconds, int frameMillis, boolean layered) {
        int frames = (int) (seconds * 1000 / frameMillis);
        for (int n = 0; n < frames; n++) {
            int tid = new int[] {0, 2, 1, 2}[n % 4];
            for (int layer = 0; layer < 3; layer++) {
                byte[] head = n == 0 ? RtpBuilder.vp8Keyframe() : RtpBuilder.vp8Delta();
                byte[] payload = new byte[FRAME_BYTES[layer]];
                payload[0] = (byte) (layered ? 0x90 : 0x10);
                payload[1] = (byte) (layered ? 0x20 : head[1]);
                payload[2] = (byte) (layered ? (tid << 6) | 0x20 : head[2]);
                int at = layered ? 3 : 1;
                System.arraycopy(head, 1, payload, at, head.length - 1);
                h.rtp(
                        alice,
                        RtpBuilder.rtp(SSRC[layer], seq[layer]++, 1000L + n * 90L * frameMillis)
                                .pt(96)
                                .ext(MID, (byte) '0')
                                .ext(RID, (byte) "lmh".charAt(layer))
                                .payload(payload)
                                .build());
            }
            h.advanceMillis(frameMillis);
        }
    }

    private List<String> ladder() {
        List<String> steps = new ArrayList<>();
        long now = h.clock.nowNanos();
        for (int r = QualityLadder.first(producer, now); r >= 0; r = QualityLadder.next(producer, r, now)) {
            steps.add(QualityLadder.name(r));
        }
        return steps;
    }

    @Test
    void thirtyFpsWithThreeTemporalLayers() {
        publish(3, 33, true);
        assertEquals(List.of("0/T0", "0/T1", "0/all", "1/T1", "1/all", "2/T1", "2/all"), ladder());
        long now = h.clock.nowNanos();
        long previous = 0;
        for (int r = QualityLadder.first(producer, now); r >= 0; r = QualityLadder.next(producer, r, now)) {
            long bps = QualityLadder.bitrateBps(producer, r, now);
            if (QualityLadder.spatial(r) == 0) {
                assertTrue(bps > previous, QualityLadder.name(r) + " costs more than the step below: " + bps);
            }
            previous = bps;
        }
        long top = QualityLadder.bitrateBps(producer, QualityLadder.top(2), now);
        long half = QualityLadder.bitrateBps(producer, QualityLadder.of(2, 1), now);
        assertEquals(top / 2.0, half, top * 0.1, "TL0+TL1 are half the frames of equal size");
        assertEquals(7.5, producer.stream(0).frameRate(0, now), 1.0);
        assertEquals(15, producer.stream(0).frameRate(1, now), 1.5);
        assertEquals(30, producer.stream(0).frameRate(2, now), 3.0);
    }

    @Test
    void fifteenFpsKeepsOnlyTheFullRateAboveTheLowestLayer() {
        publish(4, 66, true);
        assertEquals(List.of("0/T0", "0/T1", "0/all", "1/all", "2/all"), ladder(), "7.5 fps is not worth layer 1");
    }

    @Test
    void withoutTemporalLayersOneStepPerLayer() {
        publish(3, 33, false);
        assertEquals(List.of("0/all", "1/all", "2/all"), ladder());
        assertEquals(1, producer.stream(1).temporalLayers(h.clock.nowNanos()));
    }
}
