/**
 * Packet memory: {@link dev.chorus.sfu.buffer.PacketBuffer} (fixed 1600-byte buffers with headroom and the one
 * SRTP tail-room constant), the {@link dev.chorus.sfu.buffer.PacketBufferPool} every transport and worker shares
 * (lock-free; counts what is out), and a video producer's {@link dev.chorus.sfu.buffer.RetransmissionBuffer}
 * that subscribers' NACKs are answered from.
 */
package dev.chorus.sfu.buffer;
