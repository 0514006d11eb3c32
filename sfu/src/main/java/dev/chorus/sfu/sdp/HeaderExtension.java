package dev.chorus.sfu.sdp;

import java.util.Optional;

/**
 * {@code a=extmap:<id>[/<direction>] <uri> [<attributes>]} (RFC 8285). The direction is
 * empty when the line does not give one, which means sendrecv.
 */
public record HeaderExtension(int id, String uri, Optional<Direction> direction, String attributes) {}
