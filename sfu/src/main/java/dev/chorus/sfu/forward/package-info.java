/**
 * The forwarding core: receives each publisher's RTP once and sends a rewritten copy to every
 * subscriber, terminating RTCP per hop. Independent of ICE/DTLS/SRTP.
 *
 * <h2>Objects</h2>
 * {@link dev.chorus.sfu.forward.Router} (one per room) holds
 * {@link dev.chorus.sfu.forward.Endpoint}s (one per participant transport),
 * {@link dev.chorus.sfu.forward.Producer}s (one per published track) and
 * {@link dev.chorus.sfu.forward.Consumer}s (one per subscriber x producer).
 * {@link dev.chorus.sfu.forward.RouterRegistry} places routers on
 * {@link dev.chorus.sfu.worker.MediaWorker} threads.
 *
 * <h2>Threading</h2>
 * A router and everything in it belong to one worker thread. Control calls go through
 * {@code router.worker().call(...)}/{@code submit(...)}; packets through
 * {@code worker.submitRtp(endpoint, buffer)} / {@code submitRtcp}. Both share one queue, so a
 * command is ordered with the packets around it.
 *
 * <h2>Wiring a transport</h2>
 * <ol>
 *   <li>On connect: {@code endpoint = worker.call(() -> router.addEndpoint(id, sender, rtcpSsrc))},
 *       where {@code sender} implements {@link dev.chorus.sfu.forward.RtpSender} (SRTP-protect in
 *       place, then write to the socket; do not keep the buffer).</li>
 *   <li>On each datagram: {@code buf = pool.acquire()}, read into {@code buf.array()} at
 *       {@code buf.offset()}, {@code buf.set(offset, length)}, SRTP-unprotect in place, then
 *       {@code worker.submitRtp(endpoint, buf)} or {@code submitRtcp}; ownership passes with the
 *       call (a full queue releases the buffer and counts QUEUE_FULL). Null from
 *       {@code acquire()} means the pool is exhausted: drop the datagram.</li>
 *   <li>On disconnect: {@code worker.submit(() -> router.removeEndpoint(id))}.</li>
 * </ol>
 */
package dev.chorus.sfu.forward;
