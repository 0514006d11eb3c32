package dev.chorus.sfu.forward;

import dev.chorus.sfu.transport.WebRtcTransport;

/**
 * Where the forwarding layer hands finished packets to one participant's transport: the last hop of
 * the packet path that {@link PacketIngress} lists. Called on the media worker thread that owns the
 * endpoint.
 *
 * <p>Contract for implementations:
 * <ul>
 *   <li>The packet is plain RTP/RTCP in {@code buf[off, off+len)}. The egress SRTP/SRTCP-protects
 *       it <em>in place</em>; at least {@link dev.chorus.sfu.buffer.PacketBuffer#TAIL_ROOM} bytes
 *       after {@code off+len} are free for the tag and SRTCP index.</li>
 *   <li>The buffer belongs to the caller again as soon as the method returns: do not keep
 *       it or hand it to another thread; copy if the socket write is asynchronous.</li>
 *   <li>Do not block; drop instead, count the drop by its reason, and return false. The caller
 *       counts a packet as sent only when this returns true. Exceptions are caught and counted
 *       by the caller, but are not a way to signal back-pressure.</li>
 * </ul>
 */
public interface PacketEgress {
    /** Returns true when the packet went out (was handed to the socket). */
    boolean sendRtp(byte[] buf, int off, int len);

    /** Returns true when the packet went out (was handed to the socket). */
    boolean sendRtcp(byte[] buf, int off, int len);

    /** The egress into {@code transport}: SRTP-protect in place, then its selected ICE pair. */
    static PacketEgress to(WebRtcTransport transport) {
        return new PacketEgress() {
            @Override
            public boolean sendRtp(byte[] buf, int off, int len) {
                return transport.sendRtp(buf, off, len);
            }

            @Override
            public boolean sendRtcp(byte[] buf, int off, int len) {
                return transport.sendRtcp(buf, off, len);
            }
        };
    }
}
