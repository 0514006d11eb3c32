package dev.chorus.signaling.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The {@code role} of a {@code join}: participant by default, viewer when asked, nothing else. */
class JoinRoleParserTest {

    private final MessageParser parser = new MessageParser(new Limits(2048, 64, 2000));

    private ClientMessage.Join join(String extra) throws ProtocolException {
        return (ClientMessage.Join)
                parser.parse("{\"type\":\"join\",\"id\":4,\"room\":\"live\",\"name\":\"Ada\"" + extra + "}");
    }

    @Test
    void aJoinWithoutRoleIsAParticipantsAsBefore() throws Exception {
        assertEquals("participant", join("").role());
        assertEquals("participant", join(",\"role\":\"participant\"").role());
        assertEquals("participant", join(",\"role\":null").role());
    }

    @Test
    void aViewerSaysSo() throws Exception {
        assertEquals("viewer", join(",\"role\":\"viewer\"").role());
    }

    @Test
    void anyOtherRoleIsAnInvalidFieldWithTheRequestId() {
        for (String bad : new String[] {"\"presenter\"", "\"Viewer\"", "1", "true", "[\"viewer\"]", "{}", "\"\""}) {
            ProtocolException e = assertThrows(ProtocolException.class, () -> join(",\"role\":" + bad), bad);
            assertEquals(ErrorCode.INVALID_FIELD, e.code(), bad);
            assertEquals("role", e.field(), bad);
            assertEquals(4L, e.requestId(), bad);
        }
    }

    @Test
    void aJoinSaysHowManyRedirectsLedToItOrNone() throws Exception {
        assertEquals(0, join("").redirects());
        assertEquals(2, join(",\"redirects\":2").redirects());
        for (String bad : new String[] {"-1", "11", "1.5", "\"2\"", "true", "[1]"}) {
            ProtocolException e = assertThrows(ProtocolException.class, () -> join(",\"redirects\":" + bad), bad);
            assertEquals(ErrorCode.INVALID_FIELD, e.code(), bad);
            assertEquals("redirects", e.field(), bad);
        }
    }
}
