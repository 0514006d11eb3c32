/**
 * Packet captures for debugging a participant's media: the decrypted RTP and RTCP it sends, copied on the
 * transport's packet thread into slots allocated when the capture starts ({@link PacketCapture}) and written as a
 * pcap file by a writer thread ({@link PcapWriter}). Started through the server API; off, the packet path pays one
 * volatile read per packet.
 */
package dev.chorus.sfu.capture;
