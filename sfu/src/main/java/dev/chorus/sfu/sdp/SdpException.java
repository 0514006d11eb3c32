package dev.chorus.sfu.sdp;

/**
 * An offer (or candidate) that cannot be understood or negotiated. Checked on purpose: SDP
 * comes from the network, so every caller must decide what the browser is told.
 */
public final class SdpException extends Exception {
    private final int lineNumber;

    public SdpException(String message) {
        this(0, message);
    }

    private SdpException(int lineNumber, String message) {
        super(lineNumber > 0 ? "line " + lineNumber + ": " + message : message);
        this.lineNumber = lineNumber;
    }

    public static SdpException atLine(int lineNumber, String message) {
        return new SdpException(lineNumber, message);
    }

    /** 1-based line of the offending SDP line, or 0 when the problem is not tied to one line. */
    public int lineNumber() {
        return lineNumber;
    }
}
