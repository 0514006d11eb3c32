package dev.chorus.testkit.peer;

import dev.chorus.sfu.codec.MediaKind;
import dev.chorus.sfu.rtp.RtpExtension;
import dev.chorus.sfu.sdp.LocalTransport;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Writes the offer a Chromium browser would send in Unified Plan for the given lines, reduced to
 * what the SFU negotiates (see sfu/CODECS.md): Opus on audio lines, VP8 + RTX on video lines, the
 * mid / abs-send-time / transport-wide-cc (+ audio level) header extensions, one BUNDLE group and
 * rtcp-mux. Mids are the line indexes "0", "1", ...; a re-offer passes the earlier lines first,
 * unchanged, and appends new ones.
 *
 * <p>A simulcast track's line is written as Chromium writes one with {@code sendEncodings}: the rid and
 * repaired-rid extensions besides the others, {@code a=rid:<id> send} per layer, {@code a=simulcast:send}
 * and no a=ssrc lines, so the SFU has to learn the layers' SSRCs from the mid and rid header extensions.
 */
public final class OfferWriter {
    public static final int OPUS_PT = 111;
    public static final int VP8_PT = 96;
    public static final int RTX_PT = 97;
    /** Extension ids as Chromium numbers them, so offers look like the fixtures in test resources. */
    public static final int EXT_AUDIO_LEVEL = 1;

    public static final int EXT_ABS_SEND_TIME = 2;
    public static final int EXT_TRANSPORT_CC = 3;
    public static final int EXT_MID = 4;
    public static final int EXT_RID = 10;
    public static final int EXT_REPAIRED_RID = 11;

    private static final String PROTOCOL = "UDP/TLS/RTP/SAVPF";
    private static final String NO_ADDRESS = "IN IP4 0.0.0.0";
    private static final List<String> VIDEO_FEEDBACK =
            List.of("goog-remb", "transport-cc", "ccm fir", "nack", "nack pli");

    private final LocalTransport transport;
    private final String cname;
    private final long sessionId;

    /**
     * @param transport the client transport's ICE credentials, fingerprint and candidates (written on every
     *                  m= line, as a browser does once gathering is complete)
     * @param cname     the RTCP CNAME of every local SSRC
     * @param sessionId the o= session id, the same for every offer of one peer connection
     */
    public OfferWriter(LocalTransport transport, String cname, long sessionId) {
        this.transport = Objects.requireNonNull(transport, "transport");
        this.cname = Objects.requireNonNull(cname, "cname");
        if (sessionId < 0) {
            throw new IllegalArgumentException("session id must not be negative");
        }
        this.sessionId = sessionId;
    }

    /** The mid of line {@code index}. */
    public static String mid(int index) {
        return Integer.toString(index);
    }

    /** The offer text (CRLF line ends) for {@code lines}; {@code version} must grow with every offer. */
    public String write(long version, List<OfferLine> lines) {
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("an offer needs at least one m= line");
        }
        StringBuilder out = new StringBuilder(2048 + 1024 * lines.size());
        line(out, "v=0");
        line(out, "o=- " + sessionId + " " + version + " IN IP4 127.0.0.1");
        line(out, "s=-");
        line(out, "t=0 0");
        StringBuilder bundle = new StringBuilder("a=group:BUNDLE");
        for (int i = 0; i < lines.size(); i++) {
            bundle.append(' ').append(mid(i));
        }
        line(out, bundle.toString());
        Set<String> streams = new LinkedHashSet<>();
        lines.forEach(l -> l.track().ifPresent(t -> streams.add(t.streamId())));
        line(out, "a=msid-semantic: WMS" + (streams.isEmpty() ? "" : " " + String.join(" ", streams)));
        for (int i = 0; i < lines.size(); i++) {
            section(out, mid(i), lines.get(i));
        }
        return out.toString();
    }

    private void section(StringBuilder out, String mid, OfferLine l) {
        boolean audio = l.kind() == MediaKind.AUDIO;
        line(out, "m=" + l.kind().token() + " 9 " + PROTOCOL + (audio ? " " + OPUS_PT : " " + VP8_PT + " " + RTX_PT));
        line(out, "c=" + NO_ADDRESS);
        line(out, "a=rtcp:9 " + NO_ADDRESS);
        for (String candidate : transport.candidates()) {
            line(out, "a=" + candidate);
        }
        line(out, "a=ice-ufrag:" + transport.iceUfrag());
        line(out, "a=ice-pwd:" + transport.icePwd());
        line(out, "a=ice-options:trickle");
        line(out, "a=fingerprint:" + transport.fingerprint());
        line(out, "a=setup:actpass");
        line(out, "a=mid:" + mid);
        if (audio) {
            line(out, "a=extmap:" + EXT_AUDIO_LEVEL + " " + RtpExtension.AUDIO_LEVEL.uri());
        }
        line(out, "a=extmap:" + EXT_ABS_SEND_TIME + " " + RtpExtension.ABS_SEND_TIME.uri());
        line(out, "a=extmap:" + EXT_TRANSPORT_CC + " " + RtpExtension.TRANSPORT_CC.uri());
        line(out, "a=extmap:" + EXT_MID + " " + RtpExtension.MID.uri());
        boolean simulcast = l.track().map(LocalTrack::simulcast).orElse(false);
        if (simulcast) {
            line(out, "a=extmap:" + EXT_RID + " " + RtpExtension.RTP_STREAM_ID.uri());
            line(out, "a=extmap:" + EXT_REPAIRED_RID + " " + RtpExtension.REPAIRED_RTP_STREAM_ID.uri());
        }
        line(out, "a=" + l.direction().attribute());
        l.track().ifPresent(t -> line(out, "a=msid:" + msid(t)));
        line(out, "a=rtcp-mux");
        line(out, "a=rtcp-rsize");
        if (audio) {
            line(out, "a=rtpmap:" + OPUS_PT + " opus/48000/2");
            line(out, "a=rtcp-fb:" + OPUS_PT + " transport-cc");
            line(out, "a=fmtp:" + OPUS_PT + " minptime=10;useinbandfec=1");
        } else {
            line(out, "a=rtpmap:" + VP8_PT + " VP8/90000");
            for (String fb : VIDEO_FEEDBACK) {
                line(out, "a=rtcp-fb:" + VP8_PT + " " + fb);
            }
            line(out, "a=rtpmap:" + RTX_PT + " rtx/90000");
            line(out, "a=fmtp:" + RTX_PT + " apt=" + VP8_PT);
        }
        if (simulcast) {
            ridLines(out, l.track().orElseThrow());
        } else {
            l.track().ifPresent(t -> ssrcLines(out, t));
        }
        if (transport.endOfCandidates()) {
            line(out, "a=end-of-candidates");
        }
    }

    private void ssrcLines(StringBuilder out, LocalTrack t) {
        t.rtxSsrc().ifPresent(rtx -> line(out, "a=ssrc-group:FID " + t.ssrc() + " " + rtx));
        line(out, "a=ssrc:" + t.ssrc() + " cname:" + cname);
        line(out, "a=ssrc:" + t.ssrc() + " msid:" + msid(t));
        t.rtxSsrc().ifPresent(rtx -> {
            line(out, "a=ssrc:" + rtx + " cname:" + cname);
            line(out, "a=ssrc:" + rtx + " msid:" + msid(t));
        });
    }

    private static void ridLines(StringBuilder out, LocalTrack t) {
        for (SimulcastLayer layer : t.layers()) {
            line(out, "a=rid:" + layer.rid() + " send");
        }
        StringBuilder send = new StringBuilder("a=simulcast:send ");
        for (int i = 0; i < t.layers().size(); i++) {
            send.append(i == 0 ? "" : ";").append(t.layers().get(i).rid());
        }
        line(out, send.toString());
    }

    private static String msid(LocalTrack t) {
        return t.streamId() + " " + t.trackId();
    }

    private static void line(StringBuilder out, String text) {
        out.append(text).append("\r\n");
    }
}
