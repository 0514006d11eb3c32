package dev.chorus.sfu.sdp;

import java.util.List;

/**
 * {@code a=simulcast:send <streams> [recv <streams>]} (RFC 8853). Each stream is a list of
 * alternative rids (separated by ',' in SDP); streams are separated by ';'.
 */
public record Simulcast(List<List<Layer>> send, List<List<Layer>> receive) {
    public Simulcast {
        send = List.copyOf(send);
        receive = List.copyOf(receive);
    }

    /** One rid inside a simulcast stream; {@code paused} when written with a leading '~'. */
    public record Layer(String rid, boolean paused) {}
}
