package dev.chorus.sfu.conference;

import dev.chorus.sfu.drop.DropReason;
import dev.chorus.sfu.sctp.SctpCounters;
import dev.chorus.sfu.transport.TransportTotals;
import dev.chorus.sfu.worker.ForwardingStats;

/**
 * One consistent-enough copy of the SFU's numbers for a metrics scrape (see
 * {@link MediaService#metrics()}): levels (rooms, sessions, transports, buffers in use) and
 * monotonic totals (transport traffic, forwarding counters, drops of every stage).
 * Every part was read on the thread that owns it, so any thread may read this.
 *
 * @param rooms                 rooms with a media side (a router)
 * @param sessions              participants' media sessions
 * @param transports            open ICE/DTLS/SRTP transports on the shared port
 * @param rejectedIceSessions   first STUN requests refused because of their source address
 * @param buffersInUse          pooled packet buffers handed out and not yet returned
 * @param bridgeDrops           drops of the bridge stage by {@link DropReason#ordinal()}
 * @param recordingsRunning     room recordings running now
 * @param recordingsStarted     room recordings started since the start
 * @param recordingDroppedBusy  packets room recordings could not take (their writer fell behind), all of them
 * @param dataRelay             the room data relay's totals
 * @param sctp                  every data-channel association's counts, closed ones' included (live counters: a
 *                              scrape reads them as they are then)
 */
public record MediaMetrics(
        int rooms,
        int sessions,
        int transports,
        long rejectedIceSessions,
        long buffersInUse,
        TransportTotals transport,
        ForwardingStats forwarding,
        long[] bridgeDrops,
        int recordingsRunning,
        long recordingsStarted,
        long recordingDroppedBusy,
        DataRelayTotals.Snapshot dataRelay,
        SctpCounters sctp) {

    /** The total of {@code reason}, read from the stage that counts it. */
    public long drops(DropReason reason) {
        return switch (reason.stage()) {
            case TRANSPORT -> transport.drops(reason);
            case BRIDGE -> bridgeDrops[reason.ordinal()];
            case FORWARDING -> forwarding.drops(reason);
        };
    }
}
