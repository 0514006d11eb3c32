package dev.chorus.sfu.rtcp;

/** RTCP packet type (PT) values and feedback message types (FMT) we understand. */
public final class RtcpPacketType {
    public static final int SR = 200;
    public static final int RR = 201;
    public static final int SDES = 202;
    public static final int BYE = 203;
    public static final int APP = 204;
    /** Transport-layer feedback (RFC 4585). */
    public static final int RTPFB = 205;
    /** Payload-specific feedback (RFC 4585). */
    public static final int PSFB = 206;

    public static final int XR = 207;

    /** RTPFB: generic NACK. */
    public static final int FMT_NACK = 1;
    /** RTPFB: transport-wide congestion control feedback. */
    public static final int FMT_TRANSPORT_CC = 15;
    /** PSFB: picture loss indication. */
    public static final int FMT_PLI = 1;
    /** PSFB: full intra request (RFC 5104). */
    public static final int FMT_FIR = 4;
    /** PSFB: application-layer feedback; REMB is the one we know. */
    public static final int FMT_AFB = 15;

    private RtcpPacketType() {}
}
