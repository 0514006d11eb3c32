package dev.chorus.sfu.conference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The room's one video codec: chosen from what its participants decode, switched for a newcomer, never mixed. */
class RoomVideoCodecTest {
    private static final List<String> BOTH = List.of("VP8", "H264");
    private static final List<String> VP8 = List.of("VP8");
    private static final List<String> H264 = List.of("H264");

    private final RoomVideoCodec room = new RoomVideoCodec(List.of("VP8", "H264"));

    private RoomVideoCodec.Decision offer(String participant, List<String> takes) throws MediaException {
        RoomVideoCodec.Decision d = room.decide(participant, takes);
        room.accept(participant, d);
        return d;
    }

    @Test
    void thePreferredCodecEveryoneDecodesIsTaken() throws MediaException {
        assertNull(room.current());
        assertEquals(new RoomVideoCodec.Decision("VP8", false, BOTH), offer("a", BOTH));
        assertEquals("VP8", offer("b", BOTH).codec());
        assertEquals("VP8", offer("c", VP8).codec(), "Firefox (no H264) keeps the room on VP8");
        assertEquals("VP8", room.current());
    }

    @Test
    void aRoomStartedByAnH264OnlyBrowserUsesH264AndOthersJoinIt() throws MediaException {
        assertEquals(new RoomVideoCodec.Decision("H264", false, H264), offer("a", H264));
        assertEquals(new RoomVideoCodec.Decision("H264", false, BOTH), offer("b", BOTH));
    }

    @Test
    void aNewcomerWhoCannotDecodeTheCodecSwitchesTheRoomToOneEveryoneDecodes() throws MediaException {
        offer("a", BOTH);
        offer("b", BOTH);
        RoomVideoCodec.Decision d = offer("c", H264);
        assertEquals(new RoomVideoCodec.Decision("H264", true, H264), d);
        assertEquals("H264", room.current());
        // It stays on H264 after c leaves (no switch back and forth); a VP8-only browser then switches it back.
        room.left("c");
        assertEquals(new RoomVideoCodec.Decision("H264", false, BOTH), offer("a", BOTH));
        assertEquals(new RoomVideoCodec.Decision("VP8", true, VP8), offer("d", VP8));
        assertEquals(2, room.toJson().get("switches").asInt());
    }

    @Test
    void aNewcomerNoCodecSuitsIsRefusedAndTheRoomIsUnchanged() throws MediaException {
        offer("firefox", VP8);
        MediaException e = assertThrows(MediaException.class, () -> room.decide("chrome-h264", H264));
        assertEquals(MediaException.Kind.UNSUPPORTED_CODEC, e.kind());
        assertTrue(e.getMessage().contains("firefox [VP8]"), e.getMessage());
        assertTrue(e.getMessage().contains("it offers [H264]"), e.getMessage());
        assertEquals("VP8", room.current());
        assertFalse(room.toJson().get("decodable").has("chrome-h264"), "a refused offer is not counted");
        // Once the VP8-only participant left, the same offer is fine.
        room.left("firefox");
        assertEquals(new RoomVideoCodec.Decision("H264", true, H264), offer("chrome-h264", H264));
    }

    @Test
    void anOfferWithoutVideoConstrainsNothingAndKeepsWhatTheParticipantOfferedBefore() throws MediaException {
        assertEquals(new RoomVideoCodec.Decision("VP8", false, null), offer("audio-only", null));
        assertNull(room.current(), "no video yet: still no codec");
        assertEquals(new RoomVideoCodec.Decision("H264", false, H264), offer("a", H264));
        assertEquals("H264", offer("a", null).codec());
        MediaException e = assertThrows(MediaException.class, () -> room.decide("b", VP8));
        assertTrue(e.getMessage().contains("a [H264]"), e.getMessage());
        MediaException none = assertThrows(MediaException.class, () -> room.decide("b", List.of()));
        assertTrue(none.getMessage().contains("none the server forwards"), none.getMessage());
    }

    @Test
    void thePreferenceOrderIsConfigurable() throws MediaException {
        RoomVideoCodec h264First = new RoomVideoCodec(List.of("H264", "VP8"));
        RoomVideoCodec.Decision d = h264First.decide("a", BOTH);
        assertEquals("H264", d.codec());
        RoomVideoCodec vp8Only = new RoomVideoCodec(List.of("VP8"));
        assertThrows(MediaException.class, () -> vp8Only.decide("a", H264));
        assertThrows(IllegalArgumentException.class, () -> new RoomVideoCodec(List.of()));
    }
}
