package dev.chorus.sfu.sdp;

/** One {@code <type>=<value>} line and its 1-based number, for error messages. */
record SdpLine(int number, char type, String value) {

    /** For an a= line: the attribute name (before the first ':'). */
    String attributeName() {
        int colon = value.indexOf(':');
        return colon < 0 ? value : value.substring(0, colon);
    }

    /** For an a= line: the attribute value (after the first ':'), or "" for a flag attribute. */
    String attributeValue() {
        int colon = value.indexOf(':');
        return colon < 0 ? "" : value.substring(colon + 1);
    }
}
