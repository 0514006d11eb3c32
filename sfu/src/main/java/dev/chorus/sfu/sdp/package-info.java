/**
 * SDP offer/answer as the SFU speaks it: a tolerant parser with limits ({@link dev.chorus.sfu.sdp.SdpParser}),
 * the policy of what is accepted on an m= line ({@link dev.chorus.sfu.sdp.CodecPolicy}: Opus, the room's video
 * codec (VP8 or H264) with RTX, the known header extensions), and {@link dev.chorus.sfu.sdp.AnswerBuilder}, which turns an offer plus the tracks to
 * send into an answer. Values only; no transport, no threads.
 */
package dev.chorus.sfu.sdp;
