/**
 * What a codec means to the SFU, shared by SDP negotiation and forwarding: {@link dev.chorus.sfu.codec.MediaKind},
 * the forwarded {@link dev.chorus.sfu.codec.Codec}s and the payload readers that spot keyframes.
 */
package dev.chorus.sfu.codec;
