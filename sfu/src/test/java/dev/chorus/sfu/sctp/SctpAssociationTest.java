package dev.chorus.sfu.sctp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SctpAssociationTest {
    private static final SctpConfig CONFIG = SctpConfig.DEFAULT;

    private static SimulatedLink connected(long seed, double loss, long delay, long jitter) {
        SimulatedLink link = new SimulatedLink(CONFIG, seed, loss, delay, jitter);
        link.a.association().connect(link.now);
        assertTrue(link.runUntil(() -> link.aEvents.established && link.bEvents.established, 60_000), "handshake");
        return link;
    }

    private static DataChannel openChannel(SimulatedLink link, String label, boolean ordered, int maxRetransmits) {
        DataChannel ch = link.a.open(label, ordered, maxRetransmits, -1);
        int before = link.bEvents.opened.size();
        assertTrue(link.runUntil(
                () -> ch.state() == DataChannel.State.OPEN && link.bEvents.opened.size() > before, 60_000));
        return ch;
    }

    private static byte[] pattern(int size, int seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void handshakeAndOneMessageEachWay() {
        SimulatedLink link = connected(1, 0, 10, 0);
        DataChannel a = openChannel(link, "chat", true, -1);
        DataChannel b = link.bEvents.opened.get(0);
        assertEquals("chat", b.label());
        assertEquals(0, a.stream() % 2, "the DTLS client opens even streams");
        assertNull(link.a.send(a, false, "hello".getBytes()));
        assertNull(link.b.send(b, true, new byte[] {1, 2, 3}));
        assertTrue(link.runUntil(() -> link.bEvents.messages.size() == 1 && link.aEvents.messages.size() == 1, 10_000));
        assertArrayEquals("hello".getBytes(), link.bEvents.messages.get(0));
        assertArrayEquals(new byte[] {1, 2, 3}, link.aEvents.messages.get(0));
    }

    @Test
    void oneMebibyteArrivesWholeThroughFivePercentLossAndReordering() {
        SimulatedLink link = connected(2, 0.05, 20, 15);
        DataChannel a = openChannel(link, "big", true, -1);
        byte[] big = pattern(1 << 20, 7);
        assertNull(link.a.send(a, true, big));
        assertTrue(link.runUntil(() -> link.bEvents.messages.size() == 1, 300_000), "1 MiB delivered");
        assertArrayEquals(big, link.bEvents.messages.get(0));
        SctpCounters c = link.a.association().counters();
        assertTrue(c.get(SctpCounters.Kind.RETRANSMITTED_CHUNKS) > 0, "losses were repaired by retransmission");
        assertTrue(link.droppedPackets > 0);
    }

    @Test
    void reliableOrderedChannelLosesNothingAndKeepsOrderUnderLoss() {
        SimulatedLink link = connected(3, 0.05, 20, 30);
        DataChannel a = openChannel(link, "r", true, -1);
        int n = 500;
        for (int i = 0; i < n; i++) {
            assertNull(link.a.send(a, true, ByteBuffer.allocate(200).putInt(i).array()));
        }
        assertTrue(link.runUntil(() -> link.bEvents.messages.size() == n, 300_000));
        for (int i = 0; i < n; i++) {
            assertEquals(i, ByteBuffer.wrap(link.bEvents.messages.get(i)).getInt(), "message " + i + " in order");
        }
    }

    @Test
    void unreliableChannelWithoutRetransmissionsSkipsLossesAndKeepsGoing() {
        SimulatedLink link = connected(4, 0, 20, 0);
        DataChannel a = openChannel(link, "u", false, 0);
        DataChannel b = link.bEvents.opened.get(0);
        assertEquals(0, b.maxRetransmits());
        assertTrue(!b.ordered(), "unordered");
        int n = 400;
        SimulatedLink withLoss = link;
        withLoss.lossOverride = 0.1; // from now on: the channel is open
        for (int i = 0; i < n; i++) {
            assertNull(
                    withLoss.a.send(a, true, ByteBuffer.allocate(100).putInt(i).array()));
        }
        withLoss.runUntil(() -> withLoss.a.association().bufferedBytes() == 0 && withLoss.idle(), 120_000);
        int got = withLoss.bEvents.messages.size();
        assertTrue(got < n && got > n * 0.8, "some lost, most delivered: " + got);
        assertTrue(withLoss.a.association().counters().get(SctpCounters.Kind.ABANDONED_MESSAGES) > 0);
        assertEquals(0, withLoss.a.association().counters().get(SctpCounters.Kind.RETRANSMITTED_CHUNKS));
        // and the association is healthy: a later message on a reliable channel still gets through
        DataChannel r = openChannel(withLoss, "after", true, -1);
        assertNull(withLoss.a.send(r, false, "still alive".getBytes()));
        assertTrue(withLoss.runUntil(
                () -> new String(withLoss.bEvents.messages.get(withLoss.bEvents.messages.size() - 1))
                        .equals("still alive"),
                60_000));
    }

    @Test
    void closingAChannelResetsBothStreams() {
        SimulatedLink link = connected(5, 0, 10, 0);
        DataChannel a = openChannel(link, "c", true, -1);
        link.a.close(a);
        assertTrue(link.runUntil(() -> link.aEvents.closed.size() == 1 && link.bEvents.closed.size() == 1, 10_000));
        assertEquals(DataChannel.State.CLOSED, a.state());
        assertEquals(1, link.b.association().counters().get(SctpCounters.Kind.STREAM_RESETS_IN));
        // the stream can carry a new channel afterwards
        DataChannel again = openChannel(link, "c2", true, -1);
        assertNull(link.a.send(again, false, "x".getBytes()));
        assertTrue(link.runUntil(() -> link.bEvents.messages.size() == 1, 10_000));
    }

    @Test
    void aMessageAboveTheMaximumIsRefusedWithAReasonAndTheChannelLives() {
        SimulatedLink link = connected(6, 0, 10, 0);
        DataChannel a = openChannel(link, "m", true, -1);
        String error = link.a.send(a, true, new byte[CONFIG.maxMessageSize() + 1]);
        assertNotNull(error);
        assertTrue(error.contains("exceeds the maximum"), error);
        assertNull(link.a.send(a, true, new byte[CONFIG.maxMessageSize()]));
        assertTrue(link.runUntil(() -> link.bEvents.messages.size() == 1, 120_000));
        assertEquals(CONFIG.maxMessageSize(), link.bEvents.messages.get(0).length);
    }

    @Test
    void bothSidesConnectingAtOnceEndUpWithOneAssociation() {
        SimulatedLink link = new SimulatedLink(CONFIG, 7, 0, 10, 0);
        link.a.association().connect(0);
        link.b.association().connect(0);
        assertTrue(link.runUntil(() -> link.aEvents.established && link.bEvents.established, 10_000));
        DataChannel a = openChannel(link, "x", true, -1);
        assertNull(link.a.send(a, false, "ok".getBytes()));
        assertTrue(link.runUntil(() -> link.bEvents.messages.size() == 1, 10_000));
    }

    @Test
    void aPeerThatStopsAnsweringClosesTheAssociationWithAReason() {
        SimulatedLink link = connected(8, 0, 10, 0);
        DataChannel a = openChannel(link, "d", true, -1);
        link.lossOverride = 1.0;
        assertNull(link.a.send(a, false, "into the void".getBytes()));
        assertTrue(link.runUntil(() -> link.aEvents.associationClosed != null, 3_600_000));
        assertTrue(link.aEvents.associationClosed.contains("stopped acknowledging"), link.aEvents.associationClosed);
        assertEquals(1, link.aEvents.closed.size(), "the channel is reported closed, not left hanging");
    }

    @Test
    void anOrderedChannelWithoutRetransmissionsSkipsLostMessagesInOrder() {
        SimulatedLink link = connected(9, 0, 20, 0);
        DataChannel a = link.a.open("ordered-lossy", true, 0, -1);
        assertTrue(link.runUntil(() -> a.state() == DataChannel.State.OPEN, 10_000));
        link.lossOverride = 0.1;
        int n = 300;
        for (int i = 0; i < n; i++) {
            assertNull(link.a.send(a, true, ByteBuffer.allocate(100).putInt(i).array()));
        }
        link.runUntil(() -> link.a.association().bufferedBytes() == 0 && link.idle(), 120_000);
        int got = link.bEvents.messages.size();
        assertTrue(got < n && got > n * 0.7, "some lost, most delivered: " + got);
        int last = -1;
        for (byte[] m : link.bEvents.messages) {
            int seq = ByteBuffer.wrap(m).getInt();
            assertTrue(seq > last, "ordered even with gaps: " + seq + " after " + last);
            last = seq;
        }
        assertTrue(link.a.association().counters().get(SctpCounters.Kind.FORWARD_TSNS_OUT) > 0);
        assertTrue(link.b.association().counters().get(SctpCounters.Kind.FORWARD_TSNS_IN) > 0);
    }

    @Test
    void aTimedChannelGivesUpOnMessagesOlderThanTheirLifetime() {
        SimulatedLink link = connected(10, 0, 50, 0);
        DataChannel a = link.a.open("timed", false, -1, 0);
        assertTrue(link.runUntil(() -> a.state() == DataChannel.State.OPEN, 10_000));
        assertEquals(0, link.bEvents.opened.get(0).maxPacketLifeTimeMillis());
        link.lossOverride = 0.2;
        int n = 200;
        for (int i = 0; i < n; i++) {
            assertNull(link.a.send(a, true, new byte[500]));
        }
        link.runUntil(() -> link.a.association().bufferedBytes() == 0 && link.idle(), 120_000);
        assertTrue(link.bEvents.messages.size() < n);
        assertTrue(link.a.association().counters().get(SctpCounters.Kind.ABANDONED_MESSAGES) > 0);
        assertEquals(0, link.a.association().counters().get(SctpCounters.Kind.RETRANSMITTED_CHUNKS));
    }

    @Test
    void aChannelOpenedBeforeTheAssociationIsUpOpensOnceItIs() {
        SimulatedLink link = new SimulatedLink(CONFIG, 11, 0, 10, 0);
        DataChannel early = link.a.open("early", true, -1, -1);
        link.a.association().connect(link.now);
        assertTrue(link.runUntil(
                () -> early.state() == DataChannel.State.OPEN && link.bEvents.opened.size() == 1, 10_000));
        assertEquals("early", link.bEvents.opened.get(0).label());
    }

    @Test
    void aPeerCannotOpenMoreChannelsThanTheCap() {
        SimulatedLink link = connected(12, 0, 5, 0);
        for (int i = 0; i <= DataChannels.MAX_CHANNELS; i++) {
            link.a.open("c" + i, true, -1, -1);
        }
        link.runUntil(() -> link.idle() && link.a.association().bufferedBytes() == 0, 60_000);
        assertEquals(DataChannels.MAX_CHANNELS, link.bEvents.opened.size());
        assertEquals(1, link.b.association().counters().get(SctpMalformed.BAD_DCEP));
    }
}
