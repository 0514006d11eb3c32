package dev.chorus.sfu.sdp;

import dev.chorus.sfu.codec.MediaKind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/** Collects the lines of one m= section while parsing; attribute order does not matter. */
final class MediaSectionBuilder {
    /** Payload types a browser may use without an rtpmap line (RFC 3551 static table). */
    private static final Map<Integer, String[]> STATIC_PAYLOAD_TYPES = Map.of(
            0, new String[] {"PCMU", "8000"},
            8, new String[] {"PCMA", "8000"},
            9, new String[] {"G722", "8000"},
            13, new String[] {"CN", "8000"});

    private final int index;
    private final MediaKind kind;
    private final String kindToken;
    private final int port;
    private final String protocol;
    private final List<String> formats;

    private String mid;
    private Direction direction;
    private String iceUfrag;
    private String icePwd;
    private Fingerprint fingerprint;
    private SetupRole setup;
    private boolean bundleOnly;
    private boolean endOfCandidates;
    private boolean rtcpMux;
    private boolean rtcpRsize;
    private final List<String> candidates = new ArrayList<>();
    private final Map<Integer, String[]> rtpmaps = new LinkedHashMap<>();
    private final Map<Integer, Map<String, String>> fmtps = new LinkedHashMap<>();
    private final Map<Integer, List<String>> feedback = new LinkedHashMap<>();
    private final List<String> wildcardFeedback = new ArrayList<>();
    private final List<HeaderExtension> extensions = new ArrayList<>();
    private final Map<Long, Map<String, String>> ssrcs = new LinkedHashMap<>();
    private final List<SsrcGroup> ssrcGroups = new ArrayList<>();
    private final List<Msid> msids = new ArrayList<>();
    private final List<Rid> rids = new ArrayList<>();
    private Simulcast simulcast;
    private int sctpPort = -1;
    private long maxMessageSize = -1;

    private MediaSectionBuilder(
            int index, MediaKind kind, String kindToken, int port, String protocol, List<String> formats) {
        this.index = index;
        this.kind = kind;
        this.kindToken = kindToken;
        this.port = port;
        this.protocol = protocol;
        this.formats = formats;
    }

    /** Parses {@code m=<media> <port>[/<count>] <proto> <fmt> ...}. */
    static MediaSectionBuilder fromMediaLine(SdpLine line, int index) throws SdpException {
        String[] tokens = line.value().trim().split(" +");
        if (tokens.length < 3) {
            throw SdpException.atLine(
                    line.number(), "m= line needs <media> <port> <proto> <fmt>...: '" + line.value() + "'");
        }
        String portToken = tokens[1];
        int slash = portToken.indexOf('/');
        if (slash >= 0) {
            SdpNumbers.parseInt(portToken.substring(slash + 1), 1, 65535, "m= port count", line.number());
            portToken = portToken.substring(0, slash);
        }
        int port = SdpNumbers.parseInt(portToken, 0, 65535, "m= port", line.number());
        String protocol = tokens[2];
        List<String> formats = List.of(Arrays.copyOfRange(tokens, 3, tokens.length));
        if (protocol.toUpperCase(java.util.Locale.ROOT).contains("RTP/")) {
            for (String format : formats) {
                SdpNumbers.parseInt(format, 0, 127, "payload type", line.number());
            }
        }
        return new MediaSectionBuilder(index, MediaKind.fromToken(tokens[0]), tokens[0], port, protocol, formats);
    }

    void attribute(SdpLine line) throws SdpException {
        String name = line.attributeName();
        String value = line.attributeValue();
        Optional<Direction> asDirection = Direction.fromAttribute(name);
        if (asDirection.isPresent()) {
            direction = asDirection.get();
            return;
        }
        switch (name) {
            case "mid" -> mid = value.trim();
            case "ice-ufrag" -> iceUfrag = value.trim();
            case "ice-pwd" -> icePwd = value.trim();
            case "fingerprint" -> fingerprint = AttributeParsers.fingerprint(line);
            case "setup" -> setup = AttributeParsers.setup(line);
            case "candidate" -> candidates.add("candidate:" + value.trim());
            case "end-of-candidates" -> endOfCandidates = true;
            case "rtcp-mux" -> rtcpMux = true;
            case "rtcp-rsize" -> rtcpRsize = true;
            case "bundle-only" -> bundleOnly = true;
            case "rtpmap" -> rtpmap(line);
            case "fmtp" -> fmtp(line);
            case "rtcp-fb" -> rtcpFeedback(line);
            case "extmap" -> extensions.add(AttributeParsers.extmap(line));
            case "ssrc" -> ssrc(line);
            case "ssrc-group" -> ssrcGroups.add(AttributeParsers.ssrcGroup(line));
            case "msid" -> msids.add(AttributeParsers.msid(value));
            case "rid" -> rids.add(AttributeParsers.rid(line));
            case "simulcast" -> simulcast = AttributeParsers.simulcast(line);
            case "sctp-port" -> sctpPort = SdpNumbers.parseInt(value.trim(), 1, 65535, "sctp-port", line.number());
            case "max-message-size" ->
                maxMessageSize =
                        SdpNumbers.parseInt(value.trim(), 0, Integer.MAX_VALUE, "max-message-size", line.number());
            default -> {
                // Unknown attributes are ignored (RFC 8866 section 5.13).
            }
        }
    }

    private void rtpmap(SdpLine line) throws SdpException {
        String[] parts = line.attributeValue().trim().split("\\s+", 2);
        int pt = SdpNumbers.parseInt(parts[0], 0, 127, "rtpmap payload type", line.number());
        if (parts.length < 2) {
            throw SdpException.atLine(line.number(), "rtpmap needs <encoding>/<clock rate>");
        }
        String[] encoding = parts[1].trim().split("/");
        if (encoding.length < 2 || encoding[0].isEmpty()) {
            throw SdpException.atLine(line.number(), "rtpmap needs <encoding>/<clock rate>: '" + parts[1] + "'");
        }
        SdpNumbers.parseInt(encoding[1], 1, Integer.MAX_VALUE, "rtpmap clock rate", line.number());
        if (encoding.length > 2) {
            SdpNumbers.parseInt(encoding[2], 1, 255, "rtpmap channels", line.number());
        }
        rtpmaps.putIfAbsent(pt, encoding);
    }

    private void fmtp(SdpLine line) throws SdpException {
        String[] parts = line.attributeValue().trim().split("\\s+", 2);
        int pt = SdpNumbers.parseInt(parts[0], 0, 127, "fmtp payload type", line.number());
        Map<String, String> params = fmtps.computeIfAbsent(pt, k -> new LinkedHashMap<>());
        if (parts.length < 2) {
            return;
        }
        for (String param : parts[1].split(";")) {
            String trimmed = param.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            int eq = trimmed.indexOf('=');
            if (eq < 0) {
                params.put(trimmed, "");
            } else {
                params.put(
                        trimmed.substring(0, eq).trim(),
                        trimmed.substring(eq + 1).trim());
            }
        }
    }

    private void rtcpFeedback(SdpLine line) throws SdpException {
        String[] parts = line.attributeValue().trim().split("\\s+", 2);
        if (parts.length < 2) {
            throw SdpException.atLine(line.number(), "rtcp-fb needs <payload type> <feedback>");
        }
        String value = parts[1].trim().replaceAll("\\s+", " ");
        if (parts[0].equals("*")) {
            wildcardFeedback.add(value);
            return;
        }
        int pt = SdpNumbers.parseInt(parts[0], 0, 127, "rtcp-fb payload type", line.number());
        feedback.computeIfAbsent(pt, k -> new ArrayList<>()).add(value);
    }

    private void ssrc(SdpLine line) throws SdpException {
        String[] parts = line.attributeValue().trim().split(" ", 2);
        long ssrc = SdpNumbers.parseLong(parts[0], 0, 0xFFFF_FFFFL, "ssrc", line.number());
        Map<String, String> attributes = ssrcs.computeIfAbsent(ssrc, k -> new LinkedHashMap<>());
        if (parts.length == 2) {
            String attribute = parts[1];
            int colon = attribute.indexOf(':');
            if (colon < 0) {
                attributes.putIfAbsent(attribute.trim(), "");
            } else {
                attributes.putIfAbsent(
                        attribute.substring(0, colon).trim(),
                        attribute.substring(colon + 1).trim());
            }
        }
    }

    MediaSection build(
            Direction sessionDirection,
            String sessionUfrag,
            String sessionPwd,
            Fingerprint sessionFingerprint,
            SetupRole sessionSetup) {
        return new MediaSection(
                index,
                kind,
                kindToken,
                port,
                protocol,
                formats,
                port == 0 && !bundleOnly,
                bundleOnly,
                Optional.ofNullable(mid),
                direction != null ? direction : sessionDirection,
                Optional.ofNullable(iceUfrag != null ? iceUfrag : sessionUfrag),
                Optional.ofNullable(icePwd != null ? icePwd : sessionPwd),
                Optional.ofNullable(fingerprint != null ? fingerprint : sessionFingerprint),
                Optional.ofNullable(setup != null ? setup : sessionSetup),
                candidates,
                endOfCandidates,
                rtcpMux,
                rtcpRsize,
                codecs(),
                extensions,
                ssrcDescriptions(),
                ssrcGroups,
                msids,
                rids,
                Optional.ofNullable(simulcast),
                sctpPort < 0 ? OptionalInt.empty() : OptionalInt.of(sctpPort),
                maxMessageSize < 0 ? OptionalLong.empty() : OptionalLong.of(maxMessageSize));
    }

    /** Codecs in m= line order; rtpmap/fmtp/rtcp-fb lines for other payload types are dropped. */
    private List<PayloadFormat> codecs() {
        List<PayloadFormat> codecs = new ArrayList<>();
        if (!protocol.toUpperCase(java.util.Locale.ROOT).contains("RTP/")) {
            return codecs;
        }
        for (String format : formats) {
            int pt = Integer.parseInt(format);
            String[] encoding = rtpmaps.getOrDefault(pt, STATIC_PAYLOAD_TYPES.get(pt));
            if (encoding == null) {
                continue; // a dynamic payload type without rtpmap cannot be used
            }
            List<String> fb = new ArrayList<>(wildcardFeedback);
            fb.addAll(feedback.getOrDefault(pt, List.of()));
            codecs.add(new PayloadFormat(
                    pt,
                    encoding[0],
                    Integer.parseInt(encoding[1]),
                    encoding.length > 2 ? Integer.parseInt(encoding[2]) : 1,
                    fmtps.getOrDefault(pt, Map.of()),
                    fb));
        }
        return codecs;
    }

    private List<SsrcDescription> ssrcDescriptions() {
        List<SsrcDescription> list = new ArrayList<>();
        ssrcs.forEach((ssrc, attributes) -> list.add(new SsrcDescription(ssrc, attributes)));
        return list;
    }
}
