package dev.chorus.sfu.sdp;

/** Appends SDP lines with the CRLF line ends RFC 8866 requires. */
final class SdpLinesWriter {
    private final StringBuilder text = new StringBuilder(4096);

    SdpLinesWriter line(char type, String value) {
        text.append(type).append('=').append(value).append("\r\n");
        return this;
    }

    SdpLinesWriter attribute(String name) {
        return line('a', name);
    }

    SdpLinesWriter attribute(String name, Object value) {
        return line('a', name + ":" + value);
    }

    @Override
    public String toString() {
        return text.toString();
    }
}
