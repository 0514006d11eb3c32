/**
 * What a codec means to the SFU, shared by SDP negotiation and forwarding: {@link dev.chorus.sfu.codec.MediaKind},
 * the forwarded {@link dev.chorus.sfu.codec.Codec}s, the payload readers that spot keyframes, and the layer
 * descriptors of scalable video: VP9's payload descriptor and AV1's Dependency Descriptor header extension
 * ({@link dev.chorus.sfu.codec.DependencyDescriptor}, whose template structure is kept per stream).
 */
package dev.chorus.sfu.codec;
