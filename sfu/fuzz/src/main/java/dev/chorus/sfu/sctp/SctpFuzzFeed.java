package dev.chorus.sfu.sctp;

import java.io.ByteArrayOutputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Feeds fuzz input to an established SCTP association with an open data channel (package-private parts, hence
 * this class in its package). The input is a sequence of packets, each {@code [length:2][flags:1][bytes]}: flag bit
 * 0 puts the association's own verification tag into the header and bit 1 a correct CRC32c, so the fuzzer gets past
 * both checks to the chunk parsers; bit 2 advances the clock past the timers. The peer's answers are carried back, so
 * SACKs, retransmissions and resets run too. Any exception is a finding, as is a malformed packet left uncounted.
 */
public final class SctpFuzzFeed {
    private static final SctpConfig CONFIG = new SctpConfig(1100, 256 * 1024, 512 * 1024, 1000, 200, 10_000, 2, 60_000);

    private SctpFuzzFeed() {}

    private static final class Pair {
        final ArrayDeque<byte[]> toServer = new ArrayDeque<>();
        final ArrayDeque<byte[]> toClient = new ArrayDeque<>();
        final DataChannels client;
        final DataChannels server;
        long now;

        Pair() {
            DataChannels.Listener quiet = new DataChannels.Listener() {
                @Override
                public void onOpen(DataChannel channel) {}

                @Override
                public void onMessage(DataChannel channel, boolean binary, byte[] data) {}

                @Override
                public void onClose(DataChannel channel) {}
            };
            client = new DataChannels(
                    CONFIG, false, SctpAssociation.Output.copying(toServer::add), new Random(1), () -> now, quiet);
            server = new DataChannels(
                    CONFIG, true, SctpAssociation.Output.copying(toClient::add), new Random(2), () -> now, quiet);
        }

        void pump() {
            for (int i = 0; i < 64 && (!toServer.isEmpty() || !toClient.isEmpty()); i++) {
                byte[] p = toServer.poll();
                if (p != null) {
                    server.association().receive(p, 0, p.length, now);
                }
                p = toClient.poll();
                if (p != null) {
                    client.association().receive(p, 0, p.length, now);
                }
            }
        }
    }

    public static void feed(byte[] in) {
        Pair pair = new Pair();
        pair.client.association().connect(0);
        pair.pump();
        DataChannel channel = pair.client.open("fuzz", true, -1, -1);
        pair.pump();
        if (pair.server.association().state() != SctpAssociation.State.ESTABLISHED
                || channel.state() != DataChannel.State.OPEN) {
            throw new IllegalStateException("the fuzz association did not come up");
        }
        SctpAssociation target = pair.server.association();
        int at = 0;
        while (at + 3 <= in.length) {
            int len = Math.min(((in[at] & 0xff) << 8) | (in[at + 1] & 0xff), in.length - at - 3);
            int flags = in[at + 2];
            byte[] packet = java.util.Arrays.copyOfRange(in, at + 3, at + 3 + len);
            at += 3 + len;
            if (packet.length >= SctpPacket.HEADER) {
                if ((flags & 1) != 0) {
                    Bytes.put32(packet, 4, target.localTag());
                }
                if ((flags & 2) != 0) {
                    SctpPacket.seal(packet, 0, packet.length);
                }
            }
            if ((flags & 4) != 0) {
                pair.now += 30_000;
                target.handleTimeout(pair.now);
                pair.client.association().handleTimeout(pair.now);
            }
            long before = malformed(target);
            long packetsBefore = target.counters().get(SctpCounters.Kind.PACKETS_IN);
            target.receive(packet, 0, packet.length, pair.now);
            boolean parsed = target.counters().get(SctpCounters.Kind.PACKETS_IN) > packetsBefore;
            if (!parsed && malformed(target) == before) {
                throw new IllegalStateException("a refused packet was not counted");
            }
            pair.pump();
        }
    }

    private static long malformed(SctpAssociation a) {
        long n = 0;
        for (SctpMalformed r : SctpMalformed.values()) {
            n += a.counters().get(r);
        }
        return n;
    }

    /** Seeds: what the client side of a fresh pair sends (DCEP OPEN, a message, a reset), framed for {@link #feed}. */
    public static List<byte[]> seeds() {
        Pair pair = new Pair();
        pair.client.association().connect(0);
        pair.pump();
        pair.toServer.clear();
        DataChannel channel = pair.client.open("seed", false, 0, -1);
        List<byte[]> packets = new ArrayList<>(pair.toServer);
        pair.pump();
        pair.client.send(channel, false, "hello".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        pair.client.send(channel, true, new byte[3000]);
        packets.addAll(pair.toServer);
        pair.pump();
        pair.client.close(channel);
        packets.addAll(pair.toServer);
        List<byte[]> seeds = new ArrayList<>();
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] p : packets) {
            byte[] framed = new byte[3 + p.length];
            framed[0] = (byte) (p.length >>> 8);
            framed[1] = (byte) p.length;
            framed[2] = 3;
            System.arraycopy(p, 0, framed, 3, p.length);
            seeds.add(framed);
            all.writeBytes(framed);
        }
        seeds.add(all.toByteArray());
        return seeds;
    }
}
