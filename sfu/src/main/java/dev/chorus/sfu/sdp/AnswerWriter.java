package dev.chorus.sfu.sdp;

import dev.chorus.sfu.codec.MediaKind;
import dev.chorus.sfu.rtp.RtpExtension;
import java.util.List;
import java.util.StringJoiner;

/** Writes the answer text for decisions already taken by {@link AnswerBuilder}. */
final class AnswerWriter {
    /** JSEP's placeholder: the real address comes from ICE candidates. */
    private static final String NO_ADDRESS = "IN IP4 0.0.0.0";

    private static final int DISCARD_PORT = 9;

    private final LocalTransport transport;
    private final long sessionId;
    private final long sessionVersion;
    private final long maxMessageSize;

    AnswerWriter(LocalTransport transport, long sessionId, long sessionVersion, long maxMessageSize) {
        this.transport = transport;
        this.sessionId = sessionId;
        this.sessionVersion = sessionVersion;
        this.maxMessageSize = maxMessageSize;
    }

    /** {@code bundleMids} lists the accepted bundled mids, the first one carrying the candidates. */
    String write(SessionDescription offer, List<NegotiatedSection> sections, List<String> bundleMids) {
        SdpLinesWriter out = new SdpLinesWriter();
        out.line('v', "0")
                .line('o', "- " + sessionId + " " + sessionVersion + " " + NO_ADDRESS)
                .line('s', "-")
                .line('t', "0 0");
        if (!bundleMids.isEmpty()) {
            out.attribute("group", "BUNDLE " + String.join(" ", bundleMids));
        }
        // No session-level a=extmap-allow-mixed: one-byte header extensions, except on AV1 lines (below).
        out.attribute("msid-semantic", " WMS *");
        for (NegotiatedSection section : sections) {
            MediaSection offered = offer.media().get(section.index());
            if (section.rejected()) {
                writeRejected(out, offered);
            } else if (section.isDataChannel()) {
                writeDataChannel(out, offered, section.mid().orElseThrow().equals(bundleMids.get(0)));
            } else {
                boolean carriesCandidates = section.mid().orElseThrow().equals(bundleMids.get(0));
                writeAccepted(out, offered, section, carriesCandidates, offer.extmapAllowMixed());
            }
        }
        return out.toString();
    }

    private static void writeRejected(SdpLinesWriter out, MediaSection offered) {
        String formats = offered.formats().isEmpty()
                ? "0"
                : offered.kind() == MediaKind.APPLICATION
                        ? String.join(" ", offered.formats())
                        : offered.formats().get(0);
        out.line('m', offered.kindToken() + " 0 " + offered.protocol() + " " + formats)
                .line('c', NO_ADDRESS)
                .attribute(Direction.INACTIVE.attribute());
        offered.mid().ifPresent(mid -> out.attribute("mid", mid));
    }

    /** RFC 8841: our SCTP port is always 5000; the largest message we reassemble. */
    private void writeDataChannel(SdpLinesWriter out, MediaSection offered, boolean carriesCandidates) {
        out.line('m', offered.kindToken() + " " + DISCARD_PORT + " UDP/DTLS/SCTP webrtc-datachannel")
                .line('c', NO_ADDRESS);
        writeTransport(out, offered.mid().orElseThrow());
        out.attribute("sctp-port", "5000").attribute("max-message-size", String.valueOf(maxMessageSize));
        writeCandidates(out, carriesCandidates);
    }

    private void writeTransport(SdpLinesWriter out, String mid) {
        out.attribute("ice-ufrag", transport.iceUfrag())
                .attribute("ice-pwd", transport.icePwd())
                .attribute("ice-options", "trickle")
                .attribute("fingerprint", transport.fingerprint())
                .attribute("setup", SetupRole.PASSIVE.token())
                .attribute("mid", mid);
    }

    private void writeCandidates(SdpLinesWriter out, boolean carriesCandidates) {
        if (carriesCandidates) {
            transport.candidates().forEach(candidate -> out.line('a', candidate));
            if (transport.endOfCandidates()) {
                out.attribute("end-of-candidates");
            }
        }
    }

    private void writeAccepted(
            SdpLinesWriter out,
            MediaSection offered,
            NegotiatedSection section,
            boolean carriesCandidates,
            boolean offerAllowsMixed) {
        CodecSelection codecs = section.codecs().orElseThrow();
        // RED before Opus: Chrome sends RED only when the answer prefers it.
        StringBuilder formats = new StringBuilder();
        codecs.red().ifPresent(red -> formats.append(red.payloadType()).append(' '));
        formats.append(codecs.payloadType());
        codecs.rtx().ifPresent(rtx -> formats.append(' ').append(rtx.payloadType()));
        out.line('m', offered.kindToken() + " " + DISCARD_PORT + " " + offered.protocol() + " " + formats)
                .line('c', NO_ADDRESS)
                .attribute("rtcp", DISCARD_PORT + " " + NO_ADDRESS);
        writeTransport(out, section.mid().orElseThrow());
        for (HeaderExtension extension : section.extensions()) {
            String id = extension.id()
                    + extension.direction().map(d -> "/" + d.attribute()).orElse("");
            out.attribute("extmap", id + " " + extension.uri());
        }
        if (offerAllowsMixed && carriesDependencyDescriptor(section)) {
            // A key frame's Dependency Descriptor (its template structure) is longer than the one-byte form's
            // 16 bytes: without two-byte headers Chromium sends it without the structure.
            out.attribute("extmap-allow-mixed");
        }
        out.attribute(section.direction().attribute());
        section.subscription().ifPresent(track -> out.attribute("msid", track.publisherId() + " " + track.trackId()));
        out.attribute("rtcp-mux");
        if (section.rtcpRsize()) {
            out.attribute("rtcp-rsize");
        }
        codecs.red().ifPresent(red -> writeCodec(out, red));
        writeCodec(out, codecs.media());
        codecs.rtx().ifPresent(rtx -> writeCodec(out, rtx));
        if (!section.simulcastLayers().isEmpty()) {
            writeSimulcast(out, section.simulcastLayers());
        }
        section.subscription()
                .ifPresent(track -> writeSsrcs(out, track, codecs.rtx().isPresent()));
        writeCandidates(out, carriesCandidates);
    }

    private static boolean carriesDependencyDescriptor(NegotiatedSection section) {
        return section.extensions().stream()
                .anyMatch(e -> RtpExtension.DEPENDENCY_DESCRIPTOR.uri().equals(e.uri()));
    }

    private static void writeCodec(SdpLinesWriter out, PayloadFormat codec) {
        out.attribute("rtpmap", codec.payloadType() + " " + codec.rtpmapValue());
        for (String feedback : codec.feedback()) {
            out.attribute("rtcp-fb", codec.payloadType() + " " + feedback);
        }
        if (!codec.parameters().isEmpty()) {
            out.attribute("fmtp", codec.payloadType() + " " + codec.fmtpValue());
        }
    }

    /**
     * RFC 8853 answer to a browser's simulcast: its send layers become our recv layers, in its order
     * and with its pause marks. A layer left out here would be dropped by the browser, so we list
     * exactly what we accepted.
     */
    private static void writeSimulcast(SdpLinesWriter out, List<Simulcast.Layer> layers) {
        StringJoiner streams = new StringJoiner(";", "recv ", "");
        for (Simulcast.Layer layer : layers) {
            out.attribute("rid", layer.rid() + " recv");
            streams.add((layer.paused() ? "~" : "") + layer.rid());
        }
        out.attribute("simulcast", streams);
    }

    /** The SSRCs the forwarder will use; RTX only when RTX was negotiated on this line. */
    private static void writeSsrcs(SdpLinesWriter out, RemoteTrack track, boolean rtxNegotiated) {
        boolean withRtx = rtxNegotiated && track.rtxSsrc().isPresent();
        if (withRtx) {
            out.attribute(
                    "ssrc-group", "FID " + track.ssrc() + " " + track.rtxSsrc().getAsLong());
        }
        out.attribute("ssrc", track.ssrc() + " cname:" + track.cname());
        if (withRtx) {
            out.attribute("ssrc", track.rtxSsrc().getAsLong() + " cname:" + track.cname());
        }
    }
}
