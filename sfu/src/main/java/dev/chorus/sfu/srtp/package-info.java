/**
 * SRTP and SRTCP (RFC 3711, RFC 7714) for AEAD_AES_128_GCM and AES_CM_128_HMAC_SHA1_80, written for the packet path:
 * no allocation and no cipher re-initialisation per packet.
 *
 * <p>{@link dev.chorus.sfu.srtp.SrtpTransformer} is the entry point, one per direction of a DTLS-SRTP association: it
 * keeps per-SSRC indexes (rollover counter estimation, replay window, SRTCP index) and hands each packet to the
 * direction's {@code PacketCrypto} ({@code GcmCrypto} or {@code CmHmacCrypto}), whose session keys come from the RFC
 * 3711 key derivation ({@code SrtpKdf}) once. The primitives reuse JDK objects keyed once: {@code AesCounter} (counter
 * mode from AES/ECB, so the JDK's AES-NI intrinsics do the blocks), {@code Ghash} (table-driven GHASH), {@code
 * HmacSha1} (HMAC over a reused SHA-1 {@code MessageDigest}). The transport picks this or jitsi-srtp with {@code
 * chorus.media.srtp-implementation}.
 */
package dev.chorus.sfu.srtp;
