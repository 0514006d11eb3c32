package dev.chorus.sfu.sdp;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Parses a session description (RFC 8866) as browsers write it for WebRTC (JSEP, RFC 8829).
 *
 * <p>Tolerant where being strict would buy nothing: unknown line types and attributes are
 * skipped, blank lines and bare LF line ends are accepted. Strict where a wrong guess would
 * negotiate something neither side meant: a malformed m=, rtpmap, extmap, ssrc or number is an
 * {@link SdpException} naming the line.
 */
public final class SdpParser {
    private final SdpLimits limits;

    private Origin origin;
    private String sessionName = "-";
    private final List<Group> groups = new ArrayList<>();
    private String iceUfrag;
    private String icePwd;
    private Fingerprint fingerprint;
    private SetupRole setup;
    private final List<String> iceOptions = new ArrayList<>();
    private boolean iceLite;
    private boolean extmapAllowMixed;
    private Direction sessionDirection = Direction.SENDRECV;
    private final List<MediaSectionBuilder> sections = new ArrayList<>();

    private SdpParser(SdpLimits limits) {
        this.limits = limits;
    }

    public static SessionDescription parse(String sdp) throws SdpException {
        return parse(sdp, SdpLimits.DEFAULT);
    }

    public static SessionDescription parse(String sdp, SdpLimits limits) throws SdpException {
        if (sdp == null || sdp.isBlank()) {
            throw new SdpException("empty session description");
        }
        if (sdp.length() > limits.maxChars()) {
            throw new SdpException("session description has " + sdp.length() + " characters, more than the limit of "
                    + limits.maxChars());
        }
        return new SdpParser(limits).read(sdp);
    }

    private SessionDescription read(String sdp) throws SdpException {
        String[] rawLines = sdp.split("\n", -1);
        boolean seenVersion = false;
        for (int i = 0; i < rawLines.length; i++) {
            String raw = rawLines[i];
            String text = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
            if (text.isBlank()) {
                continue;
            }
            SdpLine line = toLine(text, i + 1);
            if (!seenVersion) {
                if (line.type() != 'v' || !line.value().trim().equals("0")) {
                    throw SdpException.atLine(line.number(), "a session description must start with v=0");
                }
                seenVersion = true;
                continue;
            }
            if (line.type() == 'm') {
                if (sections.size() == limits.maxMediaSections()) {
                    throw SdpException.atLine(line.number(), "more than " + limits.maxMediaSections() + " m= sections");
                }
                sections.add(MediaSectionBuilder.fromMediaLine(line, sections.size()));
            } else if (sections.isEmpty()) {
                sessionLine(line);
            } else if (line.type() == 'a') {
                sections.get(sections.size() - 1).attribute(line);
            }
            // Other media-level lines (c=, b=, i=, k=) carry nothing WebRTC uses.
        }
        if (origin == null) {
            throw new SdpException("missing o= line");
        }
        List<MediaSection> media = new ArrayList<>();
        for (MediaSectionBuilder section : sections) {
            media.add(section.build(sessionDirection, iceUfrag, icePwd, fingerprint, setup));
        }
        return new SessionDescription(
                origin,
                sessionName,
                groups,
                Optional.ofNullable(iceUfrag),
                Optional.ofNullable(icePwd),
                Optional.ofNullable(fingerprint),
                Optional.ofNullable(setup),
                iceOptions,
                iceLite,
                extmapAllowMixed,
                media);
    }

    private static SdpLine toLine(String text, int number) throws SdpException {
        if (text.length() < 2 || text.charAt(1) != '=' || !Character.isLetter(text.charAt(0))) {
            String shown = text.length() > 40 ? text.substring(0, 40) + "..." : text;
            throw SdpException.atLine(number, "expected <letter>=<value>, got '" + shown + "'");
        }
        return new SdpLine(number, text.charAt(0), text.substring(2));
    }

    private void sessionLine(SdpLine line) throws SdpException {
        switch (line.type()) {
            case 'o' -> origin = origin(line);
            case 's' -> sessionName = line.value();
            case 'a' -> sessionAttribute(line);
            default -> {
                // t=, c=, b= and the rest are irrelevant to WebRTC negotiation.
            }
        }
    }

    private static Origin origin(SdpLine line) throws SdpException {
        String[] parts = line.value().trim().split(" +");
        if (parts.length != 6) {
            throw SdpException.atLine(
                    line.number(), "o= needs <username> <sess-id> <sess-version> <nettype> <addrtype> <address>");
        }
        return new Origin(parts[0], parts[1], parts[2], parts[3], parts[4], parts[5]);
    }

    private void sessionAttribute(SdpLine line) throws SdpException {
        String name = line.attributeName();
        String value = line.attributeValue().trim();
        Optional<Direction> direction = Direction.fromAttribute(name);
        if (direction.isPresent()) {
            sessionDirection = direction.get();
            return;
        }
        switch (name) {
            case "group" -> groups.add(AttributeParsers.group(line));
            case "ice-ufrag" -> iceUfrag = value;
            case "ice-pwd" -> icePwd = value;
            case "fingerprint" -> fingerprint = AttributeParsers.fingerprint(line);
            case "setup" -> setup = AttributeParsers.setup(line);
            case "ice-options" -> iceOptions.addAll(List.of(value.split("\\s+")));
            case "ice-lite" -> iceLite = true;
            case "extmap-allow-mixed" -> extmapAllowMixed = true;
            default -> {
                // Unknown session attributes (msid-semantic, ...) are ignored.
            }
        }
    }
}
