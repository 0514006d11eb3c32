/**
 * The media transport: one {@link dev.chorus.sfu.transport.WebRtcTransport} per participant (ICE + DTLS 1.2 +
 * SRTP, BUNDLE and rtcp-mux), used by the SFU and, unchanged, by Java test clients and native load-test bots.
 *
 * <h2>Server (SFU)</h2>
 * <pre>{@code
 * DtlsCertificate cert = DtlsCertificate.generate();              // once per process
 * SharedUdpPort port = SharedUdpPort.open(TransportConfig.builder()
 *         .bindAddress(addr).port(10000).allowRemote("0.0.0.0/0").build());  // once per process
 * WebRtcTransport t = WebRtcTransport.createServer(port, cert, listener);
 * // answer SDP: a=ice-ufrag t.localUfrag(), a=ice-pwd t.localPassword(), a=fingerprint t.localFingerprint(),
 * //             a=setup t.localSetupRole() ("passive"), a=candidate for each t.localCandidates()
 * t.setRemoteIceCredentials(offerUfrag, offerPwd);
 * t.setRemoteFingerprint("sha-256", offerFingerprintHex);
 * t.start();
 * t.addRemoteCandidate(trickledLine);                              // any time
 * }</pre>
 * With {@code .tcpPort(p)} the port also listens for ICE over TCP ({@code IceTcpListener}: passive candidates,
 * RFC 4571 framing, one selector thread; frames reach the same transport as UDP datagrams would, and replies
 * leave on the same connection). {@code .advertised(publicAddress, port)} makes every candidate announce a
 * public address (1:1 NAT, or a proxy in front of the SFU) instead of the bound one.
 *
 * <h2>Client (tests, bots)</h2>
 * {@code WebRtcTransport.createClient(config, cert, listener)}: ICE controlling, DTLS client, a socket of its own.
 *
 * <h2>Packets</h2>
 * Received SRTP/SRTCP is decrypted in place and handed to {@code Listener.onRtp/onRtcp} on the packet thread
 * (the UDP port's reader, or the ICE-TCP selector thread for a transport whose selected pair is TCP; valid only
 * during the call). {@code sendRtp/sendRtcp} encrypt in place: leave
 * {@link dev.chorus.sfu.buffer.PacketBuffer#TAIL_ROOM} bytes after the packet. Every drop is
 * counted by {@link dev.chorus.sfu.drop.DropReason} (stage TRANSPORT); {@code toJson()} is the /debug view.
 *
 * <h2>Network hygiene</h2>
 * {@code src/main/resources/application.conf} turns off every ice4j mapping harvester (cloud metadata, STUN),
 * and no code path uses ice4j's interface-enumerating host harvester.
 */
package dev.chorus.sfu.transport;
