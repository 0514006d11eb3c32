package dev.chorus.loadtest.bench;

import dev.chorus.sfu.buffer.PacketBuffer;
import dev.chorus.sfu.buffer.PacketBufferPool;
import dev.chorus.sfu.codec.Codec;
import dev.chorus.sfu.forward.Consumer;
import dev.chorus.sfu.forward.ConsumerParams;
import dev.chorus.sfu.forward.Endpoint;
import dev.chorus.sfu.forward.HeaderExtensionIds;
import dev.chorus.sfu.forward.ProducerParams;
import dev.chorus.sfu.forward.Router;
import dev.chorus.sfu.forward.RouterConfig;
import dev.chorus.sfu.rtp.RtpExtension;
import dev.chorus.sfu.transport.SrtpBuffer;
import dev.chorus.sfu.transport.SrtpImplementation;
import dev.chorus.sfu.transport.SrtpProfile;
import dev.chorus.sfu.transport.SrtpSession;
import dev.chorus.sfu.worker.ManualClock;
import dev.chorus.sfu.worker.MediaWorker;
import java.security.GeneralSecurityException;
import java.util.Random;
import org.jitsi.srtp.SrtpErrorStatus;

/**
 * One room on a {@link MediaWorker} that is never started (stepped with {@code runOnce()}, clock
 * frozen): a publisher endpoint with one VP8 producer (or one Opus microphone, plain or RED) and
 * {@code subscribers} endpoints, each
 * consuming it through a {@link SubscriberSink}. With an SRTP profile every transport has real
 * SRTP sessions (ours or jitsi-srtp, as asked) with its own random keys; with {@code null} the path is plain RTP.
 */
final class ForwardRig {
    static final long PUBLISHER_SSRC = 0x1111_1111L;
    static final int PUBLISHER_PT = 96;
    static final long CONSUMER_SSRC_BASE = 0xC000_0000L;
    /** Audio: the publisher's Opus and RED payload types (Chrome's), and the subscribers' (another browser's). */
    static final int OPUS_PT = 111;

    static final int RED_PT = 63;
    static final int SUBSCRIBER_OPUS_PT = 109;
    static final int SUBSCRIBER_RED_PT = 120;

    /** An audio rig: the publisher sends RED or plain Opus, the subscribers negotiated RED or not. */
    record Audio(boolean publisherRed, boolean subscribersRed) {}

    final SrtpProfile profile;
    final PacketBufferPool pool = new PacketBufferPool(64, 256, true);
    final MediaWorker worker = new MediaWorker("bench-worker", new ManualClock(), pool, 1024, 16);
    final Router router;
    final Endpoint publisherEndpoint;
    final SubscriberSink[] sinks;
    /** The subscribers' consumers of the one track, in subscriber order. */
    final Consumer[] consumers;
    /** The SFU's side of the publisher's DTLS-SRTP session (unprotects what the publisher sends). */
    final SrtpSession sfuFromPublisher;
    /** The publisher's own session (the benchmarks use it only outside the timed code). */
    final SrtpSession publisherClient;
    /** Each subscriber's own session: the far end of the SFU's send session (tests decrypt with it). */
    final SrtpSession[] subscriberClients;

    private final SrtpBuffer rxView = new SrtpBuffer();
    private final SrtpBuffer txView = new SrtpBuffer();

    ForwardRig(SrtpProfile profile, int subscribers) {
        this(SrtpImplementation.CHORUS, profile, subscribers);
    }

    /** One VP8 track to {@code subscribers}, every SRTP session on {@code implementation}. */
    ForwardRig(SrtpImplementation implementation, SrtpProfile profile, int subscribers) {
        this(implementation, profile, subscribers, null, Codec.VP8);
    }

    /** With {@code audio} null, one VP8 track; else one Opus microphone as {@code audio} says. */
    ForwardRig(SrtpProfile profile, int subscribers, Audio audio) {
        this(SrtpImplementation.CHORUS, profile, subscribers, audio, Codec.VP8);
    }

    /** One video track of {@code video} (VP8 or VP9) to {@code subscribers}, without SRTP when {@code profile} is null. */
    ForwardRig(SrtpProfile profile, int subscribers, Codec video) {
        this(SrtpImplementation.CHORUS, profile, subscribers, null, video);
    }

    private ForwardRig(
            SrtpImplementation implementation, SrtpProfile profile, int subscribers, Audio audio, Codec video) {
        this.profile = profile;
        Random random = new Random(42);
        if (profile != null) {
            byte[][] pub = keys(random);
            byte[][] sfuToPub = keys(random);
            publisherClient = SrtpSession.create(implementation, profile, pub[0], pub[1], sfuToPub[0], sfuToPub[1]);
            sfuFromPublisher = SrtpSession.create(implementation, profile, sfuToPub[0], sfuToPub[1], pub[0], pub[1]);
        } else {
            publisherClient = null;
            sfuFromPublisher = null;
        }
        router = new Router(
                "bench-room",
                worker,
                RouterConfig.defaults().toBuilder()
                        .rtcpIntervalMillis(1000)
                        .pliMinIntervalMillis(300)
                        .cname("chorus-bench")
                        .build());
        HeaderExtensionIds ext = HeaderExtensionIds.NONE
                .with(RtpExtension.MID, BenchPackets.MID_ID)
                .with(RtpExtension.ABS_SEND_TIME, BenchPackets.ABS_SEND_TIME_ID)
                .with(RtpExtension.TRANSPORT_CC, BenchPackets.TRANSPORT_CC_ID)
                .with(
                        RtpExtension.DEPENDENCY_DESCRIPTOR,
                        video == Codec.AV1 ? BenchPackets.DEPENDENCY_DESCRIPTOR_ID : 0);
        // The publisher's transport only ever gets the PLI sent when consumers are added.
        publisherEndpoint = router.addEndpoint("publisher", new SubscriberSink(sfuFromPublisher), 0xA0);
        String track = audio == null ? "video" : "mic";
        ProducerParams producer = audio == null
                ? ProducerParams.of(track, video, PUBLISHER_SSRC, PUBLISHER_PT, ext)
                : ProducerParams.of(track, Codec.OPUS, PUBLISHER_SSRC, OPUS_PT, ext);
        router.addProducer("publisher", audio != null && audio.publisherRed() ? producer.withRed(RED_PT) : producer);

        sinks = new SubscriberSink[subscribers];
        consumers = new Consumer[subscribers];
        subscriberClients = new SrtpSession[subscribers];
        for (int i = 0; i < subscribers; i++) {
            SrtpSession sfuToSubscriber = null;
            if (profile != null) {
                byte[][] sfuToSub = keys(random);
                byte[][] subToSfu = keys(random);
                sfuToSubscriber =
                        SrtpSession.create(implementation, profile, sfuToSub[0], sfuToSub[1], subToSfu[0], subToSfu[1]);
                subscriberClients[i] =
                        SrtpSession.create(implementation, profile, subToSfu[0], subToSfu[1], sfuToSub[0], sfuToSub[1]);
            }
            sinks[i] = new SubscriberSink(sfuToSubscriber);
            router.addEndpoint("sub" + i, sinks[i], 0xB0 + i);
            // Same extension ids as the publisher, but each its own MID, PT, SSRC and sequence: a typical browser.
            ConsumerParams consumer = ConsumerParams.of(
                            "c" + i,
                            CONSUMER_SSRC_BASE + i,
                            audio == null ? 100 + i : SUBSCRIBER_OPUS_PT,
                            ext,
                            1000 * i)
                    .withMid(Integer.toString(i + 1));
            consumers[i] = router.addConsumer(
                    "sub" + i,
                    track,
                    audio != null && audio.subscribersRed() ? consumer.withRed(SUBSCRIBER_RED_PT) : consumer);
        }
    }

    /**
     * One publisher SRTP packet through the whole path: copy into a pooled buffer (what the
     * transport bridge does), unprotect, queue to the worker, run the worker once.
     */
    void forwardSrtp(byte[] srtp, int length) throws GeneralSecurityException {
        PacketBuffer b = pool.acquire();
        b.copyFrom(srtp, 0, length);
        SrtpErrorStatus st = sfuFromPublisher.unprotectRtp(rxView.wrap(b.array(), b.offset(), b.length()));
        if (st != SrtpErrorStatus.OK) {
            pool.release(b);
            throw new IllegalStateException("unprotect failed: " + st);
        }
        b.setLength(rxView.getLength());
        worker.submitRtp(publisherEndpoint, b);
        worker.runOnce();
    }

    /** The same without SRTP: the plain packet with the given sequence and timestamp. */
    void forwardPlain(byte[] plain, int seq, long timestamp) {
        PacketBuffer b = pool.acquire();
        b.copyFrom(plain, 0, plain.length);
        BenchPackets.setSeqAndTimestamp(b.array(), b.offset(), seq, timestamp);
        worker.submitRtp(publisherEndpoint, b);
        worker.runOnce();
    }

    /** The publisher's side: {@code plain} with {@code seq/timestamp}, protected into {@code dst[0..]}. */
    int protectAsPublisher(byte[] plain, byte[] dst, int seq, long timestamp) throws GeneralSecurityException {
        System.arraycopy(plain, 0, dst, 0, plain.length);
        BenchPackets.setSeqAndTimestamp(dst, 0, seq, timestamp);
        SrtpErrorStatus st = publisherClient.protectRtp(txView.wrap(dst, 0, plain.length));
        if (st != SrtpErrorStatus.OK || txView.getBuffer() != dst) {
            throw new IllegalStateException("publisher protect failed: " + st);
        }
        return txView.getLength();
    }

    /** Throws unless every subscriber received exactly {@code expected} RTP packets. */
    void checkDelivered(long expected) {
        for (SubscriberSink s : sinks) {
            if (s.rtpPackets != expected) {
                throw new IllegalStateException("subscriber got " + s.rtpPackets + " packets, expected " + expected);
            }
        }
    }

    void close() {
        worker.close();
        for (SrtpSession s : new SrtpSession[] {sfuFromPublisher, publisherClient}) {
            if (s != null) {
                s.close();
            }
        }
        for (int i = 0; i < sinks.length; i++) {
            sinks[i].close();
            if (subscriberClients[i] != null) {
                subscriberClients[i].close();
            }
        }
    }

    private byte[][] keys(Random random) {
        byte[] key = new byte[profile.keyLength];
        byte[] salt = new byte[profile.saltLength];
        random.nextBytes(key);
        random.nextBytes(salt);
        return new byte[][] {key, salt};
    }
}
