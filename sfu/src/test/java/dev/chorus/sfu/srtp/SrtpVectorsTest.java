package dev.chorus.sfu.srtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** The primitives against RFC 3711 appendix B, RFC 7714 §16-17, and the JDK's own GCM and HMAC on random input. */
class SrtpVectorsTest {
    private static final HexFormat HEX = HexFormat.of();

    private static byte[] hex(String s) {
        return HEX.parseHex(s.replace(" ", "").toLowerCase());
    }

    @Test
    void aesCounterKeystreamIsRfc3711AppendixB2() {
        AesCounter aes = new AesCounter(hex("2B7E151628AED2A6ABF7158809CF4F3C"));
        byte[] ks = new byte[48];
        // IV F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000: the block counter is in the last 16 bits
        aes.xor(ks, 0, 48, 0xF0F1F2F3F4F5F6F7L, 0xF8F9FAFB, 0xFCFD0000);
        assertArrayEquals(
                hex(
                        "E03EAD0935C95E80E166B16DD92B4EB4 D23513162B02D0F72A43A2FE4A5F97AB 41E95B3BB0A2E8DD477901E4FCA894C0"),
                ks);
    }

    @Test
    void keyDerivationIsRfc3711AppendixB3() {
        SrtpKdf kdf = new SrtpKdf(hex("E1F97A0D3E018BE0D64FA32C06DE4139"), hex("0EC675AD498AFEEBB6960B3AABE6"));
        assertArrayEquals(hex("C61E7A93744F39EE10734AFE3FF7A087"), kdf.derive(SrtpKdf.LABEL_RTP_ENCRYPTION, 16));
        assertArrayEquals(hex("30CBBC08863D8C85D49DB34A9AE1"), kdf.derive(SrtpKdf.LABEL_RTP_SALT, 14));
        assertArrayEquals(hex("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4"), kdf.derive(SrtpKdf.LABEL_RTP_AUTH, 20));
    }

    private static final String GCM_KEY = "000102030405060708090a0b0c0d0e0f";
    private static final String GCM_SALT = "517569642070726f2071756f";
    private static final String RTP =
            "8040f17b8041f8d35501a0b247616c6c696120657374206f6d6e69732064697669736120696e207061727465732074726573";
    private static final String SRTP = "8040f17b8041f8d35501a0b2f24de3a3fb34de6cacba861c9d7e4bcabe633bd50d294e6f42a5"
            + "f47a51c7d19b36de3adf8833899d7f27beb16a9152cf765ee4390cce";
    private static final String RTCP =
            "81c8000d4d6172734e5450314e545032525450200000042a0000e9304c756e61deadbeefdeadbeef"
                    + "deadbeefdeadbeefdeadbeef";
    private static final String SRTCP = "81c8000d4d61727363e94885dcdab67ca727d7662f6b7e997ff5c0f76c06f32dc676a5f1730d"
            + "6fda4ce09b4686303ded0bb9275bc84aa45896cf4d2fc5abf87245d9eade800005d4";

    private static GcmCrypto rfc7714() {
        return new GcmCrypto(hex(GCM_KEY), hex(GCM_SALT), hex(GCM_KEY), hex(GCM_SALT));
    }

    @Test
    void gcmSrtpIsRfc7714Section16_1() {
        byte[] rtp = hex(RTP);
        byte[] buf = Arrays.copyOf(rtp, rtp.length + 16);
        int len = rfc7714().protectRtp(buf, 0, 12, rtp.length, 0x5501a0b2, 0xf17b);
        assertArrayEquals(hex(SRTP), Arrays.copyOf(buf, len));

        assertTrue(rfc7714().unprotectRtp(buf, 0, 12, len, 0x5501a0b2, 0xf17b));
        assertArrayEquals(rtp, Arrays.copyOf(buf, rtp.length));

        byte[] forged = hex(SRTP);
        forged[20] ^= 1;
        assertFalse(rfc7714().unprotectRtp(forged, 0, 12, forged.length, 0x5501a0b2, 0xf17b));
        assertArrayEquals(hex(SRTP), xorAt(forged, 20), "a failed check leaves the packet as it was");
    }

    private static byte[] xorAt(byte[] b, int i) {
        b[i] ^= 1;
        return b;
    }

    @Test
    void gcmSrtcpIsRfc7714Section17_1() {
        byte[] rtcp = hex(RTCP);
        byte[] buf = Arrays.copyOf(rtcp, rtcp.length + 20);
        int len = rfc7714().protectRtcp(buf, 0, rtcp.length, 0x4d617273, 0x5d4);
        assertArrayEquals(hex(SRTCP), Arrays.copyOf(buf, len));

        GcmCrypto rx = rfc7714();
        int word = rx.rtcpIndexWord(buf, 0, len);
        assertEquals(0x800005d4, word);
        assertEquals(rtcp.length, rx.unprotectRtcp(buf, 0, len, 0x4d617273, word));
        assertArrayEquals(rtcp, Arrays.copyOf(buf, rtcp.length));
    }

    @Test
    void gcmMatchesTheJdkOnRandomHeadersAndPayloads() throws Exception {
        Random random = new Random(7);
        byte[] key = new byte[16];
        byte[] salt = new byte[12];
        random.nextBytes(key);
        random.nextBytes(salt);
        GcmCrypto ours = new GcmCrypto(key, salt, key, salt);
        Cipher jdk = Cipher.getInstance("AES/GCM/NoPadding");
        for (int round = 0; round < 300; round++) {
            int header = 12 + 4 * random.nextInt(8);
            int payload = random.nextInt(1600);
            byte[] pkt = new byte[header + payload + 16];
            random.nextBytes(pkt);
            int ssrc = random.nextInt();
            long index = random.nextLong() & 0xFFFF_FFFF_FFFFL;
            byte[] plain = Arrays.copyOf(pkt, header + payload);
            int len = ours.protectRtp(pkt, 0, header, header + payload, ssrc, index);

            byte[] iv = new byte[12];
            for (int i = 0; i < 4; i++) {
                iv[2 + i] = (byte) (ssrc >>> (24 - 8 * i));
            }
            for (int i = 0; i < 6; i++) {
                iv[6 + i] = (byte) (index >>> (40 - 8 * i));
            }
            for (int i = 0; i < 12; i++) {
                iv[i] ^= salt[i];
            }
            jdk.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
            jdk.updateAAD(plain, 0, header);
            byte[] expected = jdk.doFinal(plain, header, payload);
            assertArrayEquals(expected, Arrays.copyOfRange(pkt, header, len), "round " + round);
        }
    }

    @Test
    void hmacSha1MatchesTheJdk() throws Exception {
        Random random = new Random(3);
        for (int keyLength : new int[] {20, 64, 100}) {
            byte[] key = new byte[keyLength];
            random.nextBytes(key);
            HmacSha1 ours = new HmacSha1(key);
            Mac jdk = Mac.getInstance("HmacSHA1");
            jdk.init(new SecretKeySpec(key, "HmacSHA1"));
            for (int round = 0; round < 50; round++) {
                byte[] data = new byte[random.nextInt(1500)];
                random.nextBytes(data);
                ours.start();
                ours.update(data, 0, data.length);
                ours.updateInt(round);
                byte[] out = new byte[20];
                ours.finish(out, 0, 20);
                jdk.update(data);
                jdk.update(new byte[] {0, 0, 0, (byte) round});
                assertArrayEquals(jdk.doFinal(), out);
            }
        }
    }
}
