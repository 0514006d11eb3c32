package dev.chorus.sfu.transport;

import org.bouncycastle.tls.SRTPProtectionProfile;
import org.jitsi.srtp.SrtpPolicy;

/** The DTLS-SRTP protection profiles we negotiate (RFC 5764, RFC 7714), in our order of preference. */
public enum SrtpProfile {
    AEAD_AES_128_GCM(SRTPProtectionProfile.SRTP_AEAD_AES_128_GCM, 16, 12, 16),
    AES_CM_128_HMAC_SHA1_80(SRTPProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80, 16, 14, 10);

    /** IANA value used in the use_srtp extension. */
    public final int ianaId;

    public final int keyLength;
    public final int saltLength;
    /** Authentication tag length in bytes (appended to SRTP; SRTCP also appends a 4-byte index). */
    public final int tagLength;

    SrtpProfile(int ianaId, int keyLength, int saltLength, int tagLength) {
        this.ianaId = ianaId;
        this.keyLength = keyLength;
        this.saltLength = saltLength;
        this.tagLength = tagLength;
    }

    public static SrtpProfile fromIana(int id) {
        for (SrtpProfile p : values()) {
            if (p.ianaId == id) {
                return p;
            }
        }
        return null;
    }

    /** A fresh jitsi-srtp policy. Send-side replay checking is off so that retransmissions can be re-sent. */
    SrtpPolicy newPolicy(boolean sender) {
        SrtpPolicy policy = this == AEAD_AES_128_GCM
                ? new SrtpPolicy(
                        SrtpPolicy.AESGCM_ENCRYPTION,
                        keyLength,
                        SrtpPolicy.NULL_AUTHENTICATION,
                        0,
                        tagLength,
                        saltLength)
                : new SrtpPolicy(
                        SrtpPolicy.AESCM_ENCRYPTION,
                        keyLength,
                        SrtpPolicy.HMACSHA1_AUTHENTICATION,
                        20,
                        tagLength,
                        saltLength);
        if (sender) {
            policy.setSendReplayEnabled(false);
        }
        return policy;
    }
}
