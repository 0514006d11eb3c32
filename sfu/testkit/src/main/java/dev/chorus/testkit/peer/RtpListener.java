package dev.chorus.testkit.peer;

import dev.chorus.sfu.rtp.RtpPacket;

/**
 * Sees every valid RTP packet a {@link NativePeer} receives, after decryption, on the transport's reader
 * thread. It must be quick and must not block; {@code buf} is reused after the call returns.
 */
@FunctionalInterface
public interface RtpListener {
    /**
     * @param receivedNanos  {@link System#nanoTime()} when the packet was handed to the peer
     * @param payloadOffset  where the payload starts in {@code buf} (after header, CSRCs and extensions)
     * @param payloadLength  payload bytes, padding excluded (0 for padding-only packets)
     */
    void onRtp(
            long receivedNanos,
            long ssrc,
            int sequenceNumber,
            long rtpTimestamp,
            int payloadType,
            boolean marker,
            byte[] buf,
            int payloadOffset,
            int payloadLength);

    /**
     * A packet the peer left encrypted ({@link NativePeer#decryptRtpOneIn}): only its clear header is known, so
     * there is no payload (and no {@link PayloadStamp}) to read. Same thread rules as {@link #onRtp}; not followed
     * by {@link #onRtpPacket}. Ignored unless overridden.
     */
    default void onUndecryptedRtp(
            long receivedNanos, long ssrc, int sequenceNumber, long rtpTimestamp, int payloadType, boolean marker) {}

    /**
     * The same packet as a parsed view, for a listener that reads its header extensions (a {@link
     * TransportCcReporter}); called after {@link #onRtp}; the view is valid during the call only.
     */
    default void onRtpPacket(long receivedNanos, RtpPacket packet) {}
}
