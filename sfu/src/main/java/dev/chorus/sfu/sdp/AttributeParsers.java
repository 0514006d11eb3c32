package dev.chorus.sfu.sdp;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Parsers for the attribute values that have structure, shared by session and media level. */
final class AttributeParsers {
    private AttributeParsers() {}

    static Fingerprint fingerprint(SdpLine line) throws SdpException {
        String[] parts = line.attributeValue().trim().split("\\s+");
        if (parts.length != 2) {
            throw SdpException.atLine(line.number(), "fingerprint needs <hash function> <value>");
        }
        return new Fingerprint(parts[0], parts[1]);
    }

    static SetupRole setup(SdpLine line) throws SdpException {
        String value = line.attributeValue().trim();
        return SetupRole.fromToken(value)
                .orElseThrow(() -> SdpException.atLine(
                        line.number(), "setup must be active, passive, actpass or holdconn: '" + value + "'"));
    }

    static Group group(SdpLine line) throws SdpException {
        String[] parts = line.attributeValue().trim().split("\\s+");
        if (parts[0].isEmpty()) {
            throw SdpException.atLine(line.number(), "group needs semantics");
        }
        return new Group(parts[0], List.of(parts).subList(1, parts.length));
    }

    /** {@code extmap:<id>[/<direction>] <uri> [<attributes>]}; ids 1-14 one-byte, to 255 two-byte. */
    static HeaderExtension extmap(SdpLine line) throws SdpException {
        String[] parts = line.attributeValue().trim().split("\\s+", 3);
        if (parts.length < 2) {
            throw SdpException.atLine(line.number(), "extmap needs <id> <uri>");
        }
        String idToken = parts[0];
        Optional<Direction> direction = Optional.empty();
        int slash = idToken.indexOf('/');
        if (slash >= 0) {
            String dir = idToken.substring(slash + 1);
            direction = Optional.of(Direction.fromAttribute(dir)
                    .orElseThrow(() ->
                            SdpException.atLine(line.number(), "extmap direction '" + dir + "' is not a direction")));
            idToken = idToken.substring(0, slash);
        }
        int id = SdpNumbers.parseInt(idToken, 1, 255, "extmap id", line.number());
        return new HeaderExtension(id, parts[1], direction, parts.length > 2 ? parts[2] : "");
    }

    static SsrcGroup ssrcGroup(SdpLine line) throws SdpException {
        String[] parts = line.attributeValue().trim().split("\\s+");
        if (parts.length < 2) {
            throw SdpException.atLine(line.number(), "ssrc-group needs <semantics> <ssrc>...");
        }
        List<Long> ssrcs = new ArrayList<>();
        for (int i = 1; i < parts.length; i++) {
            ssrcs.add(SdpNumbers.parseLong(parts[i], 0, 0xFFFF_FFFFL, "ssrc-group ssrc", line.number()));
        }
        return new SsrcGroup(parts[0], ssrcs);
    }

    static Msid msid(String value) {
        String[] parts = value.trim().split("\\s+", 2);
        return new Msid(parts[0], parts.length > 1 ? parts[1].trim() : "");
    }

    static Rid rid(SdpLine line) throws SdpException {
        String[] parts = line.attributeValue().trim().split("\\s+", 3);
        if (parts.length < 2 || !(parts[1].equals("send") || parts[1].equals("recv"))) {
            throw SdpException.atLine(line.number(), "rid needs <id> send or recv: '" + line.attributeValue() + "'");
        }
        return new Rid(parts[0], parts[1].equals("send"), parts.length > 2 ? parts[2] : "");
    }

    /** {@code simulcast:send a;b,c recv d}; also takes the old draft's {@code rid=} prefix. */
    static Simulcast simulcast(SdpLine line) throws SdpException {
        String[] parts = line.attributeValue().trim().split("\\s+");
        List<List<Simulcast.Layer>> send = List.of();
        List<List<Simulcast.Layer>> receive = List.of();
        if (parts.length % 2 != 0) {
            throw SdpException.atLine(line.number(), "simulcast needs send|recv <streams> pairs");
        }
        for (int i = 0; i < parts.length; i += 2) {
            List<List<Simulcast.Layer>> streams = simulcastStreams(parts[i + 1]);
            switch (parts[i]) {
                case "send" -> send = streams;
                case "recv" -> receive = streams;
                default ->
                    throw SdpException.atLine(
                            line.number(), "simulcast direction must be send or recv: '" + parts[i] + "'");
            }
        }
        return new Simulcast(send, receive);
    }

    private static List<List<Simulcast.Layer>> simulcastStreams(String list) {
        String body = list.startsWith("rid=") ? list.substring(4) : list;
        List<List<Simulcast.Layer>> streams = new ArrayList<>();
        for (String stream : body.split(";")) {
            List<Simulcast.Layer> alternatives = new ArrayList<>();
            for (String rid : stream.split(",")) {
                if (!rid.isEmpty()) {
                    boolean paused = rid.startsWith("~");
                    alternatives.add(new Simulcast.Layer(paused ? rid.substring(1) : rid, paused));
                }
            }
            if (!alternatives.isEmpty()) {
                streams.add(List.copyOf(alternatives));
            }
        }
        return streams;
    }
}
