package dev.chorus.sfu.conference;

import dev.chorus.sfu.forward.PacketEgress;
import dev.chorus.sfu.relay.RelayFrame;
import dev.chorus.sfu.relay.RelayLink;

/**
 * How a remote publisher's endpoint answers its publisher: its RTCP (NACKs, keyframe requests, receiver reports)
 * goes back over the relay link, under the tag the publisher's node chose. Until that tag is known it is dropped
 * (the NACK generator and keyframe requester retry). Such an endpoint subscribes to nothing, so no RTP leaves
 * through it. Media worker thread of the room.
 */
final class RelayEgress implements PacketEgress {
    private final RelayLink link;
    private final RelayFrame frame = new RelayFrame();
    private volatile int returnTag;

    RelayEgress(RelayLink link) {
        this.link = link;
    }

    void setReturnTag(int tag) {
        returnTag = tag;
    }

    int returnTag() {
        return returnTag;
    }

    RelayLink link() {
        return link;
    }

    @Override
    public boolean sendRtp(byte[] buf, int off, int len) {
        return false;
    }

    @Override
    public boolean sendRtcp(byte[] buf, int off, int len) {
        int tag = returnTag;
        return tag != 0 && link.send(frame, tag, buf, off, len);
    }
}
