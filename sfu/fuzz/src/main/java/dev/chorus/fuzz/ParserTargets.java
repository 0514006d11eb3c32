package dev.chorus.fuzz;

import dev.chorus.sfu.codec.DependencyDescriptor;
import dev.chorus.sfu.codec.FrameDependencyStructure;
import dev.chorus.sfu.codec.Vp8Payload;
import dev.chorus.sfu.codec.Vp9Descriptor;
import dev.chorus.sfu.rtcp.ByeView;
import dev.chorus.sfu.rtcp.FirView;
import dev.chorus.sfu.rtcp.NackView;
import dev.chorus.sfu.rtcp.PliView;
import dev.chorus.sfu.rtcp.ReceiverReportView;
import dev.chorus.sfu.rtcp.RembView;
import dev.chorus.sfu.rtcp.ReportBlocksView;
import dev.chorus.sfu.rtcp.RtcpCompoundReader;
import dev.chorus.sfu.rtcp.RtcpPacketType;
import dev.chorus.sfu.rtcp.RtcpPacketView;
import dev.chorus.sfu.rtcp.RtcpValidity;
import dev.chorus.sfu.rtcp.SdesView;
import dev.chorus.sfu.rtcp.SenderReportView;
import dev.chorus.sfu.rtcp.TransportCcView;
import dev.chorus.sfu.rtp.RtpPacket;
import dev.chorus.sfu.rtp.RtpValidity;
import dev.chorus.sfu.sctp.SctpFuzzFeed;
import dev.chorus.sfu.sdp.IceCandidateParser;
import dev.chorus.sfu.sdp.SdpException;
import dev.chorus.sfu.sdp.SdpParser;
import dev.chorus.sfu.transport.Rfc4571FuzzFeed;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * One Jazzer target over every parser of what the network sends: the media plane's packets and SDP, and
 * signaling's messages and join tokens. The first byte picks the
 * parser, so that one JVM and one fuzzing run cover them all in the test command's few seconds; the rest is that
 * parser's input. {@code -Dchorus.fuzz.parser=NAME} pins one parser (the first byte is then ignored), for the
 * longer runs of one parser at a time.
 *
 * <p>A parser may refuse input only the way its contract says: a validity code (RTP, RTCP), a negative answer
 * (VP8), {@link SdpException} (SDP, candidates), a counted skip (RFC 4571, SCTP), a {@code ProtocolException}
 * (signaling). Any exception is a finding, as is a
 * value read after a parser said OK that lies outside the buffer.
 */
public final class ParserTargets {

    /** The parsers, in the order the first byte picks them ({@code byte % values().length}). */
    public enum Parser {
        RTP,
        RTCP,
        VP8,
        SDP,
        ICE_CANDIDATE,
        RFC4571,
        SIGNALING_JSON,
        JOIN_TOKEN,
        SCTP,
        VP9,
        DEPENDENCY_DESCRIPTOR
    }

    private static final Parser[] PARSERS = Parser.values();
    private static final Parser PINNED = pinned(System.getProperty("chorus.fuzz.parser", ""));

    // One of each, reused: the views are allocation-free and meant to be rewrapped per packet.
    private static final RtpPacket RTP = new RtpPacket();
    private static final Vp9Descriptor VP9 = new Vp9Descriptor();
    private static final DependencyDescriptor DD = new DependencyDescriptor();
    private static final RtcpCompoundReader COMPOUND = new RtcpCompoundReader();
    private static final SenderReportView SR = new SenderReportView();
    private static final ReceiverReportView RR = new ReceiverReportView();
    private static final SdesView SDES = new SdesView();
    private static final ByeView BYE = new ByeView();
    private static final NackView NACK = new NackView();
    private static final TransportCcView TRANSPORT_CC = new TransportCcView();
    private static final PliView PLI = new PliView();
    private static final FirView FIR = new FirView();
    private static final RembView REMB = new RembView();

    private static long sink; // what the accessors returned, so that no read is optimised away

    private ParserTargets() {}

    /** Jazzer's entry point. */
    public static void fuzzerTestOneInput(byte[] data) {
        if (data.length == 0) {
            return;
        }
        Parser parser = PINNED != null ? PINNED : PARSERS[(data[0] & 0xff) % PARSERS.length];
        byte[] input = Arrays.copyOfRange(data, 1, data.length);
        switch (parser) {
            case RTP -> rtp(input);
            case RTCP -> rtcp(input);
            case VP8 -> vp8(input, 0, input.length);
            case SDP -> sdp(input);
            case ICE_CANDIDATE -> iceCandidate(input);
            case RFC4571 -> Rfc4571FuzzFeed.feed(input);
            case SIGNALING_JSON -> SignalingTargets.message(input);
            case JOIN_TOKEN -> SignalingTargets.token(input);
            case SCTP -> SctpFuzzFeed.feed(input);
            case VP9 -> vp9(input, 0, input.length);
            case DEPENDENCY_DESCRIPTOR -> dependencyDescriptor(input);
        }
    }

    /** The byte a seed for {@code parser} starts with. */
    public static byte selector(Parser parser) {
        return (byte) parser.ordinal();
    }

    static void rtp(byte[] b) {
        RtpValidity v = RTP.wrap(b, 0, b.length);
        if (v != RtpValidity.OK) {
            return;
        }
        sink += RTP.version() + RTP.payloadType() + RTP.sequenceNumber() + RTP.timestamp() + RTP.ssrc();
        for (int i = 0; i < RTP.csrcCount(); i++) {
            sink += RTP.csrc(i);
        }
        int payload = RTP.payloadOffset();
        int payloadLength = RTP.payloadLength();
        inBuffer(b, payload, payloadLength, "RTP payload");
        inBuffer(b, RTP.offset(), RTP.headerLength(), "RTP header");
        sink += RTP.paddingSize() + RTP.extensionProfile();
        if (RTP.hasExtension()) {
            inBuffer(b, RTP.extensionBlockOffset(), RTP.extensionBlockLength(), "RTP extension block");
        }
        RTP.forEachExtension((id, offset, length) -> inBuffer(b, offset, length, "RTP extension " + id));
        for (int i = 0; i < RTP.indexedExtensionCount(); i++) {
            inBuffer(b, RTP.indexedExtensionOffset(i), RTP.indexedExtensionLength(i), "indexed extension");
            sink += RTP.indexedExtensionId(i);
        }
        for (int id = 1; id < 15; id++) {
            sink += RTP.findExtension(id);
            int at = RTP.extensionOffset(id);
            if (at >= 0) {
                inBuffer(b, at, RTP.extensionLength(id), "RTP extension " + id);
            }
        }
        vp8(b, payload, payloadLength);
    }

    static void vp8(byte[] b, int off, int len) {
        int descriptor = Vp8Payload.descriptorLength(b, off, len);
        if (descriptor < 0) {
            return;
        }
        if (descriptor > len) {
            throw new IllegalStateException("VP8 descriptor of " + descriptor + " bytes in a " + len + "-byte payload");
        }
        sink += Vp8Payload.pictureId(b, off, len)
                + Vp8Payload.tl0PicIdx(b, off, len)
                + Vp8Payload.temporalId(b, off, len);
        if (Vp8Payload.isKeyframeStart(b, off, len)) {
            sink += Vp8Payload.keyframeWidth(b, off, len) + Vp8Payload.keyframeHeight(b, off, len);
        }
        sink += Vp8Payload.isLayerSync(b, off, len) ? 1 : 0;
        sink += Vp8Payload.hasLongPictureId(b, off, len) ? 1 : 0;
    }

    static void vp9(byte[] b, int off, int len) {
        boolean keyframe = Vp9Descriptor.isKeyframeStart(b, off, len);
        if (!VP9.parse(b, off, len)) {
            return;
        }
        if (VP9.length() > len) {
            throw new IllegalStateException(
                    "VP9 descriptor of " + VP9.length() + " bytes in a " + len + "-byte payload");
        }
        if (keyframe != VP9.keyframeStart()) {
            throw new IllegalStateException("VP9 keyframe tests disagree: " + VP9);
        }
        sink += VP9.pictureId() + VP9.tl0PicIdx() + VP9.spatialId() + VP9.temporalId() + VP9.ssSpatialLayers();
        for (int s = 0; s < VP9.ssSpatialLayers(); s++) {
            sink += VP9.ssWidth(s) + VP9.ssHeight(s);
        }
        Vp9Descriptor.rewritePictureId(b, off, len, (int) sink & 0x7FFF);
    }

    /**
     * Two AV1 Dependency Descriptor elements in a row (the first byte: the first one's length), the second
     * read against whatever structure the first left: a structure followed by a frame that names it.
     */
    static void dependencyDescriptor(byte[] b) {
        if (b.length == 0) {
            return;
        }
        int first = Math.min(b[0] & 0xFF, b.length - 1);
        checkDescriptor(DD.parse(b, 1, first));
        checkDescriptor(DD.parse(b, 1 + first, b.length - 1 - first));
    }

    private static void checkDescriptor(DependencyDescriptor.Outcome outcome) {
        FrameDependencyStructure s = DD.structure();
        if (outcome != DependencyDescriptor.Outcome.OK) {
            if (DD.frameNumber() != -1) {
                throw new IllegalStateException("a failed descriptor left a frame: " + DD);
            }
            return;
        }
        if (s.templateCount() == 0
                || DD.spatialId() >= s.spatialLayers()
                || DD.temporalId() >= s.temporalLayers()
                || DD.frameNumber() > 0xFFFF) {
            throw new IllegalStateException("descriptor outside its structure: " + DD);
        }
        for (int dt = 0; dt < s.decodeTargetCount(); dt++) {
            sink += DD.dti(dt) + s.decodeTargetSpatialId(dt) + s.decodeTargetTemporalId(dt);
        }
        for (int l = 0; l < s.spatialLayers(); l++) {
            sink += s.width(l) + s.height(l);
        }
        sink += DD.switchingUp() ? 1 : 0;
        sink += DD.keyframeStart() ? 1 : 0;
        sink += DD.activeDecodeTargets() + DD.frameDiffCount();
    }

    static void rtcp(byte[] b) {
        if (COMPOUND.reset(b, 0, b.length) != RtcpValidity.OK) {
            return;
        }
        while (COMPOUND.next()) {
            int at = COMPOUND.packetOffset();
            int length = COMPOUND.packetLength();
            inBuffer(b, at, length, "RTCP packet");
            int type = COMPOUND.packetType();
            int fmt = COMPOUND.fmt();
            if (type == RtcpPacketType.SR && wrapped(SR, b, at, length)) {
                sink += SR.ntpTimestamp() + SR.rtpTimestamp() + SR.packetCount() + SR.octetCount();
                reportBlocks(SR);
            } else if (type == RtcpPacketType.RR && wrapped(RR, b, at, length)) {
                reportBlocks(RR);
            } else if (type == RtcpPacketType.SDES && wrapped(SDES, b, at, length)) {
                SDES.rewind();
                while (SDES.nextChunk()) {
                    sink += SDES.chunkSsrc();
                    while (SDES.nextItem()) {
                        inBuffer(b, SDES.itemOffset(), SDES.itemLength(), "SDES item");
                        sink += SDES.itemType();
                    }
                }
            } else if (type == RtcpPacketType.BYE && wrapped(BYE, b, at, length)) {
                for (int i = 0; i < BYE.ssrcCount(); i++) {
                    sink += BYE.ssrc(i);
                }
                if (BYE.hasReason()) {
                    inBuffer(b, BYE.reasonOffset(), BYE.reasonLength(), "BYE reason");
                }
            } else if (type == RtcpPacketType.RTPFB && fmt == RtcpPacketType.FMT_NACK && wrapped(NACK, b, at, length)) {
                for (int i = 0; i < NACK.itemCount(); i++) {
                    sink += NACK.pid(i) + NACK.blp(i);
                }
                sink += NACK.forEachLost(seq -> sink += seq) + NACK.lostCount();
            } else if (type == RtcpPacketType.RTPFB
                    && fmt == RtcpPacketType.FMT_TRANSPORT_CC
                    && wrapped(TRANSPORT_CC, b, at, length)) {
                sink += TRANSPORT_CC.baseSequenceNumber()
                        + TRANSPORT_CC.packetStatusCount()
                        + TRANSPORT_CC.referenceTimeUs()
                        + TRANSPORT_CC.feedbackPacketCount()
                        + TRANSPORT_CC.receivedCount();
                sink += TRANSPORT_CC.forEachPacket((seq, received, deltaUs) -> sink += seq + deltaUs);
            } else if (type == RtcpPacketType.PSFB && fmt == RtcpPacketType.FMT_PLI && wrapped(PLI, b, at, length)) {
                sink += PLI.senderSsrc() + PLI.mediaSsrc();
            } else if (type == RtcpPacketType.PSFB && fmt == RtcpPacketType.FMT_FIR && wrapped(FIR, b, at, length)) {
                for (int i = 0; i < FIR.entryCount(); i++) {
                    sink += FIR.entrySsrc(i) + FIR.entrySeqNr(i);
                }
            } else if (type == RtcpPacketType.PSFB && wrapped(REMB, b, at, length)) {
                sink += REMB.bitrateBps();
                for (int i = 0; i < REMB.ssrcCount(); i++) {
                    sink += REMB.ssrc(i);
                }
            }
        }
    }

    private static boolean wrapped(RtcpPacketView view, byte[] b, int at, int length) {
        return view.wrap(b, at, length) == RtcpValidity.OK;
    }

    private static void reportBlocks(ReportBlocksView view) {
        sink += view.senderSsrc();
        for (int i = 0; i < view.reportCount(); i++) {
            sink += view.reportSsrc(i)
                    + view.fractionLost(i)
                    + view.cumulativeLost(i)
                    + view.extendedHighestSeq(i)
                    + view.jitter(i)
                    + view.lastSr(i);
        }
    }

    static void sdp(byte[] b) {
        try {
            sink += SdpParser.parse(new String(b, StandardCharsets.UTF_8)).hashCode();
        } catch (SdpException refused) {
            sink++;
        }
    }

    static void iceCandidate(byte[] b) {
        try {
            sink += IceCandidateParser.parse(new String(b, StandardCharsets.UTF_8))
                    .hashCode();
        } catch (SdpException refused) {
            sink++;
        }
    }

    /** A region a parser said is inside the packet must be. */
    private static void inBuffer(byte[] b, int offset, int length, String what) {
        if (offset < 0 || length < 0 || offset > b.length - length) {
            throw new IllegalStateException(
                    what + " at " + offset + " (" + length + " bytes) outside a " + b.length + "-byte buffer");
        }
    }

    private static Parser pinned(String name) {
        return name.isBlank() ? null : Parser.valueOf(name.trim().toUpperCase(Locale.ROOT));
    }
}
