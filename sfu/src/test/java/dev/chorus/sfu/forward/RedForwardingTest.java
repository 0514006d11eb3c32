package dev.chorus.sfu.forward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.sfu.codec.Codec;
import dev.chorus.sfu.codec.RedPayload;
import dev.chorus.sfu.drop.DropReason;
import dev.chorus.sfu.rtp.RtpExtension;
import dev.chorus.sfu.rtp.RtpPacket;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Opus RED (RFC 2198) through the forwarder: a microphone published as RED (Opus 111, RED 63, as Chrome
 * numbers them), one subscriber that negotiated RED under its own numbers (Opus 109, RED 120) and one that did
 * not (Opus 100). Frames are 20 ms (960 ticks); frame {@code n}'s bytes are {@code [n, n, n]}.
 */
class RedForwardingTest {
    private static final long MIC_SSRC = 0x5150_0001L;
    private static final int OPUS = 111;
    private static final int RED = 63;
    private static final HeaderExtensionIds EXT = HeaderExtensionIds.NONE.with(RtpExtension.AUDIO_LEVEL, 1);

    private final ForwardHarness h = new ForwardHarness(RouterConfig.defaults().withAudioRedundancy(2));
    private final Endpoint alice = h.endpoint("alice", new RecordingSender(), 0xA0);
    private final RecordingSender bob = new RecordingSender();
    private final RecordingSender carol = new RecordingSender();
    private Producer mic;
    private Endpoint bobEndpoint;

    private void publish(int redPayloadType) {
        ProducerParams p = ProducerParams.of("mic", Codec.OPUS, MIC_SSRC, OPUS, EXT);
        mic = h.router.addProducer("alice", redPayloadType < 0 ? p : p.withRed(redPayloadType));
        bobEndpoint = h.endpoint("bob", bob, 0xB0);
        h.endpoint("carol", carol, 0xC0);
        h.router.addConsumer(
                "bob", "mic", ConsumerParams.of("c-bob", 0xB1, 109, EXT, 10).withRed(120));
        h.router.addConsumer("carol", "mic", ConsumerParams.of("c-carol", 0xC1, 100, EXT, 20));
    }

    private static byte[] frame(int n) {
        return new byte[] {(byte) n, (byte) n, (byte) n};
    }

    private static long ts(int n) {
        return 960L * n;
    }

    /** Chrome's RED packet for frame {@code n}: frame n-1 repeated (when n > 1), then frame n. */
    private void sendRed(int n) {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        if (n > 1) {
            int rest = (960 << 10) | 3;
            p.writeBytes(new byte[] {(byte) (0x80 | OPUS), (byte) (rest >>> 16), (byte) (rest >>> 8), (byte) rest});
        }
        p.write(OPUS);
        if (n > 1) p.writeBytes(frame(n - 1));
        p.writeBytes(frame(n));
        send(n, RED, p.toByteArray());
    }

    private void send(int n, int pt, byte[] payload) {
        h.rtp(
                alice,
                RtpBuilder.rtp(MIC_SSRC, 100 + n, ts(n))
                        .pt(pt)
                        .ext(1, (byte) 30)
                        .payload(payload)
                        .build());
    }

    private static byte[] payload(RtpPacket p) {
        return Arrays.copyOfRange(p.buffer(), p.payloadOffset(), p.payloadOffset() + p.payloadLength());
    }

    /** The blocks of a RED packet as {timestampOffset, payloadType, first byte}, and checks lengths add up. */
    private static List<int[]> blocks(RtpPacket p) {
        RedPayload red = new RedPayload();
        assertTrue(red.wrap(p.buffer(), p.payloadOffset(), p.payloadLength()), "a valid RED payload");
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < red.count(); i++) {
            assertEquals(3, red.length(i));
            out.add(new int[] {red.timestampOffset(i), red.payloadType(i), p.buffer()[red.offset(i)]});
        }
        return out;
    }

    private static String describe(List<int[]> blocks) {
        return blocks.stream().map(Arrays::toString).toList().toString();
    }

    @Test
    void redSubscriberGetsTwoEarlierFramesAndPlainSubscriberThePrimaryAlone() {
        publish(RED);
        for (int n = 1; n <= 4; n++) sendRed(n);

        assertEquals(4, bob.rtp.size());
        RtpPacket first = bob.rtpAt(0);
        assertEquals(120, first.payloadType());
        assertEquals("[[0, 109, 1]]", describe(blocks(first)), "nothing earlier yet");
        assertEquals("[[960, 109, 1], [0, 109, 2]]", describe(blocks(bob.rtpAt(1))));
        assertEquals("[[1920, 109, 2], [960, 109, 3], [0, 109, 4]]", describe(blocks(bob.rtpAt(3))));
        assertEquals(0xB1, bob.rtpAt(3).ssrc());
        assertTrue(bob.rtpAt(3).findExtension(1) >= 0, "the audio level stays in the header");

        assertEquals(4, carol.rtp.size());
        for (int n = 1; n <= 4; n++) {
            RtpPacket p = carol.rtpAt(n - 1);
            assertEquals(100, p.payloadType());
            assertArrayEquals(frame(n), payload(p), "primary frame " + n);
            assertEquals(ts(n), p.timestamp());
        }
        assertEquals(0, mic.drops().get(DropReason.MALFORMED_RED));
    }

    @Test
    void aFrameLostOnTheWayInIsRecoveredFromTheNextPacketAndRepeatedToRedSubscribers() {
        publish(RED);
        sendRed(1);
        sendRed(2);
        // Frame 3's packet is lost upstream; frame 4's carries it again.
        sendRed(4);
        sendRed(5);

        assertEquals(4, bob.rtp.size());
        assertEquals("[[1920, 109, 2], [960, 109, 3], [0, 109, 4]]", describe(blocks(bob.rtpAt(2))));
        // The frame after keeps it too: a subscriber that also lost frame 4's packet still gets frame 3.
        bob.clear();
        sendRed(6);
        assertEquals("[[1920, 109, 4], [960, 109, 5], [0, 109, 6]]", describe(blocks(bob.rtpAt(0))));
        assertTrue(
                h.router.toJson().toString().contains("\"framesRecovered\":1"),
                h.router.toJson().toString());
    }

    @Test
    void plainOpusFromThePublisherStillReachesRedSubscribersWithRedundancy() {
        publish(-1);
        for (int n = 1; n <= 3; n++) send(n, OPUS, frame(n));
        assertEquals("[[1920, 109, 1], [960, 109, 2], [0, 109, 3]]", describe(blocks(bob.rtpAt(2))));
        assertArrayEquals(frame(3), payload(carol.rtpAt(2)));
        assertEquals(100, carol.rtpAt(2).payloadType());
    }

    @Test
    void framesBeyondRedsTimestampReachAreNotRepeated() {
        publish(RED);
        sendRed(1);
        sendRed(2);
        // DTX: silence sends a frame every 400 ms; 0.4 s = 19200 ticks is past RED's 14-bit offset.
        send(22, RED, new byte[] {OPUS, 22, 22, 22});
        assertEquals("[[0, 109, 22]]", describe(blocks(bob.rtpAt(2))));
        assertArrayEquals(frame(22), payload(carol.rtpAt(2)));
    }

    @Test
    void malformedRedIsDroppedAndCountedNotForwarded() {
        publish(RED);
        sendRed(1);
        // A block of 9 bytes announced, 3 there; then a RED packet whose block is not our Opus.
        send(2, RED, new byte[] {(byte) 0xEF, 0x0F, 0x00, 0x09, OPUS, 1, 2, 3});
        send(3, RED, new byte[] {(byte) (0x80 | 9), 0x0F, 0x00, 0x03, OPUS, 1, 2, 3, 3, 3, 3});
        send(4, RED, new byte[] {(byte) 0xEF});
        assertEquals(3, mic.drops().get(DropReason.MALFORMED_RED));
        // An empty payload is padding, not malformed RED: each consumer drops it as such.
        send(5, RED, new byte[0]);
        assertEquals(3, mic.drops().get(DropReason.MALFORMED_RED));
        assertEquals(1, bob.rtp.size());
        assertEquals(1, carol.rtp.size());
        // An unknown payload type is still refused as before.
        send(7, 77, frame(7));
        assertEquals(1, mic.drops().get(DropReason.UNKNOWN_PAYLOAD_TYPE));
        // And forwarding carries on.
        sendRed(8);
        assertEquals(2, carol.rtp.size());
        assertArrayEquals(frame(8), payload(carol.rtpAt(1)));
        assertEquals(2, bob.rtp.size());
    }

    @Test
    void theDepthFollowsTheLossTheSubscriberReports() {
        publish(RED);
        for (int n = 1; n <= 3; n++) sendRed(n);
        assertEquals(3, blocks(bob.rtpAt(2)).size(), "a new subscriber gets the configured two earlier frames");
        // Ten seconds of clean reports: one earlier frame, as much as the browser itself repeats.
        h.rtcp(bobEndpoint, Rtcp.receiverReport(0xB0, 0xB1, 0, 0, 0));
        h.advanceMillis(5_000);
        h.rtcp(bobEndpoint, Rtcp.receiverReport(0xB0, 0xB1, 2, 0, 0));
        sendRed(4);
        assertEquals(3, blocks(bob.rtpAt(3)).size(), "5 s clean is not enough");
        h.advanceMillis(5_000);
        h.rtcp(bobEndpoint, Rtcp.receiverReport(0xB0, 0xB1, 0, 0, 0));
        sendRed(5);
        assertEquals("[[960, 109, 4], [0, 109, 5]]", describe(blocks(bob.rtpAt(4))));
        // A report of 10 % loss restores the depth at once.
        h.rtcp(bobEndpoint, Rtcp.receiverReport(0xB0, 0xB1, 26, 0, 0));
        sendRed(6);
        assertEquals("[[1920, 109, 4], [960, 109, 5], [0, 109, 6]]", describe(blocks(bob.rtpAt(5))));
        String json = h.router.toJson().toString();
        assertTrue(json.contains("\"redundancyRaises\":1") && json.contains("\"redundancyLowerings\":1"), json);
        // Carol, without RED, has no depth to follow.
        assertEquals(100, carol.rtpAt(5).payloadType());
    }
}
