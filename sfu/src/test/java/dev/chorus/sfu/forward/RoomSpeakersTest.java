package dev.chorus.sfu.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.chorus.sfu.codec.Codec;
import dev.chorus.sfu.rtp.RtpExtension;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Dominant speaker through a router on the fake clock: audio levels (RFC 6464) read from the
 * publishers' packets, the router's listener told of each change, the order of speakers kept,
 * and a publisher that leaves forgotten.
 */
class RoomSpeakersTest {
    private static final int LEVEL_ID = 5;
    private static final HeaderExtensionIds EXT = HeaderExtensionIds.NONE.with(RtpExtension.AUDIO_LEVEL, LEVEL_ID);

    private final ForwardHarness h = new ForwardHarness(RouterConfig.defaults().toBuilder()
            .rtcpIntervalMillis(1_000_000)
            .cname("sfu")
            .build());
    private final List<String> heard = new ArrayList<>();
    private final String[] names = {"ann", "bob", "cid"};
    private final Endpoint[] endpoints = new Endpoint[3];
    private final int[] seq = new int[3];

    RoomSpeakersTest() {
        h.router.setListener(heard::add);
        for (int i = 0; i < 3; i++) {
            endpoints[i] = h.endpoint(names[i], new RecordingSender(), 0xA0 + i);
            h.router.addProducer(names[i], ProducerParams.of("mic-" + i, Codec.OPUS, 0x100 + i, 111, EXT));
        }
    }

    /** {@code ms} of audio: participant {@code speaker} at -25 dBov (dips between syllables), the rest at -75. */
    private void talk(int speaker, long ms) {
        for (long t = 0; t < ms; t += 20) {
            for (int i = 0; i < 3; i++) {
                int level = i == speaker && (t % 200) >= 40 ? 25 : 75;
                h.rtp(
                        endpoints[i],
                        RtpBuilder.rtp(0x100 + i, seq[i]++, seq[i] * 960L)
                                .pt(111)
                                .ext(LEVEL_ID, (byte) level)
                                .payload(new byte[] {1, 2, 3})
                                .build());
            }
            h.advanceMillis(20);
        }
    }

    @Test
    void theRouterTellsItsListenerWhoSpeaksAndKeepsTheOrder() {
        talk(-1, 1_000);
        assertNull(h.router.dominantSpeaker());
        talk(1, 1_000);
        assertEquals(List.of("bob"), heard);
        talk(0, 1_000);
        talk(2, 1_000);
        assertEquals(List.of("bob", "ann", "cid"), heard);
        assertEquals(List.of("cid", "ann", "bob"), h.router.speakerOrder());
        assertEquals("cid", h.router.toJson().get("speakers").get("dominant").asText());

        h.router.removeEndpoint("cid");
        assertNull(h.router.dominantSpeaker(), "the speaker left");
        assertEquals(List.of("ann", "bob"), h.router.speakerOrder());
        talk(1, 1_000);
        assertEquals(List.of("bob", "ann", "cid", "bob"), heard);
    }
}
