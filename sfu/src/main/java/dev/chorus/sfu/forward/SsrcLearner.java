package dev.chorus.sfu.forward;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.rtp.RtpExtension;
import dev.chorus.sfu.rtp.RtpHeaderExtensions;
import dev.chorus.sfu.rtp.RtpPacket;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the producer stream of a packet whose SSRC the endpoint does not know yet. A browser
 * that sends simulcast announces its layers by rid only (RFC 8851), not by SSRC: its first
 * packets name their m= line in the MID extension (RFC 8843) and their layer in the rid
 * extension, or, on an RTX stream, the layer they repair in the repaired-rid extension (RFC
 * 8852). The first such packet files the SSRC with the endpoint; later packets are looked up by
 * SSRC as usual. Runs on the worker, only for unknown SSRCs, and allocates nothing. A rid that
 * already has an SSRC keeps it: a second SSRC for the same layer is refused and counted.
 */
final class SsrcLearner {
    private static final Logger LOG = LoggerFactory.getLogger(SsrcLearner.class);

    private final Endpoint endpoint;
    private long learnt;
    private long withoutMid;
    private long unknownMidOrRid;
    private long conflicts;

    SsrcLearner(Endpoint endpoint) {
        this.endpoint = endpoint;
    }

    /** The stream {@code rtp} belongs to, now filed under its SSRC; null when it names none. */
    RtpReceiveStream learn(RtpPacket rtp) {
        List<Producer> producers = endpoint.producers();
        boolean midSeen = false;
        for (int i = 0; i < producers.size(); i++) {
            Producer p = producers.get(i);
            ProducerParams params = p.params();
            int midId = params.extensions().id(RtpExtension.MID);
            byte[] midBytes = p.midBytes();
            if (midBytes == null || midId == 0) {
                continue;
            }
            long mid = rtp.findExtension(midId);
            if (mid == RtpHeaderExtensions.NOT_FOUND) {
                continue;
            }
            midSeen = true;
            int off = RtpHeaderExtensions.offsetOf(mid);
            if (!Arrays.equals(
                    rtp.buffer(), off, off + RtpHeaderExtensions.lengthOf(mid), midBytes, 0, midBytes.length)) {
                continue;
            }
            RtpReceiveStream s = learnFrom(rtp, p, params.extensions().id(RtpExtension.RTP_STREAM_ID), false);
            if (s == null && params.rtxPayloadType() != ProducerParams.NONE) {
                s = learnFrom(rtp, p, params.extensions().id(RtpExtension.REPAIRED_RTP_STREAM_ID), true);
            }
            if (s != null) {
                return s;
            }
        }
        if (midSeen) {
            unknownMidOrRid++;
        } else {
            withoutMid++;
        }
        return null;
    }

    private RtpReceiveStream learnFrom(RtpPacket rtp, Producer p, int extensionId, boolean repair) {
        if (extensionId == 0) {
            return null;
        }
        long ref = rtp.findExtension(extensionId);
        if (ref == RtpHeaderExtensions.NOT_FOUND) {
            return null;
        }
        int off = RtpHeaderExtensions.offsetOf(ref);
        int len = RtpHeaderExtensions.lengthOf(ref);
        for (int layer = 0; layer < p.layerCount(); layer++) {
            RtpReceiveStream s = p.stream(layer);
            if (!s.ridEquals(rtp.buffer(), off, len)) {
                continue;
            }
            long known = repair ? s.rtxSsrc() : s.ssrc();
            if (known != ProducerParams.NONE || endpoint.isTaken(rtp.ssrc())) {
                if (conflicts++ == 0) {
                    LOG.warn(
                            "[router={} endpoint={}] {} rid {} of {} arrived on ssrc {}, but it has ssrc {} "
                                    + "(further conflicts only counted)",
                            endpoint.router().id(),
                            endpoint.id(),
                            repair ? "repaired" : "media",
                            s.rid(),
                            p,
                            rtp.ssrc(),
                            known);
                }
                return null;
            }
            if (repair) {
                s.learnRtxSsrc(rtp.ssrc());
            } else {
                s.learnSsrc(rtp.ssrc());
            }
            endpoint.fileStream(rtp.ssrc(), s);
            learnt++;
            LOG.info(
                    "[router={} endpoint={}] {} layer {} (rid {}) {} ssrc {}",
                    endpoint.router().id(),
                    endpoint.id(),
                    p,
                    layer,
                    s.rid(),
                    repair ? "sends RTX on" : "sends on",
                    rtp.ssrc());
            return s;
        }
        return null;
    }

    ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("learnt", learnt);
        n.put("unknownWithoutMid", withoutMid);
        n.put("unknownMidOrRid", unknownMidOrRid);
        n.put("conflicts", conflicts);
        return n;
    }
}
