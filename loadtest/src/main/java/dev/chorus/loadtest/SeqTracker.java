package dev.chorus.loadtest;

/**
 * Loss of one received RTP stream from its sequence numbers (RFC 3550 A.3 style): the 16-bit numbers are
 * extended across wrap-around, and expected = highest extended - lowest extended + 1. The SFU rewrites
 * sequence numbers gap-free per consumer (packets it drops on purpose, e.g. while waiting for a keyframe,
 * leave no hole), so a hole here is a packet lost between the SFU and us. Packets lost after the last one
 * received are invisible to this count. One writer thread; no allocation.
 */
final class SeqTracker {
    private boolean started;
    private long lowest;
    private long highest;
    private long received;
    private long duplicatesOrLate;

    /**
     * Records a packet and returns how much the expected count grew (0 for a reordered or duplicate packet,
     * 1 for the next in order, more after a gap).
     */
    long record(int seq) {
        seq &= 0xFFFF;
        received++;
        if (!started) {
            started = true;
            lowest = seq;
            highest = seq;
            return 1;
        }
        long ext = extend(seq, highest);
        if (ext > highest) {
            long grown = ext - highest;
            highest = ext;
            return grown;
        }
        duplicatesOrLate++;
        if (ext < lowest) {
            long grown = lowest - ext;
            lowest = ext;
            return grown;
        }
        return 0;
    }

    /** The extended value of 16-bit {@code seq} closest to {@code reference}. */
    static long extend(int seq, long reference) {
        long candidate = (reference & ~0xFFFFL) | seq;
        long diff = candidate - reference;
        if (diff > 0x8000) {
            candidate -= 0x10000;
        } else if (diff < -0x8000) {
            candidate += 0x10000;
        }
        return candidate;
    }

    long expected() {
        return started ? highest - lowest + 1 : 0;
    }

    long received() {
        return received;
    }

    /** Expected minus received, never below zero (duplicates could make it negative). */
    long lost() {
        return Math.max(0, expected() - received);
    }

    long duplicatesOrLate() {
        return duplicatesOrLate;
    }
}
