package dev.chorus.testkit.peer;

import dev.chorus.sfu.rtp.RtpExtension;
import dev.chorus.sfu.sdp.Direction;
import dev.chorus.sfu.sdp.Fingerprint;
import dev.chorus.sfu.sdp.HeaderExtension;
import dev.chorus.sfu.sdp.MediaSection;
import dev.chorus.sfu.sdp.PayloadFormat;
import dev.chorus.sfu.sdp.Publication;
import dev.chorus.sfu.sdp.RemoteTransport;
import dev.chorus.sfu.sdp.SdpException;
import dev.chorus.sfu.sdp.SdpParser;
import dev.chorus.sfu.sdp.SessionDescription;
import dev.chorus.sfu.sdp.SetupRole;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/** Reads an SFU answer against the offer it answers: transport parameters and one {@link RemoteLine} per m= line. */
final class AnswerReader {

    /** The parsed answer; {@code transport} is empty only if every line was rejected. */
    record Result(Optional<RemoteTransport> transport, List<RemoteLine> lines) {}

    private AnswerReader() {}

    static Result read(String sdp, List<OfferLine> offered) throws SdpException {
        SessionDescription answer = SdpParser.parse(sdp);
        if (answer.media().size() != offered.size()) {
            throw new SdpException(
                    "the answer has " + answer.media().size() + " m= lines, the offer had " + offered.size());
        }
        List<RemoteLine> lines = new ArrayList<>();
        RemoteTransport transport = null;
        for (int i = 0; i < offered.size(); i++) {
            MediaSection section = answer.media().get(i);
            String mid = OfferWriter.mid(i);
            if (!section.mid().map(mid::equals).orElse(false)) {
                throw new SdpException(
                        "answer m= line " + i + " has mid " + section.mid().orElse("(none)") + ", expected " + mid);
            }
            if (section.kind() != offered.get(i).kind()) {
                throw new SdpException("answer m= line " + mid + " is " + section.kindToken() + ", offered "
                        + offered.get(i).kind().token());
            }
            RemoteLine line = line(mid, section);
            lines.add(line);
            if (!line.rejected() && transport == null) {
                transport = transport(section);
            }
        }
        return new Result(Optional.ofNullable(transport), lines);
    }

    private static RemoteLine line(String mid, MediaSection s) {
        if (s.rejected()) {
            return new RemoteLine(
                    mid,
                    s.kind(),
                    true,
                    Direction.INACTIVE,
                    OptionalInt.empty(),
                    OptionalInt.empty(),
                    OptionalLong.empty(),
                    OptionalLong.empty(),
                    OptionalInt.empty(),
                    OptionalInt.empty(),
                    OptionalInt.empty(),
                    OptionalInt.empty());
        }
        OptionalInt pt = s.codecs().stream()
                .filter(c -> !c.isRtx())
                .mapToInt(PayloadFormat::payloadType)
                .findFirst();
        OptionalInt rtxPt = pt.isPresent()
                ? s.rtxFor(pt.getAsInt())
                        .map(c -> OptionalInt.of(c.payloadType()))
                        .orElse(OptionalInt.empty())
                : OptionalInt.empty();
        // The answer's ssrc lines have the same shape as an offer's (FID group + ssrc lines), so the
        // SDP model's publication reading applies as is.
        List<Publication.Stream> streams = Publication.of(s).streams();
        OptionalLong ssrc = streams.isEmpty()
                ? OptionalLong.empty()
                : OptionalLong.of(streams.get(0).ssrc());
        OptionalLong rtx =
                streams.isEmpty() ? OptionalLong.empty() : streams.get(0).rtxSsrc();
        return new RemoteLine(
                mid,
                s.kind(),
                false,
                s.direction(),
                pt,
                rtxPt,
                ssrc,
                rtx,
                extensionId(s, RtpExtension.MID),
                extensionId(s, RtpExtension.RTP_STREAM_ID),
                extensionId(s, RtpExtension.REPAIRED_RTP_STREAM_ID),
                extensionId(s, RtpExtension.AUDIO_LEVEL));
    }

    private static OptionalInt extensionId(MediaSection s, RtpExtension e) {
        return s.extension(e.uri())
                .map(HeaderExtension::id)
                .map(OptionalInt::of)
                .orElse(OptionalInt.empty());
    }

    private static RemoteTransport transport(MediaSection s) throws SdpException {
        String where = "answer m= line " + s.mid().orElse("") + ": ";
        String ufrag = s.iceUfrag().orElseThrow(() -> new SdpException(where + "no a=ice-ufrag"));
        String pwd = s.icePwd().orElseThrow(() -> new SdpException(where + "no a=ice-pwd"));
        Fingerprint fp = s.fingerprint().orElseThrow(() -> new SdpException(where + "no a=fingerprint"));
        if (!fp.isWellFormed()) {
            throw new SdpException(where + "malformed fingerprint '" + fp + "'");
        }
        // Our transport is always the DTLS client, so the SFU must be passive.
        SetupRole setup = s.setup().orElse(SetupRole.ACTIVE);
        if (setup != SetupRole.PASSIVE) {
            throw new SdpException(where + "a=setup:" + setup.token() + "; the native client needs setup:passive");
        }
        return new RemoteTransport(ufrag, pwd, fp, setup, s.candidates(), s.endOfCandidates());
    }
}
