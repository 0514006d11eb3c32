package dev.chorus.sfu.transport;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The read loops of a process's CLIENT transports with shared reads: one {@link ClientReadLoop} per core the process
 * may use ({@code -Dchorus.transport.clientReadThreads} to choose), each socket given to the next loop in turn, so a
 * load generator's receive work spreads over its cores while each loop still serves many sockets per wake-up.
 */
final class ClientReadLoops {
    private final ClientReadLoop[] loops;
    private final AtomicInteger next = new AtomicInteger();

    ClientReadLoops(String name, int threads, long pauseNanos) {
        loops = new ClientReadLoop[Math.max(1, threads)];
        for (int i = 0; i < loops.length; i++) {
            loops[i] = new ClientReadLoop(loops.length == 1 ? name : name + "-" + i, pauseNanos);
        }
    }

    /** Starts reading {@code socket} on the next loop. Any thread. */
    void add(ClientUdpSocket socket) {
        loops[Math.floorMod(next.getAndIncrement(), loops.length)].add(socket);
    }

    int threads() {
        return loops.length;
    }

    /** Datagrams read by loop {@code i} so far. */
    long datagrams(int i) {
        return loops[i].datagrams();
    }

    /** Datagrams read by all loops so far. */
    long datagrams() {
        long n = 0;
        for (ClientReadLoop l : loops) {
            n += l.datagrams();
        }
        return n;
    }

    /** Ready channels served by all loops so far: {@link #datagrams} per wake-up tells how well reads batch. */
    long wakeups() {
        long n = 0;
        for (ClientReadLoop l : loops) {
            n += l.wakeups();
        }
        return n;
    }
}
