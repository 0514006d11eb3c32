package dev.chorus.sfu.rtcp;

/** Hand-made RTCP packets, one field per line, shared by the RTCP tests. */
final class RtcpFixtures {
    private RtcpFixtures() {}

    static final String SR = """
            81 c8 00 0c  // V=2 P=0 RC=1 | PT=200 SR | length=12 words (52 bytes)
            12 34 56 78  // sender SSRC
            e8 8f 1a 2b  // NTP seconds
            40 00 00 00  // NTP fraction = 0.25 s
            00 01 e2 40  // RTP timestamp = 123456
            00 00 03 e8  // packet count = 1000
            00 0f 42 40  // octet count = 1000000
            9a bc de f0  // block 0: SSRC
            19           //   fraction lost = 25/256
            ff ff fe     //   cumulative lost = -2 (signed 24-bit)
            00 01 00 64  //   extended highest seq: 1 cycle, seq 100
            00 00 00 2a  //   jitter = 42
            1a 2b 40 00  //   LSR
            00 01 80 00  //   DLSR = 1.5 s
            """;

    static final String RR = """
            82 c9 00 0d  // V=2 P=0 RC=2 | PT=201 RR | length=13 words (56 bytes)
            0a 0b 0c 0d  // sender SSRC
            00 00 00 01  // block 0: SSRC
            00 00 00 00  //   no loss
            00 00 ff ff  //   ext highest seq = 65535
            00 00 00 00  //   jitter
            00 00 00 00  //   LSR: no SR yet
            00 00 00 00  //   DLSR
            ff ff ff ff  // block 1: SSRC = 2^32-1
            ff 7f ff ff  //   fraction lost = 255, cumulative lost = 8388607 (max)
            ff ff ff ff  //   ext highest seq
            00 01 00 00  //   jitter
            12 34 56 78  //   LSR
            00 00 00 01  //   DLSR
            """;

    static final String SDES = """
            82 ca 00 08  // V=2 P=0 SC=2 | PT=202 SDES | length=8 words (36 bytes)
            12 34 56 78  // chunk 0: SSRC
            01 09 75 73 65 72 40 68 6f 73 74  // CNAME (9) "user@host"
            02 03 62 6f 62                    // NAME (3) "bob"
            00 00 00 00  // end of items + padding to the 32-bit boundary
            9a bc de f0  // chunk 1: SSRC
            01 01 78     // CNAME (1) "x"
            00           // end of items
            """;

    static final String BYE = """
            82 cb 00 04  // V=2 P=0 SC=2 | PT=203 BYE | length=4 words (20 bytes)
            12 34 56 78  // SSRC 0
            9a bc de f0  // SSRC 1
            06 63 6c 6f 73 65 64  // reason (6) "closed"
            00           // padding
            """;

    static final String PLI = """
            81 ce 00 02  // V=2 P=0 FMT=1 | PT=206 PSFB | length=2 words
            12 34 56 78  // sender SSRC
            9a bc de f0  // media SSRC
            """;

    static final String FIR = """
            84 ce 00 04  // V=2 P=0 FMT=4 | PT=206 PSFB | length=4 words
            12 34 56 78  // sender SSRC
            00 00 00 00  // media SSRC: unused, 0
            9a bc de f0  // entry 0: target SSRC
            05 00 00 00  //   command seq nr = 5, reserved
            """;

    static final String NACK = """
            81 cd 00 04  // V=2 P=0 FMT=1 | PT=205 RTPFB | length=4 words
            12 34 56 78  // sender SSRC
            9a bc de f0  // media SSRC
            ff fe 80 01  // PID=65534, BLP bits 0 and 15: 65535 and 14 (wraps)
            00 64 00 00  // PID=100, no BLP
            """;

    static final String REMB = """
            8f ce 00 05  // V=2 P=0 FMT=15 | PT=206 PSFB | length=5 words
            12 34 56 78  // sender SSRC
            00 00 00 00  // media SSRC: 0
            52 45 4d 42  // 'R' 'E' 'M' 'B'
            01           // num SSRC = 1
            0b d0 90     // exp=2 (6 bits), mantissa=250000 (18 bits): 1 Mbps
            9a bc de f0  // SSRC 0
            """;

    /**
     * Transport-cc feedback using all three chunk kinds, a sequence wrap, lost packets, a
     * large and a negative delta, and RTCP padding. The writer reproduces it byte for byte.
     */
    static final String TRANSPORT_CC = """
            af cd 00 0c  // V=2 P=1 FMT=15 | PT=205 RTPFB | length=12 words (52 bytes)
            12 34 56 78  // sender SSRC
            9a bc de f0  // media SSRC
            ff fe        // base seq = 65534
            00 24        // packet status count = 36
            00 01 02     // reference time = 258 x 64 ms
            2a           // feedback packet count = 42
            d1 a0        // 2-bit vector: 65534 small, 65535 lost, 0 small, 1 large, 2 large, 3 lost, 4 lost
            20 0f        // run length: small x 15 (seq 5..19)
            98 01        // 1-bit vector: 20 lost, 21 22 received, 23..32 lost, 33 received
            04           // 65534: +4 ticks (1 ms)
            14           // 0: +20 ticks (5 ms)
            01 2c        // 1: +300 ticks (75 ms), large
            ff fc        // 2: -4 ticks (-1 ms), negative
            01 01 01 01 01 01 01 01 01 01 01 01 01 01 01  // 5..19: +1 tick each
            08           // 21: +8 ticks
            00           // 22: +0
            fa           // 33: +250 ticks
            00 02        // RTCP padding: 2 bytes, last is the count
            """;

    /** Every fixture in one compound, as a single datagram could carry them. */
    static final String[] ALL = {SR, RR, SDES, BYE, PLI, FIR, NACK, REMB, TRANSPORT_CC};
}
