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
 * {@code nextDeadline}, so tests run it on a fake clock over a simulated link. This is not the media packet path, but
 * since 2026-12-08 a received packet allocates nothing but the message it completes (the array the listener is
 * handed): the packet and its chunk views are read into one reused {@code SctpPacket}; the common DATA chunk (the next
 * TSN, a whole message, in order) is delivered without the reassembly bookkeeping (no boxed TSN, no fragment record
 * or copy); the SACK's gap blocks and duplicates are reused arrays, a received SACK's gap offsets too; and packets go
 * out from the association's buffer ({@code Output.send(buf, off, len)}: DTLS encrypts it at once), the CRC32c one
 * per thread. {@code SctpReceiveBenchmark} (loadtest, JMH {@code -prof gc}) measures it: 872 -> 120 B per received
 * 100-byte message, 2,664 -> 1,016 B per 1,000-byte one. Still allocating, on purpose: a message that arrives out of
 * order or in fragments (its chunks are kept until it is whole), each message sent (its queued chunks), control
 * packets (INIT, RE-CONFIG, ...), and in {@code DataChannelLink} a lambda per send handed to the DTLS drain thread.
 * Between two Chromium pages the relay carried about 4,400 small messages a second here (DataChannelThroughputIT);
 * which side limits that (the browsers, or the one DTLS drain thread all associations share) was not measured.
 */
package dev.chorus.sfu.sctp;
