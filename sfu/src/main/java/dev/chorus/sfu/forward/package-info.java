/**
 * The forwarding layer: receives each publisher's RTP once and sends a rewritten copy to every
 * subscriber, terminating RTCP per hop. {@link dev.chorus.sfu.forward.PacketIngress} lists the whole
 * packet path, hop by hop, with the thread of each.
 *
 * <h2>Objects</h2>
 * <ul>
 *   <li>{@link dev.chorus.sfu.forward.Router}: one per room; holds the rest, runs the periodic reports.</li>
 *   <li>{@link dev.chorus.sfu.forward.Endpoint}: one per participant transport; SSRC demux in, the
 *       {@link dev.chorus.sfu.forward.PacketEgress} out. Ends incoming RTCP in its
 *       {@code RtcpTermination}, speaks to the participant as a publisher through its
 *       {@code PublisherFeedback} and {@code RtcpReports}, and to it as a subscriber through its
 *       {@code SubscriberBandwidth} (congestion control).</li>
 *   <li>{@link dev.chorus.sfu.forward.Producer}: one per published track, with one
 *       {@code RtpReceiveStream} per encoding (a simulcast layer, or the only stream): RTX unwrap,
 *       reception stats, keyframes, the retransmission buffer and the {@code NackGenerator} towards
 *       the publisher. The endpoint's {@code SsrcLearner} finds the SSRCs of layers named by rid.</li>
 *   <li>{@link dev.chorus.sfu.forward.Consumer}: one per subscriber x producer; the forwarding decision
 *       (which layer, too) and the rewrite. Its {@code StreamSplicer} keeps the stream continuous
 *       across layer switches. Its {@code RtpSendStream} keeps what was sent (SR counts and history, RTT, RTX
 *       numbering, resend times); its {@code NackResponder} answers the subscriber's NACKs.</li>
 *   <li>{@link dev.chorus.sfu.forward.RouterRegistry}: places routers on
 *       {@link dev.chorus.sfu.worker.MediaWorker} threads.</li>
 * </ul>
 *
 * <h2>Threading</h2>
 * A router and everything in it belong to one worker thread and take no locks; public entry points
 * check the thread ({@link dev.chorus.sfu.worker.MediaWorker#checkThread}). Control calls go through
 * {@code router.worker().call(...)}/{@code submit(...)}; packets arrive through
 * {@link dev.chorus.sfu.forward.PacketIngress} on the same queue, so a command is ordered with the
 * packets around it.
 *
 * <h2>Wiring a transport</h2>
 * <ol>
 *   <li>Create a {@link dev.chorus.sfu.forward.PacketIngress} for the room's worker and make it the
 *       transport's listener.</li>
 *   <li>On the worker: {@code ingress.attach(router.addEndpoint(id, PacketEgress.to(transport), rtcpSsrc))}.
 *       Until then, decrypted packets are dropped as {@code BEFORE_ENDPOINT}.</li>
 *   <li>On disconnect, on the worker: {@code ingress.attach(null); router.removeEndpoint(id)}.</li>
 * </ol>
 */
package dev.chorus.sfu.forward;
