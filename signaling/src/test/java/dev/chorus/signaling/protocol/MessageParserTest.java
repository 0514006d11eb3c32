package dev.chorus.signaling.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.chorus.sfu.conference.ViewSize;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MessageParserTest {

    private final MessageParser parser = new MessageParser(new Limits(16384, 64, 2000));

    @Test
    void parsesJoinAndTrimsName() throws Exception {
        ClientMessage.Join join = assertInstanceOf(
                ClientMessage.Join.class,
                parser.parse("{\"type\":\"join\",\"id\":1,\"room\":\"Stand-up_2\",\"name\":\"  Ada  \"}"));
        assertEquals("Stand-up_2", join.room());
        assertEquals("Ada", join.name());
        assertEquals(1L, join.id());
    }

    @Test
    void parsesEveryOtherType() throws Exception {
        assertInstanceOf(ClientMessage.Leave.class, parser.parse("{\"type\":\"leave\"}"));
        ClientMessage.Chat chat = assertInstanceOf(
                ClientMessage.Chat.class,
                parser.parse("{\"type\":\"chat\",\"text\":\"line one\\nline two\",\"id\":\"abc\"}"));
        assertEquals("line one\nline two", chat.text());
        assertEquals("abc", chat.id());
        ClientMessage.Mute mute =
                assertInstanceOf(ClientMessage.Mute.class, parser.parse("{\"type\":\"mute\",\"videoMuted\":true}"));
        assertEquals(null, mute.audioMuted());
        assertEquals(true, mute.videoMuted());
        ClientMessage.Ping ping =
                assertInstanceOf(ClientMessage.Ping.class, parser.parse("{\"type\":\"ping\",\"ts\":1732180000000}"));
        assertEquals(1732180000000L, ping.ts());
    }

    @Test
    void ignoresUnknownFields() throws Exception {
        assertInstanceOf(ClientMessage.Leave.class, parser.parse("{\"type\":\"leave\",\"future\":{\"x\":1}}"));
    }

    @ParameterizedTest(name = "{0} -> {1} {2}")
    @CsvSource(
            delimiter = '|',
            value = {
                // input                                                            | code           | field
                "not json at all                                                    | bad_json       |",
                "{\"type\":\"join\",                                                | bad_json       |",
                "[1,2,3]                                                            | bad_message    |",
                "42                                                                 | bad_message    |",
                "{}                                                                 | bad_message    | type",
                "{\"type\":7}                                                       | bad_message    | type",
                "{\"type\":\"teleport\"}                                            | unknown_type   |",
                "{\"type\":\"publish\"}                                             | unknown_type   |",
                "{\"type\":\"offer\"}                                               | invalid_field  | sdp",
                "{\"type\":\"offer\",\"sdp\":7}                                      | invalid_field  | sdp",
                "{\"type\":\"offer\",\"sdp\":\"hello\"}                              | invalid_field  | sdp",
                "{\"type\":\"offer\",\"sdp\":\"v=0\",\"sources\":[]}                 | invalid_field  | sources",
                "{\"type\":\"offer\",\"sdp\":\"v=0\",\"sources\":{\"0\":\"tv\"}}       | invalid_field  | sources",
                "{\"type\":\"offer\",\"sdp\":\"v=0\",\"sources\":{\"0\":1}}          | invalid_field  | sources",
                "{\"type\":\"view\"}                                                | invalid_field  | videos",
                "{\"type\":\"view\",\"videos\":[]}                                  | invalid_field  | videos",
                "{\"type\":\"view\",\"videos\":{\"3\":{\"width\":1}}}              | invalid_field  | videos",
                "{\"type\":\"view\",\"videos\":{\"3\":{\"width\":-1,\"height\":1}}} | invalid_field  | videos",
                "{\"type\":\"view\",\"videos\":{\"3\":{\"width\":1.5,\"height\":1}}}| invalid_field  | videos",
                "{\"type\":\"view\",\"videos\":{\"3\":{\"width\":99999,\"height\":1}}}| invalid_field | videos",
                "{\"type\":\"view\",\"videos\":{\"3\":[320,180]}}                  | invalid_field  | videos",
                "{\"type\":\"candidate\"}                                           | invalid_field  | candidate",
                "{\"type\":\"candidate\",\"candidate\":5}                            | invalid_field  | candidate",
                "{\"type\":\"candidate\",\"candidate\":\"x\",\"sdpMid\":5}             | invalid_field  | sdpMid",
                "{\"type\":\"join\",\"name\":\"Ada\"}                               | invalid_field  | room",
                "{\"type\":\"join\",\"room\":\"r\"}                                 | invalid_field  | name",
                "{\"type\":\"join\",\"room\":5,\"name\":\"Ada\"}                    | invalid_field  | room",
                "{\"type\":\"join\",\"room\":\"has space\",\"name\":\"Ada\"}        | invalid_field  | room",
                "{\"type\":\"join\",\"room\":\"../etc\",\"name\":\"Ada\"}           | invalid_field  | room",
                "{\"type\":\"join\",\"room\":\"\",\"name\":\"Ada\"}                 | invalid_field  | room",
                "{\"type\":\"join\",\"room\":\"r\",\"name\":\"   \"}                | invalid_field  | name",
                "{\"type\":\"join\",\"room\":\"r\",\"name\":\"a\\u0007b\"}          | invalid_field  | name",
                "{\"type\":\"chat\"}                                                | invalid_field  | text",
                "{\"type\":\"chat\",\"text\":\"\"}                                  | invalid_field  | text",
                "{\"type\":\"chat\",\"text\":\"bell\\u0007\"}                       | invalid_field  | text",
                "{\"type\":\"mute\"}                                                | invalid_field  | audioMuted",
                "{\"type\":\"mute\",\"audioMuted\":\"yes\"}                         | invalid_field  | audioMuted",
                "{\"type\":\"ping\",\"ts\":\"now\"}                                 | invalid_field  | ts",
                "{\"type\":\"leave\",\"id\":{}}                                     | invalid_field  | id",
                "{\"type\":\"leave\",\"id\":1.5}                                    | invalid_field  | id",
            })
    void rejectsBadInputWithStableCodes(String input, String code, String field) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> parser.parse(input));
        assertEquals(code, e.code().wire(), e.getMessage());
        assertEquals(field, e.field());
    }

    @Test
    void parsesOfferWithSourcesAndCandidates() throws Exception {
        ClientMessage.Offer offer = (ClientMessage.Offer) parser.parse(
                "{\"type\":\"offer\",\"id\":3,\"sdp\":\"v=0\\r\\n\",\"sources\":{\"0\":\"mic\",\"1\":\"screen\"}}");
        assertEquals(3L, offer.id());
        assertEquals("v=0\r\n", offer.sdp());
        assertEquals(java.util.Map.of("0", "mic", "1", "screen"), offer.sources());
        ClientMessage.Candidate end =
                (ClientMessage.Candidate) parser.parse("{\"type\":\"candidate\",\"candidate\":null}");
        assertEquals(null, end.candidate());
        ClientMessage.Candidate c = (ClientMessage.Candidate)
                parser.parse(
                        "{\"type\":\"candidate\",\"candidate\":\"candidate:1 1 udp 1 127.0.0.1 5000 typ host\",\"sdpMid\":\"0\"}");
        assertEquals("0", c.sdpMid());
    }

    @Test
    void parsesViewSizesByMid() throws Exception {
        ClientMessage.View view = (ClientMessage.View)
                parser.parse(
                        "{\"type\":\"view\",\"videos\":{\"3\":{\"width\":320,\"height\":180},\"5\":{\"width\":0,\"height\":0}}}");
        assertEquals(java.util.Map.of("3", new ViewSize(320, 180), "5", new ViewSize(0, 0)), view.videos());
        ProtocolException tooMany = assertThrows(
                ProtocolException.class,
                () -> parser.parse("{\"type\":\"view\",\"videos\":{"
                        + java.util.stream.IntStream.range(0, Limits.MAX_MEDIA_LINES + 1)
                                .mapToObj(i -> "\"" + i + "\":{\"width\":1,\"height\":1}")
                                .collect(java.util.stream.Collectors.joining(","))
                        + "}}"));
        assertEquals("videos", tooMany.field());
    }

    @Test
    void rejectsOverlongFields() {
        String longRoom = "r".repeat(65);
        assertEquals(
                ErrorCode.INVALID_FIELD,
                assertThrows(
                                ProtocolException.class,
                                () -> parser.parse("{\"type\":\"join\",\"room\":\"" + longRoom + "\",\"name\":\"A\"}"))
                        .code());
        String longName = "n".repeat(65);
        assertEquals(
                "name",
                assertThrows(
                                ProtocolException.class,
                                () -> parser.parse("{\"type\":\"join\",\"room\":\"r\",\"name\":\"" + longName + "\"}"))
                        .field());
        String longText = "t".repeat(2001);
        assertEquals(
                "text",
                assertThrows(
                                ProtocolException.class,
                                () -> parser.parse("{\"type\":\"chat\",\"text\":\"" + longText + "\"}"))
                        .field());
        String longId = "i".repeat(65);
        assertEquals(
                "id",
                assertThrows(
                                ProtocolException.class,
                                () -> parser.parse("{\"type\":\"leave\",\"id\":\"" + longId + "\"}"))
                        .field());
    }

    @Test
    void countsLimitsInCharactersNotUtf16Units() throws Exception {
        // 64 emoji are 128 UTF-16 units but 64 characters: allowed.
        String name = "\uD83D\uDE00".repeat(64);
        ClientMessage.Join join = assertInstanceOf(
                ClientMessage.Join.class, parser.parse("{\"type\":\"join\",\"room\":\"r\",\"name\":\"" + name + "\"}"));
        assertEquals(name, join.name());
    }

    @Test
    void rejectsMessagesOverTheByteLimitBeforeParsing() {
        MessageParser small = new MessageParser(new Limits(100, 64, 2000));
        // 40 three-byte characters: 40 chars but 120 bytes.
        String text = "\u20AC".repeat(40);
        ProtocolException e = assertThrows(
                ProtocolException.class, () -> small.parse("{\"type\":\"chat\",\"text\":\"" + text + "\"}"));
        assertEquals(ErrorCode.TOO_LARGE, e.code());
    }

    @Test
    void echoesRequestIdOnValidationErrors() {
        ProtocolException e = assertThrows(
                ProtocolException.class,
                () -> parser.parse("{\"type\":\"join\",\"id\":\"req-9\",\"room\":\"bad room\",\"name\":\"A\"}"));
        assertEquals("req-9", e.requestId());
        ProtocolException unknown =
                assertThrows(ProtocolException.class, () -> parser.parse("{\"type\":\"nope\",\"id\":3}"));
        assertEquals(3L, unknown.requestId());
    }
}
