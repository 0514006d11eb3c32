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
 * it allocates per packet (chunk views, message buffers), which data-channel rates allow.
 */
package dev.chorus.sfu.sctp;
