package dev.chorus.sfu.forward;

import dev.chorus.sfu.rtcp.FirWriter;
import dev.chorus.sfu.rtcp.NackWriter;
import dev.chorus.sfu.rtcp.PliView;
import dev.chorus.sfu.rtcp.PliWriter;
import dev.chorus.sfu.rtcp.RtcpCompoundReader;
import dev.chorus.sfu.rtcp.RtcpPacketType;
import dev.chorus.sfu.rtcp.SenderReportWriter;
import java.util.Arrays;
import java.util.List;

/** Builds RTCP a remote peer would send, and reads back what the SFU sent. */
final class Rtcp {
    private Rtcp() {}

    static byte[] pli(long senderSsrc, long mediaSsrc) {
        byte[] b = new byte[PliWriter.LENGTH];
        PliWriter.write(b, 0, b.length, senderSsrc, mediaSsrc);
        return b;
    }

    static byte[] fir(long senderSsrc, long targetSsrc, int seqNr) {
        byte[] b = new byte[64];
        int n = FirWriter.write(b, 0, b.length, senderSsrc, targetSsrc, seqNr);
        return Arrays.copyOf(b, n);
    }

    static byte[] senderReport(long ssrc, long ntp, long rtp, long packets, long octets) {
        byte[] b = new byte[SenderReportWriter.length(0)];
        SenderReportWriter.write(b, 0, b.length, ssrc, ntp, rtp, packets, octets, null, 0);
        return b;
    }

    /** Number of PLIs for {@code mediaSsrc} among sent RTCP datagrams. */
    static int countPlis(List<byte[]> sent, long mediaSsrc) {
        int count = 0;
        RtcpCompoundReader reader = new RtcpCompoundReader();
        PliView pli = new PliView();
        for (byte[] datagram : sent) {
            reader.reset(datagram, 0, datagram.length);
            while (reader.next()) {
                if (reader.packetType() == RtcpPacketType.PSFB
                        && reader.fmt() == RtcpPacketType.FMT_PLI
                        && pli.wrap(datagram, reader.packetOffset(), reader.packetLength())
                                .equals(dev.chorus.sfu.rtcp.RtcpValidity.OK)
                        && pli.mediaSsrc() == mediaSsrc) {
                    count++;
                }
            }
        }
        return count;
    }

    /** The first packet of type {@code packetType} in {@code datagrams}, as [datagram index, offset]. */
    static int[] find(List<byte[]> datagrams, int packetType) {
        RtcpCompoundReader reader = new RtcpCompoundReader();
        for (int i = 0; i < datagrams.size(); i++) {
            byte[] d = datagrams.get(i);
            reader.reset(d, 0, d.length);
            while (reader.next()) {
                if (reader.packetType() == packetType) {
                    return new int[] {i, reader.packetOffset()};
                }
            }
        }
        return null;
    }

    static byte[] nack(long senderSsrc, long mediaSsrc) {
        byte[] b = new byte[64];
        int n = NackWriter.write(b, 0, b.length, senderSsrc, mediaSsrc, new int[] {5}, 0, 1);
        return n > 0 ? Arrays.copyOf(b, n) : new byte[0];
    }

    /** A generic NACK for {@code seqs} (ascending). */
    static byte[] nack(long senderSsrc, long mediaSsrc, int... seqs) {
        byte[] b = new byte[1200];
        int n = NackWriter.write(b, 0, b.length, senderSsrc, mediaSsrc, seqs, 0, seqs.length);
        return Arrays.copyOf(b, n);
    }

    /** A receiver report with one block about {@code ssrc} echoing LSR/DLSR. */
    static byte[] receiverReport(long senderSsrc, long ssrc, long lastSr, long delaySinceLastSr) {
        return receiverReport(senderSsrc, ssrc, 0, lastSr, delaySinceLastSr);
    }

    /** As above, reporting {@code fractionLost} (0..255, RFC 3550) of the stream. */
    static byte[] receiverReport(long senderSsrc, long ssrc, int fractionLost, long lastSr, long delaySinceLastSr) {
        dev.chorus.sfu.rtcp.ReportBlock block =
                new dev.chorus.sfu.rtcp.ReportBlock().set(ssrc, fractionLost, 0, 0, 0, lastSr, delaySinceLastSr);
        byte[] b = new byte[dev.chorus.sfu.rtcp.ReceiverReportWriter.length(1)];
        dev.chorus.sfu.rtcp.ReceiverReportWriter.write(
                b, 0, b.length, senderSsrc, new dev.chorus.sfu.rtcp.ReportBlock[] {block}, 1);
        return b;
    }

    /** Sequence numbers of all generic NACKs about {@code mediaSsrc}, in order. */
    static List<Integer> nackedSeqs(List<byte[]> sent, long mediaSsrc) {
        List<Integer> out = new java.util.ArrayList<>();
        RtcpCompoundReader reader = new RtcpCompoundReader();
        dev.chorus.sfu.rtcp.NackView nack = new dev.chorus.sfu.rtcp.NackView();
        for (byte[] datagram : sent) {
            reader.reset(datagram, 0, datagram.length);
            while (reader.next()) {
                if (reader.packetType() == RtcpPacketType.RTPFB
                        && reader.fmt() == RtcpPacketType.FMT_NACK
                        && nack.wrap(datagram, reader.packetOffset(), reader.packetLength())
                                == dev.chorus.sfu.rtcp.RtcpValidity.OK
                        && nack.mediaSsrc() == mediaSsrc) {
                    nack.forEachLost(out::add);
                }
            }
        }
        return out;
    }

    /** NTP timestamp of the last SR from {@code ssrc} in {@code sent}, or -1. */
    static long lastSenderReportNtp(List<byte[]> sent, long ssrc) {
        long ntp = -1;
        RtcpCompoundReader reader = new RtcpCompoundReader();
        dev.chorus.sfu.rtcp.SenderReportView sr = new dev.chorus.sfu.rtcp.SenderReportView();
        for (byte[] datagram : sent) {
            reader.reset(datagram, 0, datagram.length);
            while (reader.next()) {
                if (reader.packetType() == RtcpPacketType.SR
                        && sr.wrap(datagram, reader.packetOffset(), reader.packetLength())
                                == dev.chorus.sfu.rtcp.RtcpValidity.OK
                        && sr.senderSsrc() == ssrc) {
                    ntp = sr.ntpTimestamp();
                }
            }
        }
        return ntp;
    }
}
