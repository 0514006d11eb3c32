package dev.chorus.sfu.transport;

/** Which SRTP code protects and unprotects media ({@code chorus.media.srtp-implementation}). */
public enum SrtpImplementation {
    /** Ours ({@link dev.chorus.sfu.srtp}): no allocation and no cipher re-init per packet. */
    CHORUS,
    /** jitsi-srtp (OpenSSL through JNI where its native library loads, else the JDK): the fallback. */
    JITSI
}
