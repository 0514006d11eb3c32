package dev.chorus.sfu.conference;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.capture.PacketCapture;
import dev.chorus.sfu.capture.PcapWriter;
import dev.chorus.sfu.forward.PacketEgress;
import dev.chorus.sfu.forward.PacketIngress;
import dev.chorus.sfu.sdp.Fingerprint;
import dev.chorus.sfu.sdp.IceCandidate;
import dev.chorus.sfu.sdp.IceCandidateParser;
import dev.chorus.sfu.sdp.LocalTransport;
import dev.chorus.sfu.sdp.RemoteTransport;
import dev.chorus.sfu.sdp.SdpException;
import dev.chorus.sfu.transport.SrtpProfile;
import dev.chorus.sfu.transport.WebRtcTransport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One participant's WebRTC transport (ICE, DTLS, SRTP on the shared port) with the ingress and egress
 * that join it to the room's worker (see {@link PacketIngress}): opened on the first offer, started with that offer's credentials, closed
 * off the control thread. Its events go to the session. Control thread only.
 */
final class SessionTransport {
    /** The session's logger: these lines are part of the participant's media log. */
    private static final Logger LOG = LoggerFactory.getLogger(MediaSession.class);

    private final WebRtcTransport transport;
    private final PacketIngress ingress;
    private final PacketEgress egress;
    private final String log;

    private SessionTransport(WebRtcTransport transport, PacketIngress ingress, String log) {
        this.transport = transport;
        this.ingress = ingress;
        this.egress = PacketEgress.to(transport);
        this.log = log;
    }

    /** Opens a server transport on the service's port; packets will go to {@code room}'s worker. */
    static SessionTransport open(MediaRoom room, MediaSession session, String log) throws MediaException {
        MediaService service = room.service();
        PacketIngress in =
                new PacketIngress(room.worker(), service.pool(), session::transportEvent, service.bridgeDrops());
        WebRtcTransport t;
        try {
            t = WebRtcTransport.createServer(service.ports(), service.certificate(), in);
        } catch (IOException | RuntimeException e) {
            LOG.error("{} cannot create transport", log, e);
            throw new MediaException(MediaException.Kind.UNAVAILABLE, "the server cannot open a media transport", e);
        }
        return new SessionTransport(t, in, log);
    }

    /** The answer accepted a data-channel line: SCTP over this transport's DTLS, channels to {@code relay}. */
    void enableDataChannels(dev.chorus.sfu.sctp.SctpConfig config, DataRelay relay) {
        relay.attach(transport.enableDataChannels(config, relay));
    }

    /** Where the transport's decrypted packets enter the forwarding layer. */
    PacketIngress ingress() {
        return ingress;
    }

    /** Where the forwarding layer's packets for this participant leave. */
    PacketEgress egress() {
        return egress;
    }

    String localUfrag() {
        return transport.localUfrag();
    }

    /**
     * The server's side as the answer announces it, with all its candidates (they are known when the
     * transport opens: host candidates on the shared port) and end-of-candidates: the browser can start
     * its checks as it applies the answer, not a message or two later as trickled candidates come in.
     */
    LocalTransport local() {
        String hashSpaceValue = transport.localFingerprint();
        int space = hashSpaceValue.indexOf(' ');
        Fingerprint fingerprint =
                new Fingerprint(hashSpaceValue.substring(0, space), hashSpaceValue.substring(space + 1));
        return new LocalTransport(
                transport.localUfrag(), transport.localPassword(), fingerprint, localCandidates(), true);
    }

    /**
     * An ICE restart: a new ICE session under new credentials, which the returned side (and the next
     * {@link #start}) is about; media goes on over the current path until the new one connects.
     */
    LocalTransport restartIce() throws MediaException {
        try {
            transport.restartIce();
        } catch (IOException | RuntimeException e) {
            LOG.error("{} cannot start an ICE restart", log, e);
            throw new MediaException(MediaException.Kind.UNAVAILABLE, "the server cannot restart ICE", e);
        }
        return local();
    }

    /** Drops the ICE restart begun by {@link #restartIce} (its offer was refused). */
    void cancelIceRestart() {
        transport.cancelIceRestart();
    }

    /**
     * Starts ICE (and then DTLS) towards the participant's side as its first offer gave it, or an ICE restart
     * towards the side its restart offer gave.
     */
    void start(RemoteTransport remote) {
        transport.setRemoteIceCredentials(remote.iceUfrag(), remote.icePwd());
        transport.setRemoteFingerprint(
                remote.fingerprint().hashFunction(), remote.fingerprint().value());
        for (String candidate : remote.candidates()) {
            try {
                transport.addRemoteCandidate(candidate);
            } catch (IllegalArgumentException e) {
                LOG.debug("{} ignoring offered candidate {}: {}", log, candidate, e.getMessage());
            }
        }
        transport.start();
    }

    /** The server's candidates as SDP attribute values (also trickled after the first answer, for clients that read only those). */
    List<String> localCandidates() {
        return transport.localCandidates().stream().map(IceCandidate::toSdp).toList();
    }

    /**
     * A trickled candidate of the participant, with or without its "a=": null or blank marks the end
     * of its candidates; one the transport cannot use is ignored (and logged).
     */
    void addRemoteCandidate(String candidate) throws MediaException {
        if (candidate == null || candidate.isBlank()) {
            return;
        }
        IceCandidate parsed;
        try {
            parsed = IceCandidateParser.parse(candidate.startsWith("a=") ? candidate.substring(2) : candidate);
        } catch (SdpException e) {
            throw new MediaException(MediaException.Kind.BAD_CANDIDATE, e.getMessage(), e);
        }
        if (!transport.addRemoteCandidate(parsed)) {
            LOG.debug("{} candidate not used: {}", log, candidate);
        }
    }

    /**
     * Starts capturing the decrypted packets the participant sends into {@code file}, shown as a flow from its
     * selected ICE address to ours (unspecified addresses before ICE has selected a pair).
     */
    PacketCapture startCapture(
            Path file, PacketCapture.Limits limits, ScheduledExecutorService writer, Consumer<PacketCapture> onEnd)
            throws IOException {
        InetSocketAddress[] pair = transport.selectedAddresses(); // {local, remote}, one family
        InetSocketAddress from = pair == null ? PcapWriter.unknown(false) : pair[1];
        InetSocketAddress to = pair == null ? PcapWriter.unknown(false) : pair[0];
        // Microsecond record times without allocating: the wall clock once, then the monotonic clock's progress.
        long wallMicros = System.currentTimeMillis() * 1000;
        long monoNanos = System.nanoTime();
        PacketCapture c = PacketCapture.start(
                file, from, to, limits, writer, () -> wallMicros + (System.nanoTime() - monoNanos) / 1000, onEnd);
        ingress.capture(c);
        return c;
    }

    /** Stops feeding the capture (it ends on its writer thread). */
    void stopCapture(PacketCapture c, PacketCapture.End why) {
        ingress.capture(null);
        c.stop(why);
    }

    /** True when {@code t} is this transport (events of a discarded one arrive late). */
    boolean is(WebRtcTransport t) {
        return t == transport;
    }

    SrtpProfile srtpProfile() {
        return transport.srtpProfile();
    }

    /** Closes the transport on the service's closer thread: freeing an ICE agent takes a while. */
    void closeLater(MediaService service) {
        service.closeLater(transport);
    }

    ObjectNode toJson() {
        return transport.toJson();
    }

    ObjectNode bridgeJson() {
        return ingress.toJson();
    }
}
