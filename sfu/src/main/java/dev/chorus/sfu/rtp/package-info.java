/**
 * RTP as bytes: {@link dev.chorus.sfu.rtp.RtpPacket}, an allocation-free view that validates, reads and rewrites
 * a packet in place (header extensions in RFC 8285 one- and two-byte form); the
 * {@link dev.chorus.sfu.rtp.RtpExtension} registry; sequence and timestamp arithmetic and unwrapping; writers of
 * the few packets the SFU makes itself (padding). No state, no threads.
 */
package dev.chorus.sfu.rtp;
