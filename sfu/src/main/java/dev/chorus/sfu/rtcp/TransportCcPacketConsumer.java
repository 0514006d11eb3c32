package dev.chorus.sfu.rtcp;

/**
 * Receives one transport-cc packet status at a time from {@link TransportCcView#forEachPacket}.
 * Primitive parameters so the feedback path never boxes; implement it on a long-lived object.
 */
@FunctionalInterface
public interface TransportCcPacketConsumer {
    /**
     * @param seq       transport-wide sequence number, 0..65535
     * @param received  false for packets reported lost (then {@code deltaUs} is 0)
     * @param deltaUs   arrival time minus the previous received packet's arrival (or minus the
     *                  reference time for the first one), in microseconds, multiple of 250;
     *                  negative when packets arrived out of order
     */
    void onPacket(int seq, boolean received, int deltaUs);
}
