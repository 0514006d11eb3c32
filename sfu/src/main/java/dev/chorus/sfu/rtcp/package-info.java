/**
 * RTCP as bytes: allocation-free views (one per packet type: SR, RR, SDES, BYE, PLI, FIR, NACK, REMB,
 * transport-cc) that validate before they read, a compound-packet reader, and writers for what the SFU sends.
 * Each view reports a {@link dev.chorus.sfu.rtcp.RtcpValidity} instead of throwing, so malformed input is
 * counted, never fatal. No state, no threads.
 */
package dev.chorus.sfu.rtcp;
