package dev.chorus.sfu.sctp;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;

/**
 * Two {@link DataChannels} joined by a simulated link on a fake clock: seeded loss, delay and jitter (which
 * reorders). {@link #runUntil} advances time packet by packet and timer by timer, so every run is deterministic.
 */
final class SimulatedLink {
    record InFlight(long at, long seq, boolean toB, byte[] packet) {}

    final Random random;
    final double loss;
    final long delayMillis;
    final long jitterMillis;
    long now;
    private long seq;
    private final PriorityQueue<InFlight> queue = new PriorityQueue<>(
            (x, y) -> x.at() != y.at() ? Long.compare(x.at(), y.at()) : Long.compare(x.seq(), y.seq()));
    /** When set (0..1), replaces the loss rate from now on. */
    double lossOverride = -1;

    long sentPackets;
    long droppedPackets;

    final Recorder aEvents = new Recorder();
    final Recorder bEvents = new Recorder();
    final DataChannels a;
    final DataChannels b;

    SimulatedLink(SctpConfig config, long seed, double loss, long delayMillis, long jitterMillis) {
        this.random = new Random(seed);
        this.loss = loss;
        this.delayMillis = delayMillis;
        this.jitterMillis = jitterMillis;
        a = new DataChannels(
                config,
                false,
                SctpAssociation.Output.copying(p -> transmit(p, true)),
                new Random(seed + 1),
                () -> now,
                aEvents);
        b = new DataChannels(
                config,
                true,
                SctpAssociation.Output.copying(p -> transmit(p, false)),
                new Random(seed + 2),
                () -> now,
                bEvents);
    }

    private void transmit(byte[] packet, boolean toB) {
        sentPackets++;
        if (random.nextDouble() < (lossOverride >= 0 ? lossOverride : loss)) {
            droppedPackets++;
            return;
        }
        long jitter = jitterMillis == 0 ? 0 : (long) (random.nextDouble() * jitterMillis);
        queue.add(new InFlight(now + delayMillis + jitter, seq++, toB, packet));
    }

    boolean idle() {
        return queue.isEmpty();
    }

    /** Runs until {@code done} holds or {@code limitMillis} of simulated time pass; true if done. */
    boolean runUntil(java.util.function.BooleanSupplier done, long limitMillis) {
        long end = now + limitMillis;
        while (!done.getAsBoolean()) {
            long next = Long.MAX_VALUE;
            if (!queue.isEmpty()) {
                next = queue.peek().at();
            }
            for (DataChannels d : List.of(a, b)) {
                long t = d.association().nextDeadline();
                if (t >= 0) {
                    next = Math.min(next, t);
                }
            }
            if (next == Long.MAX_VALUE || next > end) {
                return false;
            }
            now = Math.max(now, next);
            if (!queue.isEmpty() && queue.peek().at() <= now) {
                InFlight p = queue.poll();
                (p.toB() ? b : a).association().receive(p.packet(), 0, p.packet().length, now);
                continue;
            }
            for (DataChannels d : List.of(a, b)) {
                long t = d.association().nextDeadline();
                if (t >= 0 && t <= now) {
                    d.association().handleTimeout(now);
                }
            }
        }
        return true;
    }

    /** Everything a side's channels reported. */
    static final class Recorder implements DataChannels.Listener {
        final List<DataChannel> opened = new ArrayList<>();
        final List<DataChannel> closed = new ArrayList<>();
        final List<byte[]> messages = new ArrayList<>();
        final List<String> errors = new ArrayList<>();
        boolean established;
        String associationClosed;

        @Override
        public void onAssociationEstablished() {
            established = true;
        }

        @Override
        public void onOpen(DataChannel channel) {
            opened.add(channel);
        }

        @Override
        public void onMessage(DataChannel channel, boolean binary, byte[] data) {
            messages.add(data);
        }

        @Override
        public void onClose(DataChannel channel) {
            closed.add(channel);
        }

        @Override
        public void onError(DataChannel channel, String error) {
            errors.add(error);
        }

        @Override
        public void onAssociationClosed(String reason) {
            associationClosed = reason;
        }
    }
}
