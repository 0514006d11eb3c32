/**
 * The node-to-node transport of a room that spans cluster nodes: one {@link dev.chorus.sfu.relay.RelayPort} per
 * node (a UDP socket and its reader thread) and one {@link dev.chorus.sfu.relay.RelayLink} per remote node, shared
 * by every room the two nodes have in common.
 *
 * <p>A relay datagram is a 4-byte tag followed by one plain RTP or RTCP packet. The receiving node chose the tag
 * when it asked for the stream: it names the object the packet goes to there (a remote publisher's endpoint, or the
 * relay sender that answers its NACKs and keyframe requests), so no SSRC lookup across rooms is needed and an
 * off-path sender has to guess 32 random bits. Only addresses of known cluster members are read. This is the
 * plain-RTP mode meant for a private network between the nodes; packets are not encrypted.
 *
 * <p>What the relay carries, and where its RTCP ends, is in {@code dev.chorus.sfu.forward.RelaySender} (the
 * publisher's node) and {@code dev.chorus.sfu.conference.RemotePublishers} (the subscribers' node).
 */
package dev.chorus.sfu.relay;
