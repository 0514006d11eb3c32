package dev.chorus.sfu.srtp;

/**
 * The cipher and authenticator of one profile for one direction (send or receive): session keys derived once, and
 * the per-packet transforms in place. Streams' indexes come from the caller ({@link SrtpTransformer}); this class
 * knows the packet layouts and the crypto, nothing about replay or SSRCs beyond the IV. Not thread-safe.
 */
abstract class PacketCrypto {
    /** The E flag of the SRTCP index word: the packet's payload is encrypted. */
    static final int E_FLAG = 0x8000_0000;

    static PacketCrypto create(SrtpCipherSuite suite, byte[] masterKey, byte[] masterSalt) {
        if (masterKey.length != suite.keyLength || masterSalt.length != suite.saltLength) {
            throw new IllegalArgumentException("key/salt lengths do not fit " + suite);
        }
        SrtpKdf kdf = new SrtpKdf(masterKey, masterSalt);
        return suite == SrtpCipherSuite.AEAD_AES_128_GCM ? new GcmCrypto(kdf) : new CmHmacCrypto(kdf);
    }

    /**
     * Encrypts {@code b[off+headerLength .. off+length)} and appends the tag; returns the new length. {@code index} is
     * the 48-bit SRTP index (ROC || SEQ). The array must have room for the tag.
     */
    abstract int protectRtp(byte[] b, int off, int headerLength, int length, int ssrc, long index);

    /** Authenticates the packet (tag included in {@code length}) and, if authentic, decrypts it; false if not. */
    abstract boolean unprotectRtp(byte[] b, int off, int headerLength, int length, int ssrc, long index);

    /** Encrypts after the first 8 bytes and appends the E flag with {@code index} and the tag; returns the new length. */
    abstract int protectRtcp(byte[] b, int off, int length, int ssrc, int index);

    /** The E flag and SRTCP index word of a protected packet (its length already checked against the overhead). */
    abstract int rtcpIndexWord(byte[] b, int off, int length);

    /** Authenticates and, if the E flag says so, decrypts; returns the plain RTCP length, or -1 if not authentic. */
    abstract int unprotectRtcp(byte[] b, int off, int length, int ssrc, int indexWord);
}
