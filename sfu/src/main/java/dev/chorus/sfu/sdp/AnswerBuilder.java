package dev.chorus.sfu.sdp;

import dev.chorus.sfu.codec.MediaKind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Decides, m= line by m= line, how the SFU answers a browser's offer, and has the answer
 * written. The browser is always the offerer; the SFU is ICE-controlled full ICE and the DTLS
 * server ({@code a=setup:passive}) on one BUNDLE transport with rtcp-mux.
 *
 * <p>Default per line: what the browser sends is accepted as a publication; a line where the
 * browser wants to receive is answered {@code inactive} until {@link #send} assigns a remote
 * track to it. Stopped transceivers (port 0), lines outside the BUNDLE group, lines without an
 * acceptable codec and lines passed to {@link #reject} are answered with port 0, in place.
 * Simulcast offered on a sending line is accepted only with {@link #acceptSimulcast}.
 *
 * <pre>{@code
 * Answer answer = AnswerBuilder.forOffer(offer)
 *         .transport(localTransport)
 *         .origin(sessionId, ++sessionVersion)
 *         .send("3", RemoteTrack.video("alice", "cam", 1111, 2222, "alice-cname"))
 *         .build();
 * }</pre>
 */
public final class AnswerBuilder {
    private final SessionDescription offer;
    private CodecPolicy policy = CodecPolicy.DEFAULT;
    private LocalTransport transport;
    private Long sessionId;
    private long sessionVersion;
    private final Map<String, RemoteTrack> tracks = new LinkedHashMap<>();
    private final Map<String, String> rejections = new HashMap<>();
    private int maxSimulcastLayers;
    private long dataChannelMaxMessageSize;

    private AnswerBuilder(SessionDescription offer) {
        this.offer = offer;
    }

    public static AnswerBuilder forOffer(SessionDescription offer) {
        return new AnswerBuilder(java.util.Objects.requireNonNull(offer, "offer"));
    }

    public AnswerBuilder transport(LocalTransport localTransport) {
        this.transport = localTransport;
        return this;
    }

    /** The answer's o= line; JSEP wants the same id and a higher version for every new answer. */
    public AnswerBuilder origin(long id, long version) {
        if (id < 0 || version < 0) {
            throw new IllegalArgumentException("session id and version must not be negative");
        }
        this.sessionId = id;
        this.sessionVersion = version;
        return this;
    }

    public AnswerBuilder codecPolicy(CodecPolicy codecPolicy) {
        this.policy = codecPolicy;
        return this;
    }

    /**
     * Accepts simulcast (RFC 8853) of 2 to {@code maxLayers} layers on the video lines the browser
     * sends on. Off (0) by default: only the caller knows how many layers its media plane can take,
     * and without it every line is answered without {@code a=rid} / {@code a=simulcast}, so the
     * browser sends one stream.
     */
    public AnswerBuilder acceptSimulcast(int maxLayers) {
        if (maxLayers < 0) {
            throw new IllegalArgumentException("maxLayers must not be negative");
        }
        this.maxSimulcastLayers = maxLayers;
        return this;
    }

    /**
     * Accepts a data-channel line (RFC 8841, {@code UDP/DTLS/SCTP webrtc-datachannel}) in the BUNDLE group,
     * answered with {@code a=sctp-port:5000} and {@code a=max-message-size:maxMessageSize}. Off (0) by default: such a
     * line is then answered with port 0, and the browser's data channels fail to open.
     */
    public AnswerBuilder acceptDataChannels(long maxMessageSize) {
        if (maxMessageSize < 0) {
            throw new IllegalArgumentException("maxMessageSize must not be negative");
        }
        this.dataChannelMaxMessageSize = maxMessageSize;
        return this;
    }

    /** Sends {@code track} to the browser on the recvonly (or sendrecv) line {@code mid}. */
    public AnswerBuilder send(String mid, RemoteTrack track) {
        tracks.put(mid, track);
        return this;
    }

    /** Rejects line {@code mid} (port 0). Final for the browser: its transceiver is stopped. */
    public AnswerBuilder reject(String mid, String reason) {
        rejections.put(mid, reason);
        return this;
    }

    public Answer build() throws SdpException {
        if (transport == null || sessionId == null) {
            throw new IllegalStateException("transport(...) and origin(...) are required");
        }
        List<String> bundle = offer.bundleGroup().map(Group::mids).orElse(List.of());
        Set<String> mids = new HashSet<>();
        List<NegotiatedSection> sections = new ArrayList<>();
        for (MediaSection section : offer.media()) {
            section.mid().ifPresent(mids::add);
            sections.add(negotiate(section, bundle));
        }
        for (String mid : tracks.keySet()) {
            if (!mids.contains(mid)) {
                throw new IllegalArgumentException("the offer has no m= line with mid " + mid);
            }
        }
        List<String> acceptedMids = bundle.stream()
                .filter(mid -> sections.stream()
                        .anyMatch(s ->
                                !s.rejected() && s.mid().filter(mid::equals).isPresent()))
                .toList();
        Optional<RemoteTransport> remote = Optional.empty();
        if (!acceptedMids.isEmpty()) {
            remote = Optional.of(
                    remoteTransport(offer.sectionByMid(acceptedMids.get(0)).orElseThrow()));
        }
        String sdp = new AnswerWriter(transport, sessionId, sessionVersion, dataChannelMaxMessageSize)
                .write(offer, sections, acceptedMids);
        return new Answer(sdp, sections, remote);
    }

    private NegotiatedSection negotiate(MediaSection offered, List<String> bundle) {
        Optional<String> problem = whyRejected(offered, bundle);
        if (problem.isPresent()) {
            return NegotiatedSection.rejected(offered, problem.get());
        }
        if (offered.kind() == MediaKind.APPLICATION) {
            return NegotiatedSection.dataChannel(offered);
        }
        Optional<CodecSelection> codecs = policy.select(offered);
        if (codecs.isEmpty()) {
            return NegotiatedSection.rejected(
                    offered,
                    "no acceptable " + offered.kind().token() + " codec (we accept "
                            + (offered.kind() == MediaKind.AUDIO
                                    ? "opus/48000/2"
                                    : String.join("/90000, ", policy.videoCodecs()) + "/90000")
                            + ")");
        }
        String mid = offered.mid().orElseThrow();
        RemoteTrack track = tracks.get(mid);
        if (track != null) {
            if (!offered.direction().receives()) {
                throw new IllegalArgumentException(
                        "m= line " + mid + " is " + offered.direction().attribute()
                                + " in the offer; the browser cannot receive " + track.trackId() + " on it");
            }
            if (track.kind() != offered.kind()) {
                throw new IllegalArgumentException(
                        "m= line " + mid + " is " + offered.kind().token() + ", track " + track.trackId() + " is "
                                + track.kind().token());
            }
        }
        boolean sfuReceives = offered.direction().sends();
        Direction direction = Direction.of(track != null, sfuReceives);
        List<HeaderExtension> extensions = offered.extensions().stream()
                .filter(e -> policy.acceptsExtension(e.uri(), codecs.get()))
                .map(e -> new HeaderExtension(e.id(), e.uri(), e.direction().map(Direction::reversed), ""))
                .toList();
        SimulcastAnswer simulcast = sfuReceives
                ? SimulcastAnswer.decide(offered, codecs.get(), extensions, maxSimulcastLayers)
                : SimulcastAnswer.NONE;
        Optional<Publication> publication = Optional.empty();
        if (sfuReceives) {
            Publication announced = Publication.of(offered);
            publication = Optional.of(simulcast.layers().isEmpty() ? announced : announced.withoutStreams());
        }
        return new NegotiatedSection(
                offered.index(),
                offered.mid(),
                offered.kind(),
                false,
                Optional.empty(),
                direction,
                codecs,
                extensions,
                offered.rtcpRsize(),
                publication,
                Optional.ofNullable(track),
                simulcast.layers(),
                simulcast.declined());
    }

    private Optional<String> whyRejected(MediaSection offered, List<String> bundle) {
        if (offered.rejected()) {
            return Optional.of("rejected in the offer (port 0)");
        }
        boolean data = offered.kind() == MediaKind.APPLICATION;
        if (data && !offered.isDataChannel()) {
            return Optional.of("m=application " + offered.protocol() + " is not UDP/DTLS/SCTP webrtc-datachannel");
        }
        if (data && dataChannelMaxMessageSize == 0) {
            return Optional.of("data channels are off");
        }
        if (!data && offered.kind() != MediaKind.AUDIO && offered.kind() != MediaKind.VIDEO) {
            return Optional.of("m=" + offered.kindToken() + " is not supported");
        }
        if (offered.mid().isEmpty()) {
            return Optional.of("no a=mid");
        }
        String mid = offered.mid().get();
        if (!bundle.contains(mid)) {
            return Optional.of("not in the BUNDLE group");
        }
        if (data) {
            return Optional.ofNullable(rejections.get(mid));
        }
        if (!offered.rtcpMux()) {
            return Optional.of("no a=rtcp-mux");
        }
        if (!offered.protocol().toUpperCase(Locale.ROOT).endsWith("RTP/SAVPF")) {
            return Optional.of("protocol " + offered.protocol() + " is not DTLS-SRTP");
        }
        return Optional.ofNullable(rejections.get(mid));
    }

    private static RemoteTransport remoteTransport(MediaSection tagged) throws SdpException {
        String where = "m= line " + tagged.mid().orElse("") + ": ";
        String ufrag = tagged.iceUfrag().orElseThrow(() -> new SdpException(where + "no a=ice-ufrag"));
        String pwd = tagged.icePwd().orElseThrow(() -> new SdpException(where + "no a=ice-pwd"));
        Fingerprint fingerprint = tagged.fingerprint().orElseThrow(() -> new SdpException(where + "no a=fingerprint"));
        if (!fingerprint.isWellFormed()) {
            throw new SdpException(where + "malformed fingerprint '" + fingerprint + "'");
        }
        // RFC 4145: no a=setup means active, which suits us as the DTLS server.
        SetupRole setup = tagged.setup().orElse(SetupRole.ACTIVE);
        if (setup != SetupRole.ACTPASS && setup != SetupRole.ACTIVE) {
            throw new SdpException(where + "a=setup:" + setup.token()
                    + " asks the SFU to be the DTLS client; the SFU only answers setup:passive");
        }
        return new RemoteTransport(ufrag, pwd, fingerprint, setup, tagged.candidates(), tagged.endOfCandidates());
    }
}
