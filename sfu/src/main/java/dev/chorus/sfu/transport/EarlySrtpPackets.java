package dev.chorus.sfu.transport;

/**
 * SRTP packets that arrived while this side's DTLS handshake was still finishing, kept to be decrypted once the
 * keys are in place.
 *
 * <p>Why: the remote DTLS client is done as soon as it reads our last flight, and a browser sends its first RTP at
 * once, while our handshake thread is still deriving the SRTP keys. On loopback those first packets (a camera's
 * first key frame, the start of every simulcast layer) beat the keys and were dropped, so every subscriber had to
 * wait for a key frame requested later. Only a handful of packets fall in that gap; beyond {@link #CAPACITY} they
 * are dropped as before.
 *
 * <p>Threads: only the transport's packet thread parks and takes packets; {@link #pending} is read there too.
 * The slots are allocated on the first park, so a transport whose keys come first never pays for them.
 */
final class EarlySrtpPackets {
    static final int CAPACITY = 32;
    /** A larger datagram is no WebRTC packet worth keeping (the path MTU is about 1200-1500 bytes). */
    static final int MAX_PACKET_BYTES = 1500;

    private byte[][] slots;
    private final int[] lengths = new int[CAPACITY];
    private final boolean[] rtcp = new boolean[CAPACITY];
    private int count;
    private long parked;
    private long overflowed;

    /** Copies one packet in; false (the caller drops it) when full or too large. */
    boolean park(byte[] buf, int off, int len, boolean isRtcp) {
        if (count == CAPACITY || len > MAX_PACKET_BYTES) {
            overflowed++;
            return false;
        }
        if (slots == null) {
            slots = new byte[CAPACITY][MAX_PACKET_BYTES];
        }
        System.arraycopy(buf, off, slots[count], 0, len);
        lengths[count] = len;
        rtcp[count] = isRtcp;
        count++;
        parked++;
        return true;
    }

    boolean pending() {
        return count > 0;
    }

    int size() {
        return count;
    }

    byte[] buffer(int i) {
        return slots[i];
    }

    int length(int i) {
        return lengths[i];
    }

    boolean isRtcp(int i) {
        return rtcp[i];
    }

    /** The packets were taken (replayed); the slots are released, the keys being in place for good. */
    void clear() {
        count = 0;
        slots = null;
    }

    long parked() {
        return parked;
    }

    long overflowed() {
        return overflowed;
    }
}
