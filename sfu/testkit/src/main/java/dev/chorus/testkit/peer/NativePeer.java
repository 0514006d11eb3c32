package dev.chorus.testkit.peer;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.buffer.PacketBuffer;
import dev.chorus.sfu.codec.MediaKind;
import dev.chorus.sfu.forward.PacketEgress;
import dev.chorus.sfu.rtcp.ReceiverReportWriter;
import dev.chorus.sfu.rtcp.ReportBlock;
import dev.chorus.sfu.rtcp.SdesWriter;
import dev.chorus.sfu.sdp.Direction;
import dev.chorus.sfu.sdp.Fingerprint;
import dev.chorus.sfu.sdp.IceCandidate;
import dev.chorus.sfu.sdp.LocalTransport;
import dev.chorus.sfu.sdp.RemoteTransport;
import dev.chorus.sfu.sdp.SdpException;
import dev.chorus.sfu.transport.DtlsCertificate;
import dev.chorus.sfu.transport.TransportConfig;
import dev.chorus.sfu.transport.WebRtcTransport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * A WebRTC peer in plain Java that talks to the SFU as a browser does: it writes a Unified Plan offer,
 * applies the SFU's answer, runs ICE (controlling) + DTLS (client) + SRTP through a client
 * {@link WebRtcTransport}, sends synthetic Opus / VP8 RTP on its published lines and counts what the SFU
 * sends back. For tests and load-test bots.
 *
 * <pre>{@code
 * NativePeer peer = NativePeer.create(config, cert, "bot-1");
 * String offer = peer.createOffer(1, 1, 0, 0);      // send audio + video
 * // or: createOffer(1, 1, 0, 0, SimulcastOptions.DEFAULT), the video as layers "l", "m", "h"
 * peer.applyAnswer(answerFromSignaling);            // starts ICE on the first answer
 * peer.connected().get(10, SECONDS);                // DTLS up
 * peer.sendAudioPacket();
 * peer.sendVideoFrame(new byte[3000], true);
 * String reoffer = peer.createOffer(1, 1, 2, 2);    // same lines and SSRCs, plus 4 recvonly lines
 * peer.applyAnswer(reanswer);
 * peer.received("3").packets();                     // what the SFU sent on mid 3
 * peer.close();
 * }</pre>
 *
 * <p>Threads: the peer starts none itself; its transport's reader thread (ended by {@link #close()})
 * delivers packets, and DTLS/ICE threads complete {@link #connected()}. Do not block in stages attached to
 * that future without {@code ...Async}. Signaling methods are synchronized; sending is thread-safe.
 */
public final class NativePeer implements AutoCloseable {
    private static final int MAX_REPORT_BLOCKS = 31;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._~+-]{1,32}");

    private final String name;
    private final long sessionId;
    /** Sender SSRC of our receiver reports (RFC 3550 wants one even for a peer that sends no RTP). */
    private final long rtcpSsrc = ThreadLocalRandom.current().nextLong(1, 1L << 32);

    private final ReceivedStreams received = new ReceivedStreams();
    private final FeedbackReader feedback = new FeedbackReader(this::onKeyframeRequest, this::onNack);
    private final CompletableFuture<Void> connected = new CompletableFuture<>();
    private final WebRtcTransport transport;
    private final PacketEgress out;
    private final OfferWriter offerWriter;
    /** One clock for every line's simulcast timestamps and sender reports. */
    private final SenderClock senderClock = SenderClock.system();

    /** Every line offered so far, in mid order (a pending offer's new lines included). */
    private final List<OfferLine> lines = new ArrayList<>();

    private final Map<String, SendStream> sendByMid = new LinkedHashMap<>();
    /** Read on the reader thread for PLI/FIR. */
    private final Map<Long, SendStream> sendBySsrc = new ConcurrentHashMap<>();

    private final Set<Long> usedSsrcs = new HashSet<>();
    private final Set<String> remoteCandidates = new HashSet<>();
    private volatile Map<String, RemoteLine> remoteLines = Map.of();
    private List<OfferLine> pendingOffer;
    private long offerVersion;
    private int answersApplied;
    private RemoteTransport remoteTransport;
    private final AtomicLong unknownKeyframeRequests = new AtomicLong();
    private volatile String lastEvent = "NEW";
    private volatile String failureReason;
    private LongSupplier stampClock;
    private int videoFrameWidth = Vp8Packetizer.WIDTH;
    private int videoFrameHeight = Vp8Packetizer.HEIGHT;

    private NativePeer(TransportConfig config, DtlsCertificate certificate, String name) throws IOException {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("peer name must be 1-32 token characters: " + name);
        }
        this.name = name;
        this.sessionId = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        this.transport = WebRtcTransport.createClient(config, certificate, new TransportEvents());
        this.out = PacketEgress.to(transport);
        try {
            List<String> candidates = transport.localCandidates().stream()
                    .map(IceCandidate::toSdp)
                    .toList();
            String fp = transport.localFingerprint();
            int space = fp.indexOf(' ');
            LocalTransport local = new LocalTransport(
                    transport.localUfrag(),
                    transport.localPassword(),
                    new Fingerprint(fp.substring(0, space), fp.substring(space + 1)),
                    candidates,
                    true);
            this.offerWriter = new OfferWriter(local, name, sessionId);
        } catch (RuntimeException e) {
            transport.close();
            throw e;
        }
    }

    /** A peer with its own client transport (own UDP socket on {@code config.bindAddress()}). */
    public static NativePeer create(TransportConfig config, DtlsCertificate certificate, String name)
            throws IOException {
        return new NativePeer(
                Objects.requireNonNull(config, "config"),
                Objects.requireNonNull(certificate, "certificate"),
                Objects.requireNonNull(name, "name"));
    }

    /** As {@link #create(TransportConfig, DtlsCertificate, String)} with a random name. */
    public static NativePeer create(TransportConfig config, DtlsCertificate certificate) throws IOException {
        return create(
                config,
                certificate,
                "peer-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16));
    }

    // ---------------------------------------------------------------- signaling

    /**
     * An offer with {@code sendAudio} + {@code sendVideo} published lines and {@code recvAudio} +
     * {@code recvVideo} receive lines. The first offer orders them send audio, send video, recv audio, recv
     * video; a re-offer keeps every earlier line (same mid, SSRCs and direction) and appends the lines needed
     * to reach the new counts in the same order. Counts never shrink (m= lines are never removed).
     */
    public synchronized String createOffer(int sendAudio, int sendVideo, int recvAudio, int recvVideo) {
        return offer(sendAudio, sendVideo, recvAudio, recvVideo, null);
    }

    /**
     * As {@link #createOffer(int, int, int, int)}, with the published video lines this offer adds sent as
     * simulcast with {@code simulcast}'s layers: the offer names them by rid and announces no SSRCs (as
     * Chromium's does), and every packet carries the mid and the layer's rid header extension. Lines offered
     * before keep what they were.
     */
    public synchronized String createOffer(
            int sendAudio, int sendVideo, int recvAudio, int recvVideo, SimulcastOptions simulcast) {
        return offer(sendAudio, sendVideo, recvAudio, recvVideo, Objects.requireNonNull(simulcast, "simulcast"));
    }

    private String offer(int sendAudio, int sendVideo, int recvAudio, int recvVideo, SimulcastOptions simulcast) {
        requireOpen();
        int[] want = {sendAudio, sendVideo, recvAudio, recvVideo};
        int[] have = new int[4];
        for (OfferLine l : lines) {
            have[slot(l.kind(), l.direction())]++;
        }
        for (int i = 0; i < 4; i++) {
            if (want[i] < have[i]) {
                throw new IllegalArgumentException("a re-offer cannot remove m= lines: asked " + want[i] + " of slot "
                        + i + ", already offered " + have[i]);
            }
        }
        if (lines.isEmpty() && want[0] + want[1] + want[2] + want[3] == 0) {
            throw new IllegalArgumentException("an offer needs at least one m= line");
        }
        for (int i = 0; i < 4; i++) {
            for (int n = have[i]; n < want[i]; n++) {
                addLine(i, simulcast);
            }
        }
        pendingOffer = List.copyOf(lines);
        return offerWriter.write(++offerVersion, pendingOffer);
    }

    private static int slot(MediaKind kind, Direction direction) {
        return (direction == Direction.SENDONLY ? 0 : 2) + (kind == MediaKind.AUDIO ? 0 : 1);
    }

    private void addLine(int slot, SimulcastOptions simulcast) {
        String mid = OfferWriter.mid(lines.size());
        MediaKind kind = slot % 2 == 0 ? MediaKind.AUDIO : MediaKind.VIDEO;
        if (slot >= 2) {
            lines.add(OfferLine.recv(kind));
            return;
        }
        LocalTrack track;
        if (kind == MediaKind.AUDIO) {
            track = LocalTrack.audio(newSsrc(), name, "audio-" + mid);
        } else if (simulcast == null) {
            track = LocalTrack.video(newSsrc(), newSsrc(), name, "video-" + mid);
        } else {
            List<SimulcastLayer> layers = new ArrayList<>();
            for (String rid : simulcast.rids()) {
                layers.add(new SimulcastLayer(rid, newSsrc(), newSsrc()));
            }
            track = LocalTrack.simulcastVideo(layers, name, "video-" + mid);
        }
        lines.add(OfferLine.send(track));
        SendStream s = new SendStream(
                mid, track, kind == MediaKind.AUDIO ? OfferWriter.OPUS_PT : OfferWriter.VP8_PT, out, senderClock, name);
        s.stampClock(stampClock);
        s.frameSize(videoFrameWidth, videoFrameHeight);
        sendByMid.put(mid, s);
        for (SendLayer l : s.layers()) {
            sendBySsrc.put(l.ssrc(), s);
        }
    }

    private long newSsrc() {
        while (true) {
            long ssrc = ThreadLocalRandom.current().nextLong(1, 0x1_0000_0000L);
            if (usedSsrcs.add(ssrc)) {
                return ssrc;
            }
        }
    }

    /**
     * Applies the SFU's answer to the last offer. The first answer gives the transport the SFU's ICE
     * credentials, fingerprint and candidates and starts ICE; later answers must keep them (no ICE restart)
     * and may add candidates. Records per mid what the SFU sends (SSRC, payload types, direction).
     *
     * @throws SdpException          if the answer is malformed or does not match the offer
     * @throws IllegalStateException if there is no offer waiting for an answer
     */
    public synchronized void applyAnswer(String sdp) throws SdpException {
        requireOpen();
        if (pendingOffer == null) {
            throw new IllegalStateException("no offer is waiting for an answer");
        }
        AnswerReader.Result answer = AnswerReader.read(sdp, pendingOffer);
        RemoteTransport remote =
                answer.transport().orElseThrow(() -> new SdpException("the answer rejects every m= line"));
        if (remoteTransport != null
                && (!remote.iceUfrag().equals(remoteTransport.iceUfrag())
                        || !remote.icePwd().equals(remoteTransport.icePwd())
                        || !remote.fingerprint().equals(remoteTransport.fingerprint()))) {
            throw new SdpException("the answer changes ICE credentials or fingerprint; ICE restart is not supported");
        }
        Map<String, RemoteLine> byMid = new LinkedHashMap<>();
        Set<Integer> vp8 = new HashSet<>();
        for (RemoteLine line : answer.lines()) {
            byMid.put(line.mid(), line);
            if (line.kind() == MediaKind.VIDEO) {
                line.payloadType().ifPresent(vp8::add);
            }
            if (line.sfuSends()) {
                line.ssrc().ifPresent(received::register);
                line.rtxSsrc().ifPresent(received::register);
            }
            SendStream s = sendByMid.get(line.mid());
            if (s != null && line.payloadType().isPresent()) {
                s.configure(line);
            }
        }
        received.vp8PayloadTypes(vp8);
        remoteLines = Map.copyOf(byMid);
        pendingOffer = null;
        answersApplied++;
        if (remoteTransport == null) {
            remoteTransport = remote;
            transport.setRemoteIceCredentials(remote.iceUfrag(), remote.icePwd());
            transport.setRemoteFingerprint(
                    remote.fingerprint().hashFunction(), remote.fingerprint().value());
            remote.candidates().forEach(this::addCandidateOnce);
            transport.start();
        } else {
            remote.candidates().forEach(this::addCandidateOnce);
        }
    }

    /**
     * A candidate trickled by the SFU ("candidate:..." or "a=candidate:..."). Returns false if the transport
     * ignored it (not UDP, not allowed, a name instead of an address) or it was already known.
     */
    public synchronized boolean addRemoteCandidate(String candidateLine) {
        requireOpen();
        return addCandidateOnce(candidateLine);
    }

    private boolean addCandidateOnce(String candidateLine) {
        String key = candidateLine.startsWith("a=") ? candidateLine.substring(2).trim() : candidateLine.trim();
        if (!remoteCandidates.add(key)) {
            return false;
        }
        return transport.addRemoteCandidate(key);
    }

    /** Completes when DTLS is connected; completes exceptionally on ICE/DTLS failure or close before that. */
    public CompletableFuture<Void> connected() {
        return connected;
    }

    // ---------------------------------------------------------------- sending

    /** One 20 ms Opus packet on the first published audio line. */
    public boolean sendAudioPacket() {
        return sendAudioPacket(firstSendMid(MediaKind.AUDIO));
    }

    public boolean sendAudioPacket(String mid) {
        return sendStream(mid).sendAudio();
    }

    /** One video frame on the first published video line; see {@link #sendVideoFrame(String, byte[], boolean)}. */
    public boolean sendVideoFrame(byte[] frame, boolean keyframe) {
        return sendVideoFrame(firstSendMid(MediaKind.VIDEO), frame, keyframe);
    }

    /**
     * Sends {@code frame} behind a VP8 frame header, split into packets with the marker on the last. It goes
     * out as a key frame if {@code keyframe} is set, if it is the line's first frame, or if the SFU asked for
     * one (PLI/FIR) since the last frame. A simulcast line sends the frame on each layer (smaller on the lower
     * ones) that is not turned off ({@code sendStream(mid).layer(i).setActive(false)}), and only a layer the
     * SFU asked a key frame of sends one. Returns true if every packet was handed
     * to the transport.
     */
    public boolean sendVideoFrame(String mid, byte[] frame, boolean keyframe) {
        return sendStream(mid).sendVideoFrame(frame, keyframe);
    }

    /** The sending state and counters of published line {@code mid}. */
    public synchronized SendStream sendStream(String mid) {
        SendStream s = sendByMid.get(mid);
        if (s == null) {
            throw new IllegalArgumentException("no published line with mid " + mid);
        }
        return s;
    }

    /** Published lines in mid order. */
    public synchronized List<SendStream> sendStreams() {
        return List.copyOf(sendByMid.values());
    }

    private synchronized String firstSendMid(MediaKind kind) {
        return sendByMid.values().stream()
                .filter(s -> s.track().kind() == kind)
                .map(SendStream::mid)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no published " + kind.token() + " line"));
    }

    /**
     * From now on every RTP packet sent on any published line (present or later) ends with a
     * {@link PayloadStamp} holding {@code clock}'s value at send time; null stops it. Video packets carry
     * correspondingly fewer frame bytes, so they stay within the usual payload size.
     */
    public synchronized void stampSendTimes(LongSupplier clock) {
        this.stampClock = clock;
        sendByMid.values().forEach(s -> s.stampClock(clock));
    }

    /**
     * The picture size that key frames of every published video line (present or later) announce from now on
     * (320x240 unless set); on a simulcast line the top layer's, each layer below half the one above
     * (1280x720: 640x360, 320x180), so an SFU picks layers for a {@code view} size by them. 1..16383 each.
     */
    public synchronized void videoFrameSize(int width, int height) {
        if (width < 1 || width > 0x3FFF || height < 1 || height > 0x3FFF) { // 14 bits in a VP8 key frame header
            throw new IllegalArgumentException(
                    "a VP8 frame is 1..16383 pixels wide and high, not " + width + "x" + height);
        }
        this.videoFrameWidth = width;
        this.videoFrameHeight = height;
        sendByMid.values().forEach(s -> s.frameSize(width, height));
    }

    /** PLI/FIR received for any of our SSRCs. */
    public long keyframeRequests() {
        // A simulcast line is in the map once per layer.
        return sendBySsrc.values().stream()
                .distinct()
                .mapToLong(SendStream::keyframeRequests)
                .sum();
    }

    private void onKeyframeRequest(long ssrc) {
        SendStream s = sendBySsrc.get(ssrc);
        if (s == null) {
            unknownKeyframeRequests.incrementAndGet();
        } else {
            s.requestKeyframe(ssrc);
        }
    }

    /** A simulcast layer resends what the SFU NACKs on RTX; a plain line does not retransmit. */
    private void onNack(long ssrc, int seq) {
        SendStream s = sendBySsrc.get(ssrc);
        if (s != null) {
            s.retransmit(ssrc, seq);
        }
    }

    // ---------------------------------------------------------------- receiving

    /**
     * Live counters for what the SFU sends on line {@code mid}, found through the media SSRC the last answer
     * announced there.
     *
     * @throws IllegalArgumentException if the last answer does not send anything on {@code mid}
     */
    public ReceiveStats received(String mid) {
        RemoteLine line = remoteLines.get(mid);
        if (line == null || !line.sfuSends() || line.ssrc().isEmpty()) {
            throw new IllegalArgumentException("the SFU sends nothing on mid " + mid + ": " + line);
        }
        return received.get(line.ssrc().getAsLong());
    }

    /** Counters for any SSRC seen (announced or not), or empty. */
    public Optional<ReceiveStats> receivedSsrc(long ssrc) {
        return Optional.ofNullable(received.get(ssrc));
    }

    /**
     * Calls {@code l} for every valid RTP packet received from now on, on the transport's reader thread
     * (see {@link RtpListener}); null removes it. Counting per SSRC goes on as before (see {@link ReceivedStreams}).
     */
    public void onRtp(RtpListener l) {
        received.listener(l);
    }

    /** Valid RTP packets received on all SSRCs. */
    public long packetsReceived() {
        return received.packets();
    }

    public long bytesReceived() {
        return received.bytes();
    }

    /** What the last applied answer says about {@code mid}. */
    public Optional<RemoteLine> remoteLine(String mid) {
        return Optional.ofNullable(remoteLines.get(mid));
    }

    /** The mids of our lines of {@code kind} offered in {@code direction} (ours: SENDONLY or RECVONLY). */
    public synchronized List<String> mids(MediaKind kind, Direction direction) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).kind() == kind && lines.get(i).direction() == direction) {
                out.add(OfferWriter.mid(i));
            }
        }
        return out;
    }

    /**
     * Sends one RTCP receiver report (RR + SDES CNAME) with a report block for each SSRC heard from so far (up
     * to 31), as a browser does about once a second. For a receive-only peer these reports (beside consent
     * answers) are what tells the SFU it is still there. Blocks carry the last sequence number seen (no cycle
     * count, no loss or jitter figures: the SFU only needs the report's arrival). Any thread; returns false if
     * the transport dropped it.
     */
    public boolean sendReceiverReport() {
        List<ReceiveStats> streams =
                received.all().stream().filter(s -> s.packets() > 0).toList();
        int blocks = Math.min(streams.size(), MAX_REPORT_BLOCKS);
        ReportBlock[] rb = new ReportBlock[blocks];
        for (int i = 0; i < blocks; i++) {
            ReceiveStats s = streams.get(i);
            rb[i] = new ReportBlock().set(s.ssrc(), 0, 0, Math.max(0, s.lastSequenceNumber()), 0, 0, 0);
        }
        byte[] cname = name.getBytes(StandardCharsets.US_ASCII);
        byte[] buf = new byte
                [ReceiverReportWriter.length(blocks) + SdesWriter.length(cname.length) + PacketBuffer.TAIL_ROOM + 16];
        int n = ReceiverReportWriter.write(buf, 0, buf.length, rtcpSsrc, rb, blocks);
        int sdes = SdesWriter.writeCname(buf, n, buf.length, rtcpSsrc, cname, 0, cname.length);
        return n > 0 && sdes > 0 && transport.sendRtcp(buf, 0, n + sdes);
    }

    // ---------------------------------------------------------------- state

    public String name() {
        return name;
    }

    public WebRtcTransport transport() {
        return transport;
    }

    /** The last transport event (ICE_CHECKING, DTLS_CONNECTED, ...), "NEW" before any. */
    public String lastEvent() {
        return lastEvent;
    }

    /** Why ICE or DTLS failed, or null. */
    public String failureReason() {
        return failureReason;
    }

    public synchronized ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("name", name);
        o.put("lastEvent", lastEvent);
        if (failureReason != null) {
            o.put("failureReason", failureReason);
        }
        o.put("offerVersion", offerVersion);
        o.put("answersApplied", answersApplied);
        o.put("offerPending", pendingOffer != null);
        ArrayNode ls = o.putArray("lines");
        for (int i = 0; i < lines.size(); i++) {
            String mid = OfferWriter.mid(i);
            ObjectNode l = ls.addObject();
            l.put("mid", mid);
            l.put("kind", lines.get(i).kind().token());
            l.put("offered", lines.get(i).direction().attribute());
            RemoteLine r = remoteLines.get(mid);
            if (r != null) {
                l.put("answered", r.rejected() ? "rejected" : r.direction().attribute());
                r.payloadType().ifPresent(pt -> l.put("payloadType", pt));
                r.ssrc().ifPresent(s -> l.put("remoteSsrc", s));
                r.rtxSsrc().ifPresent(s -> l.put("remoteRtxSsrc", s));
            }
            SendStream s = sendByMid.get(mid);
            if (s != null) {
                l.set("send", s.toJson());
            }
        }
        ObjectNode rx = o.putObject("received");
        rx.put("packets", received.packets());
        rx.put("bytes", received.bytes());
        rx.put("invalid", received.invalid());
        rx.set("ssrcs", received.toJson());
        ObjectNode fb = o.putObject("feedback");
        fb.put("rtcpPackets", feedback.rtcpPackets());
        fb.put("malformed", feedback.malformed());
        fb.put("keyframeRequests", keyframeRequests());
        fb.put("nacks", feedback.nacks());
        fb.put("unknownSsrcKeyframeRequests", unknownKeyframeRequests.get());
        o.set("transport", transport.toJson());
        return o;
    }

    private void requireOpen() {
        if (transport.isClosed()) {
            throw new IllegalStateException("peer " + name + " is closed");
        }
    }

    /** Closes the transport (and with it its reader thread). Idempotent; not from a transport callback. */
    @Override
    public void close() {
        transport.close();
        connected.completeExceptionally(new IOException("peer " + name + " closed before DTLS connected"));
    }

    /** Transport callbacks; they run on ICE/DTLS/reader threads and must not block. */
    private final class TransportEvents implements WebRtcTransport.Listener {
        @Override
        public void onStateChanged(WebRtcTransport t, WebRtcTransport.Event event, String reason) {
            lastEvent = event.name();
            switch (event) {
                case DTLS_CONNECTED -> connected.complete(null);
                case ICE_FAILED, DTLS_FAILED -> {
                    failureReason = event + ": " + reason;
                    connected.completeExceptionally(new IOException(failureReason));
                }
                case CLOSED ->
                    connected.completeExceptionally(new IOException("peer " + name + " closed before DTLS connected"));
                default -> {}
            }
        }

        @Override
        public void onRtp(WebRtcTransport t, byte[] buf, int off, int len) {
            received.onRtp(buf, off, len);
        }

        @Override
        public void onUndecryptedRtp(WebRtcTransport t, byte[] buf, int off, int len) {
            received.onUndecryptedRtp(buf, off, len);
        }

        @Override
        public void onRtcp(WebRtcTransport t, byte[] buf, int off, int len) {
            feedback.onRtcp(buf, off, len);
        }
    }
}
