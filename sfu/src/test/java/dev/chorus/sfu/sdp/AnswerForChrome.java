package dev.chorus.sfu.sdp;

import dev.chorus.sfu.forward.ProducerParams;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Not a test: the answerer used by the manual Chrome acceptance run (see
 * src/test/resources/sdp/README.md). Reads an offer on stdin, gives the recvonly m= lines fixed
 * fake remote tracks by mid, accepts simulcast as the SFU does, and prints the answer.
 */
public final class AnswerForChrome {
    static final LocalTransport TRANSPORT = new LocalTransport(
            "sfuU",
            "sfuPasswordSfuPassword1",
            new Fingerprint(
                    "sha-256",
                    "9A:1F:00:3B:7C:41:D2:58:E6:0D:AA:19:42:C7:5E:B3:08:F1:6A:22:CD:90:7E:13:4B:A8:55:E2:31:0C:9F:66"),
            List.of("candidate:1 1 udp 2130706431 127.0.0.1 40000 typ host"),
            true);

    /** The recvonly mids Chrome assigns in the fixture scenarios (2 audio, 3 and 4 video). */
    static final Map<String, RemoteTrack> TRACKS_BY_MID = Map.of(
            "2", RemoteTrack.audio("pub-alice", "alice-mic", 1001, "alice-cname"),
            "3", RemoteTrack.video("pub-alice", "alice-cam", 2001, 2002, "alice-cname"),
            "4", RemoteTrack.video("pub-bob", "bob-cam", 3001, 3002, "bob-cname"));

    private AnswerForChrome() {}

    public static void main(String[] args) throws IOException, SdpException {
        SessionDescription offer = SdpParser.parse(new String(System.in.readAllBytes(), StandardCharsets.UTF_8));
        AnswerBuilder builder = AnswerBuilder.forOffer(offer)
                .transport(TRANSPORT)
                .origin(4242, System.currentTimeMillis() / 1000)
                .acceptSimulcast(ProducerParams.MAX_ENCODINGS);
        for (MediaSection m : offer.media()) {
            RemoteTrack track = TRACKS_BY_MID.get(m.mid().orElse(""));
            // Stable by mid, as the SFU would keep them: a renegotiation changes nothing else.
            if (track != null && !m.rejected() && m.direction().receives()) {
                builder.send(m.mid().get(), track);
            }
        }
        Answer answer = builder.build();
        for (NegotiatedSection s : answer.sections()) {
            System.err.println(s.index() + " mid=" + s.mid().orElse("-") + " " + s.kind() + " "
                    + (s.rejected()
                            ? "rejected: " + s.rejectReason().orElse("")
                            : s.direction().attribute()
                                    + " pt=" + s.payloadType().getAsInt() + " rtx=" + s.rtxPayloadType() + " ext="
                                    + s.extensionIds()
                                    + (s.isSimulcast() ? " simulcast " + s.simulcastRids() : "")
                                    + s.simulcastDeclined()
                                            .map(why -> " simulcast declined: " + why)
                                            .orElse("")
                                    + s.subscription()
                                            .map(t -> " sends " + t.publisherId() + "/" + t.trackId())
                                            .orElse("")
                                    + s.publication()
                                            .map(p -> " publication " + p)
                                            .orElse("")));
        }
        System.out.print(answer.sdp());
    }
}
