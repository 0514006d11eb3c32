/**
 * WebRTC data channels, our own: SCTP (RFC 9260) as RFC 8261 runs it over DTLS, with partial reliability
 * (RFC 3758 FORWARD-TSN), stream reset (RFC 6525 RE-CONFIG) and DCEP (RFC 8832).
 *
 * <ul>
 *   <li>{@link dev.chorus.sfu.sctp.SctpPacket} / {@code PacketWriter}: the codec (common header, CRC32c, chunks,
 *       parameters); bad input is refused by {@link dev.chorus.sfu.sctp.SctpMalformed} name, never thrown.</li>
 *   <li>{@link dev.chorus.sfu.sctp.SctpAssociation}: handshake (signed state cookie, INIT collision), dispatch,
 *       timers; its halves {@code SctpSender} (TSNs, SACK processing, T3-rtx and fast retransmit, congestion
 *       window, abandoning messages) and {@code SctpReceiver} (TSN tracking, SACK with gap blocks, reassembly up
 *       to the configured maximum, ordered delivery, FORWARD-TSN); {@code StreamResets} for RE-CONFIG.</li>
 *   <li>{@link dev.chorus.sfu.sctp.DataChannels}: DCEP and the channels of one association.</li>
 * </ul>
 *
 * <p>Threads and time: an association is driven by one thread at a time (in the SFU the transport's DTLS drain
 * thread) and never reads a clock: callers pass milliseconds and call {@code handleTimeout} at
 * {@code nextDeadline}, so tests run it on a fake clock over a simulated link. This is not the media packet path:
 * it allocates per packet, which data-channel rates allow. What it no longer allocates: the CRC32c (one per thread,
 * reset), the packet {@code flush} fills (one per association, reused; flush runs on every packet in and every
 * send), the malformed-input callback. What it still does, and why it was left: a received packet's
 * {@code SctpPacket}, chunk list and {@code Chunk} views (short-lived, often scalar-replaced by the JIT; reusing
 * them means a parse API that hands out views valid only until the next packet), each sent packet's trimmed copy
 * ({@code Output.send(byte[])}: DTLS encrypts it at once, so a (buf, off, len) output could send from the reused
 * buffer, a change to every Output), each message's reassembly buffer and queued chunks (one message, one array),
 * and in {@code DataChannelLink} a lambda per send handed to the DTLS drain thread. Between two Chromium pages the
 * relay carried about 4,400 small messages a second here (DataChannelThroughputIT); which side limits that (the
 * browsers, or the one DTLS drain thread all associations share) was not measured.
 */
package dev.chorus.sfu.sctp;
