package dev.chorus.testkit.peer;

import dev.chorus.sfu.transport.WebRtcTransport;

/**
 * Where a {@link SendStream}'s packets go: the peer's transport, or in a unit test a capture, so that
 * packetization can be checked without a network. Both methods may change {@code buf} (SRTP encrypts in
 * place, into {@link dev.chorus.sfu.buffer.PacketBuffer#TAIL_ROOM} bytes past the end) and return whether
 * the packet was taken.
 */
interface PacketOut {
    boolean sendRtp(byte[] buf, int off, int len);

    boolean sendRtcp(byte[] buf, int off, int len);

    static PacketOut of(WebRtcTransport transport) {
        return new PacketOut() {
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
