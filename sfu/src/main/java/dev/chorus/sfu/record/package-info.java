/**
 * Room recording without transcoding: each published track written as it comes into its own file, VP8, VP9 and
 * Opus as WebM, H.264 as Matroska (.mkv). The media worker hands the recorded packets and sender reports to a
 * {@link dev.chorus.sfu.record.TrackTap} (a copy into a preallocated slot, counted and dropped when none is free);
 * the recording writer thread assembles frames ({@link dev.chorus.sfu.record.VideoDepacketizer} with the codec's
 * {@link dev.chorus.sfu.record.VideoPayload}), places them on the server's clock through each publisher's sender
 * reports, and writes them with {@link dev.chorus.sfu.record.WebmWriter}, whose files play up to their last complete
 * cluster whatever happens to the process. {@link dev.chorus.sfu.record.RoomRecording} is one recording of a room and
 * its {@code manifest.json}.
 */
package dev.chorus.sfu.record;
