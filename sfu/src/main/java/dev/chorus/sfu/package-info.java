/**
 * The media plane: one WebRTC transport per participant, each publisher's RTP received once and forwarded to every
 * subscriber without transcoding, RTCP terminated per hop. Free of Vert.x: signaling drives it through
 * {@link dev.chorus.sfu.conference.MediaService} and gets events back on its own thread.
 *
 * <h2>Packages, from the wire up</h2>
 * <pre>
 *  transport   one WebRtcTransport per participant: ICE (ice4j), DTLS (Bouncy Castle), SRTP (jitsi-srtp);
 *              MediaPorts owns the shared UDP port, the optional ICE-TCP listener and the transport threads
 *  forward     the packet path: PacketIngress (transport thread -> worker) and PacketEgress (worker -> transport);
 *              Router, Endpoint, Producer, Consumer and what terminates RTCP per hop
 *  cc          congestion control: transport-cc feedback to publishers, bandwidth estimate towards subscribers
 *  worker      MediaWorker threads (each owns whole routers), timers, the injected clock
 *  conference  rooms and participants' media sessions: offer/answer, subscription plan, wiring to the router;
 *              MediaService (the entry point) and MediaConfig (chorus.media)
 *  rtp, rtcp   allocation-free packet views and writers        sdp     offer/answer model and policy
 *  codec       MediaKind, Codec, keyframe detection            drop    DropReason (with its stage), counters
 *  buffer      pooled packet buffers, retransmission buffer    collect primitive map, lock-free queue
 *  config      checked reading of reference.conf and the operator's settings
 *  capture     a participant's decrypted packets into a pcap file (server API), off the packet thread
 *  record      room recording: each VP8/Opus track into a WebM file (our own muxer) and a manifest, off the worker
 * </pre>
 * The path of one packet, hop by hop, is in {@link dev.chorus.sfu.forward.PacketIngress}.
 *
 * <h2>Threads</h2>
 * <table>
 * <caption>Every kind of thread in the media plane</caption>
 * <tr><th>thread</th><th>owns</th><th>may call</th></tr>
 * <tr><td>control: signaling's Vert.x event loop (in tests, the test)</td>
 *     <td>MediaService's rooms, MediaRoom, MediaSession and its parts (SDP, subscription plan)</td>
 *     <td>transport set-up calls (remote description, candidates, start, toJson); router work only by queueing
 *     it ({@code MediaWorker.submit/call}, {@code MediaRoom.onRouter}); never waits on a future</td></tr>
 * <tr><td>packet threads: ice4j's reader of the shared UDP port, the ICE-TCP selector, a client's reader</td>
 *     <td>receive-side SRTP contexts of the transports they carry</td>
 *     <td>demux and SRTP unprotect, then {@code PacketIngress}: a pooled copy into the room's worker queue (and,
 *     while a capture runs, a copy into one of its slots). No router object, no blocking</td></tr>
 * <tr><td>media workers ({@code media-N}, one per core by default)</td>
 *     <td>routers and everything in them (endpoints, producers, consumers, their timers), lock-free; entry points
 *     check the thread ({@code MediaWorker.checkThread})</td>
 *     <td>the forwarding layer; sending through {@code PacketEgress} (SRTP protect under the transport's send lock,
 *     then the socket); buffer pool</td></tr>
 * <tr><td>DTLS handshake threads (at most {@code chorus.media.dtls-threads}, a bounded queue), the DTLS drain
 *     thread and the transport timer, per MediaPorts</td>
 *     <td>one blocking handshake each; post-handshake records; consent watches</td>
 *     <td>their transport's DTLS and ICE parts; transport events to the session, which hops to the control
 *     thread</td></tr>
 * <tr><td>ice4j's agent and STUN threads (process-wide)</td>
 *     <td>connectivity and consent checks</td>
 *     <td>ICE state events of the transport (then as above)</td></tr>
 * <tr><td>the capture writer ({@code chorus-capture-writer}, MediaService)</td>
 *     <td>the running captures' files</td>
 *     <td>{@code PacketCapture}'s drain: queued slots to the file, every 20 ms; ends a capture at its limits</td></tr>
 * <tr><td>the recording writer ({@code chorus-recording-writer}, MediaService's Recordings)</td>
 *     <td>the running room recordings: frame assembly, timing, their WebM files and manifests</td>
 *     <td>{@code RoomRecording}'s drain every 20 ms: what the media workers queued in each track's {@code TrackTap}
 *     (a payload copy into a preallocated slot, or a counted drop) into the files</td></tr>
 * <tr><td>the transport closer and the media release thread (MediaService)</td>
 *     <td>nothing</td>
 *     <td>{@code WebRtcTransport.close()} (freeing an ICE agent takes a while); at shutdown, closing the workers
 *     and ports</td></tr>
 * </table>
 * The transport's own, finer table is in {@code dev.chorus.sfu.transport}. Commands and packets for one room share
 * its worker's queue, so a command is ordered with the packets around it.
 */
package dev.chorus.sfu;
