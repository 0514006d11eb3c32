package dev.chorus.sfu.drop;

/** Where on the packet path a {@link DropReason} is counted; the label is the metrics' {@code stage} tag. */
public enum DropStage {
    /** In a participant's transport, on its packet thread: demux, DTLS, SRTP, the socket. */
    TRANSPORT("transport"),
    /** Handing a decrypted packet from the transport's thread to a media worker (a pooled copy). */
    BRIDGE("bridge"),
    /** On the media worker: its queue, then the endpoint, producer and consumers of a router. */
    FORWARDING("forwarding");

    private final String label;

    DropStage(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
