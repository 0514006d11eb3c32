package dev.chorus.sfu.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClientReadLoopsTest {

    @Test
    void socketsAreSpreadOverTheLoopsInTurn() throws Exception {
        ClientReadLoops loops = new ClientReadLoops("test-client-reads", 2, 0);
        assertEquals(2, loops.threads());
        List<ClientUdpSocket> sockets = new ArrayList<>();
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (DatagramSocket sender = new DatagramSocket(0, loopback)) {
            for (int i = 0; i < 4; i++) {
                ClientUdpSocket s = new ClientUdpSocket(loopback);
                sockets.add(s);
                loops.add(s);
            }
            // First byte 0: STUN by RFC 7983, which a socket queues for ice4j without an SRTP path attached.
            byte[] stun = new byte[20];
            for (int round = 0; round < 3; round++) {
                for (ClientUdpSocket s : sockets) {
                    sender.send(new DatagramPacket(stun, stun.length, s.localAddress()));
                }
            }
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (loops.datagrams() < 12 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(12, loops.datagrams());
            assertEquals(6, loops.datagrams(0), "two sockets, three datagrams each");
            assertEquals(6, loops.datagrams(1));
            assertTrue(loops.wakeups() >= 4, "every socket was ready at least once");
        } finally {
            sockets.forEach(ClientUdpSocket::close);
        }
    }
}
