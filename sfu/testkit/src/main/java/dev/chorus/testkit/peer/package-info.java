/**
 * A native WebRTC peer for tests and load-test bots: {@link dev.chorus.testkit.peer.NativePeer} offers, applies
 * the SFU's answer, connects through a client {@link dev.chorus.sfu.transport.WebRtcTransport}, sends synthetic
 * audio and VP8 and counts what it receives. Test code only: the server jar does not contain this package.
 */
package dev.chorus.testkit.peer;
