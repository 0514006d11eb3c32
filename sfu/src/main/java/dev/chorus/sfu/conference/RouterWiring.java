package dev.chorus.sfu.conference;

import dev.chorus.sfu.forward.ConsumerParams;
import dev.chorus.sfu.forward.HeaderExtensionIds;
import dev.chorus.sfu.forward.PacketEgress;
import dev.chorus.sfu.forward.PacketIngress;
import dev.chorus.sfu.forward.ProducerParams;
import dev.chorus.sfu.rtp.RtpExtension;
import dev.chorus.sfu.sdp.Answer;
import dev.chorus.sfu.sdp.HeaderExtension;
import dev.chorus.sfu.sdp.NegotiatedSection;
import dev.chorus.sfu.sdp.Publication;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;

/**
 * One participant's objects on its room's router: its endpoint, a producer per published track and
 * a consumer per subscription, made from what the answer negotiated (payload types, header extension
 * ids, RTX). Every change is one command queued to the router's worker through
 * {@link MediaRoom#onRouter}, in the order of the calls here; published tracks are announced to the
 * room as their producers are queued. Control thread only.
 */
final class RouterWiring {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String participantId;
    private final MediaRoom room;

    RouterWiring(String participantId, MediaRoom room) {
        this.participantId = participantId;
        this.room = room;
    }

    /** The participant's endpoint: packets from its transport enter here, and leave through it. */
    void addEndpoint(PacketIngress ingress, PacketEgress egress, long rtcpSsrc) {
        room.onRouter(
                "add endpoint " + participantId, r -> ingress.attach(r.addEndpoint(participantId, egress, rtcpSsrc)));
    }

    /** Removes the endpoint with every producer and consumer it still has. */
    void removeEndpoint(PacketIngress ingress) {
        room.onRouter("remove endpoint " + participantId, r -> {
            ingress.attach(null);
            r.removeEndpoint(participantId);
        });
    }

    /**
     * Withdraws the producers of removed tracks and adds producers for new ones, as {@code answer}
     * negotiated their lines, telling the room about each (so the others renegotiate).
     */
    void publish(Publications.Changes changes, Answer answer) {
        for (PublishedTrack old : changes.removed()) {
            removeProducer(old);
            room.unpublished(old);
        }
        for (PublishedTrack t : changes.added()) {
            room.published(t, addProducer(t, answer.section(t.mid()).orElseThrow()));
        }
    }

    /**
     * Removes the consumers of dropped subscriptions and adds consumers for new ones, as
     * {@code answer} negotiated their lines.
     *
     * @param paused until the participant's DTLS is up nothing can reach it; a paused consumer waits
     *               and asks for a keyframe when resumed, so the first frame comes as soon as media
     *               connects
     */
    void subscribe(SubscriptionPlan.Changes changes, Answer answer, boolean paused) {
        unsubscribe(changes.removed());
        changes.added().forEach(s -> addConsumer(s, answer.section(s.mid()).orElseThrow(), paused));
    }

    /**
     * A simulcast track's layers are named by rid only, so the producer learns their SSRCs (and their
     * RTX SSRCs, by repaired rid) from the packets of the track's MID; a one-stream track comes with the
     * SSRCs its offer announced.
     */
    private ProducerParams addProducer(PublishedTrack track, NegotiatedSection section) {
        int payloadType = section.payloadType().getAsInt();
        HeaderExtensionIds extensions = extensionIds(section);
        ProducerParams params;
        if (track.isSimulcast()) {
            params = ProducerParams.simulcast(
                            track.producerId(), track.codec(), payloadType, extensions, track.mid(), track.rids())
                    .withRtxPayloadType(section.rtxPayloadType().orElse(ProducerParams.NONE));
        } else {
            Publication.Stream stream =
                    section.publication().orElseThrow().streams().get(0);
            params = ProducerParams.of(track.producerId(), track.codec(), track.ssrc(), payloadType, extensions);
            if (stream.rtxSsrc().isPresent() && section.rtxPayloadType().isPresent()) {
                params = params.withRtx(
                        stream.rtxSsrc().getAsLong(), section.rtxPayloadType().getAsInt());
            }
        }
        if (section.redPayloadType().isPresent()) {
            params = params.withRed(section.redPayloadType().getAsInt());
        }
        ProducerParams p = params.withMid(track.mid()).withScreen(track.source() == TrackSource.SCREEN);
        room.onRouter("add producer " + track.producerId(), r -> r.addProducer(participantId, p));
        return p;
    }

    private void removeProducer(PublishedTrack track) {
        room.onRouter("remove producer " + track.producerId(), r -> r.removeProducer(track.producerId()));
    }

    private void addConsumer(SubscriptionPlan.Subscription s, NegotiatedSection section, boolean paused) {
        ConsumerParams params = ConsumerParams.of(
                        s.consumerId(),
                        s.ssrc(),
                        section.payloadType().getAsInt(),
                        extensionIds(section),
                        RANDOM.nextInt(0x10000))
                .withMid(s.mid());
        if (s.rtxSsrc() != ProducerParams.NONE && section.rtxPayloadType().isPresent()) {
            params = params.withRtx(s.rtxSsrc(), section.rtxPayloadType().getAsInt());
        }
        if (section.redPayloadType().isPresent()) {
            params = params.withRed(section.redPayloadType().getAsInt());
        }
        ConsumerParams p = params;
        String producerId = s.track().producerId();
        room.onRouter("add consumer " + s.consumerId(), r -> {
            if (paused) {
                r.addPausedConsumer(participantId, producerId, p);
            } else {
                r.addConsumer(participantId, producerId, p);
            }
        });
    }

    /** Removes the consumers of these subscriptions. */
    void unsubscribe(List<SubscriptionPlan.Subscription> removed) {
        removed.forEach(this::removeConsumer);
    }

    private void removeConsumer(SubscriptionPlan.Subscription s) {
        room.onRouter("remove consumer " + s.consumerId(), r -> r.removeConsumer(s.consumerId()));
    }

    /** Server mute: the producer stops (or resumes) forwarding to every subscriber, if it still exists. */
    void setProducerPaused(String producerId, boolean paused) {
        room.onRouter((paused ? "pause producer " : "resume producer ") + producerId, r -> {
            if (r.hasProducer(producerId)) {
                r.setProducerPaused(producerId, paused);
            }
        });
    }

    /** The participant's own last-N. */
    void setLastN(int n) {
        room.onRouter("last-n of " + participantId, r -> r.setLastN(participantId, n));
    }

    /** Tells the consumers that still exist the size their videos are shown at. */
    void setViewSizes(Map<String, ViewSize> byConsumer) {
        room.onRouter(
                "view sizes of " + participantId,
                r -> byConsumer.forEach((consumerId, size) -> {
                    if (r.hasConsumer(consumerId)) {
                        r.setViewSize(consumerId, size.width(), size.height());
                    }
                }));
    }

    /** The participant's ICE restart moved its media to a new path: its videos restart on keyframes. */
    void pathChanged() {
        room.onRouter("path changed for " + participantId, r -> r.pathChanged(participantId));
    }

    /** Resumes the consumers (paused while media was connecting) that still exist. */
    void resumeConsumers(List<String> consumerIds) {
        room.onRouter("resume consumers of " + participantId, r -> {
            for (String consumerId : consumerIds) {
                if (r.hasConsumer(consumerId)) {
                    r.resumeConsumer(consumerId);
                }
            }
        });
    }

    private static HeaderExtensionIds extensionIds(NegotiatedSection s) {
        HeaderExtensionIds ids = HeaderExtensionIds.NONE;
        for (HeaderExtension e : s.extensions()) {
            RtpExtension kind = RtpExtension.fromUri(e.uri());
            if (kind != null && e.id() >= 1 && e.id() <= 255) {
                try {
                    ids = ids.with(kind, e.id());
                } catch (IllegalArgumentException clash) {
                    // Two URIs on one id: the offer is broken for that extension; forward without it.
                }
            }
        }
        return ids;
    }
}
