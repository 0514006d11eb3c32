package dev.chorus.sfu.srtp;

/** The SRTP protection profiles this package implements, with their key, salt and tag sizes in bytes. */
public enum SrtpCipherSuite {
    /** RFC 7714: AES-128 in GCM, 12-byte salt, 16-byte tag. */
    AEAD_AES_128_GCM(16, 12, 16),
    /** RFC 3711: AES-128 counter mode, HMAC-SHA1 truncated to 80 bits, 14-byte salt. */
    AES_CM_128_HMAC_SHA1_80(16, 14, 10);

    public final int keyLength;
    public final int saltLength;
    public final int tagLength;

    SrtpCipherSuite(int keyLength, int saltLength, int tagLength) {
        this.keyLength = keyLength;
        this.saltLength = saltLength;
        this.tagLength = tagLength;
    }

    /** Bytes SRTP protection appends to an RTP packet. */
    public int rtpOverhead() {
        return tagLength;
    }

    /** Bytes SRTCP protection appends to an RTCP packet: the tag and the E flag with the SRTCP index. */
    public int rtcpOverhead() {
        return tagLength + 4;
    }
}
