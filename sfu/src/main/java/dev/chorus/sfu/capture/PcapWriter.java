package dev.chorus.sfu.capture;

import dev.chorus.sfu.rtp.BigEndian;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Writes UDP payloads as a classic pcap file (microsecond timestamps, big-endian) of link type RAW: each record is a
 * synthetic IPv4 or IPv6 header and a UDP header around the payload, so Wireshark and tshark show the packets as the
 * participant's flow to the server and decode them with "Decode As RTP" (RTCP is told apart by its packet type, as
 * rtcp-mux sends both on one flow). The UDP checksum is left 0: the payloads are the decrypted packets, not what
 * crossed the wire. Not thread-safe: one writer thread.
 */
public final class PcapWriter implements AutoCloseable {
    /** LINKTYPE_RAW: the record starts with an IP header, version in its first nibble. */
    static final int LINKTYPE_RAW = 101;

    static final int MAGIC_MICROS = 0xa1b2c3d4;
    static final int SNAPLEN = 65535;
    private static final int UDP_HEADER = 8;
    private static final int IPV4_HEADER = 20;
    private static final int IPV6_HEADER = 40;

    private final OutputStream out;
    private final byte[] source;
    private final byte[] destination;
    private final int sourcePort;
    private final int destinationPort;
    private final byte[] header = new byte[16 + IPV6_HEADER + UDP_HEADER];

    /**
     * Writes the file header. Both addresses must be of the same family; the packets are shown as sent from
     * {@code from} to {@code to}.
     */
    public PcapWriter(OutputStream out, InetSocketAddress from, InetSocketAddress to) throws IOException {
        InetAddress a = from.getAddress();
        InetAddress b = to.getAddress();
        if (a == null || b == null || (a instanceof Inet4Address) != (b instanceof Inet4Address)) {
            throw new IllegalArgumentException("need two resolved addresses of one family: " + from + ", " + to);
        }
        this.out = out;
        this.source = a.getAddress();
        this.destination = b.getAddress();
        this.sourcePort = from.getPort();
        this.destinationPort = to.getPort();
        byte[] h = new byte[24];
        BigEndian.put32(h, 0, MAGIC_MICROS);
        BigEndian.put16(h, 4, 2);
        BigEndian.put16(h, 6, 4);
        // thiszone and sigfigs stay 0
        BigEndian.put32(h, 16, SNAPLEN);
        BigEndian.put32(h, 20, LINKTYPE_RAW);
        out.write(h);
    }

    /** One record: {@code len} payload bytes received at {@code epochMicros}. */
    public void write(long epochMicros, byte[] payload, int off, int len) throws IOException {
        boolean v6 = source.length == 16;
        int ipHeader = v6 ? IPV6_HEADER : IPV4_HEADER;
        int udpLength = UDP_HEADER + len;
        int recordLength = ipHeader + udpLength;
        if (len < 0 || recordLength > SNAPLEN) {
            throw new IllegalArgumentException("payload of " + len + " bytes does not fit a record");
        }
        byte[] h = header;
        BigEndian.put32(h, 0, (int) (epochMicros / 1_000_000));
        BigEndian.put32(h, 4, (int) (epochMicros % 1_000_000));
        BigEndian.put32(h, 8, recordLength);
        BigEndian.put32(h, 12, recordLength);
        int ip = 16;
        if (v6) {
            BigEndian.put32(h, ip, 0x6000_0000);
            BigEndian.put16(h, ip + 4, udpLength);
            h[ip + 6] = 17; // next header: UDP
            h[ip + 7] = 64; // hop limit
            System.arraycopy(source, 0, h, ip + 8, 16);
            System.arraycopy(destination, 0, h, ip + 24, 16);
        } else {
            h[ip] = 0x45;
            h[ip + 1] = 0;
            BigEndian.put16(h, ip + 2, recordLength);
            BigEndian.put32(h, ip + 4, 0x4000); // no id, don't fragment
            h[ip + 8] = 64; // ttl
            h[ip + 9] = 17; // protocol: UDP
            BigEndian.put16(h, ip + 10, 0);
            System.arraycopy(source, 0, h, ip + 12, 4);
            System.arraycopy(destination, 0, h, ip + 16, 4);
            BigEndian.put16(h, ip + 10, ipv4Checksum(h, ip));
        }
        int udp = ip + ipHeader;
        BigEndian.put16(h, udp, sourcePort);
        BigEndian.put16(h, udp + 2, destinationPort);
        BigEndian.put16(h, udp + 4, udpLength);
        BigEndian.put16(h, udp + 6, 0);
        out.write(h, 0, udp + UDP_HEADER);
        out.write(payload, off, len);
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

    public void flush() throws IOException {
        out.flush();
    }

    /** The sum of the header's 16-bit words in ones' complement, complemented (RFC 791). */
    static int ipv4Checksum(byte[] h, int off) {
        int sum = 0;
        for (int i = 0; i < IPV4_HEADER; i += 2) {
            sum += ((h[off + i] & 0xff) << 8) | (h[off + i + 1] & 0xff);
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return ~sum & 0xffff;
    }

    /** The address in the records for an unknown end (before ICE picked a pair): unspecified, port 0. */
    public static InetSocketAddress unknown(boolean v6) {
        try {
            return new InetSocketAddress(
                    v6 ? Inet6Address.getByAddress(new byte[16]) : Inet4Address.getByAddress(new byte[4]), 0);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
