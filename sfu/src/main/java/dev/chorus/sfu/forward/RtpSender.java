package dev.chorus.sfu.forward;

/**
 * Where the forwarding core hands finished packets to a transport (one per endpoint). Called on
 * the media worker thread.
 *
 * <p>Contract for implementations:
 * <ul>
 *   <li>The packet is plain RTP/RTCP in {@code buf[off, off+len)}. The sender SRTP/SRTCP-protects
 *       it <em>in place</em>; at least {@link dev.chorus.sfu.buffer.PacketBuffer#TAIL_ROOM}
 *       (&ge; 16) bytes after {@code off+len} are free for the tag and SRTCP index.</li>
 *   <li>The buffer belongs to the caller again as soon as the method returns: do not keep
 *       it or hand it to another thread; copy if the socket write is asynchronous.</li>
 *   <li>Do not block; drop instead, count the drop by its reason, and return false. The caller
 *       counts a packet as sent only when this returns true. Exceptions are caught and counted
 *       by the caller, but are not a way to signal back-pressure.</li>
 * </ul>
 */
public interface RtpSender {
    /** Returns true when the packet went out (was handed to the socket). */
    boolean sendRtp(byte[] buf, int off, int len);

    /** Returns true when the packet went out (was handed to the socket). */
    boolean sendRtcp(byte[] buf, int off, int len);
}
