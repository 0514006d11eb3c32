/**
 * The media transport: one {@link dev.chorus.sfu.transport.WebRtcTransport} per participant (ICE + DTLS 1.2 +
 * SRTP, BUNDLE and rtcp-mux), used by the SFU and, unchanged, by Java test clients and native load-test bots.
 *
 * <h2>Server (SFU)</h2>
 * <pre>{@code
 * DtlsCertificate cert = DtlsCertificate.generate();              // once per process
 * MediaPorts ports = MediaPorts.open(TransportConfig.builder()
 *         .bindAddress(addr).port(10000).allowRemote("0.0.0.0/0").build());  // once per server
 * WebRtcTransport t = WebRtcTransport.createServer(ports, cert, listener);
 * // answer SDP: a=ice-ufrag t.localUfrag(), a=ice-pwd t.localPassword(), a=fingerprint t.localFingerprint(),
 * //             a=setup t.localSetupRole() ("passive"), a=candidate for each t.localCandidates()
 * t.setRemoteIceCredentials(offerUfrag, offerPwd);
 * t.setRemoteFingerprint("sha-256", offerFingerprintHex);
 * t.start();
 * t.addRemoteCandidate(trickledLine);                              // any time
 * }</pre>
 * {@code MediaPorts} owns what the server's transports share: the UDP socket ({@code SharedUdpPort}), with
 * {@code .tcpPort(p)} the ICE-TCP listener ({@code IceTcpListener}: passive candidates, RFC 4571 framing, one selector
 * thread; frames reach the same transport as UDP datagrams would, and replies leave on the same connection), and the
 * transport threads ({@code TransportRuntime}); closing it closes them all. {@code .advertised(publicAddress, port)}
 * makes every candidate announce a public address (1:1 NAT, or a proxy in front of the SFU) instead of the bound one.
 *
 * <h2>Client (tests, bots, later server-to-server relays)</h2>
 * {@code WebRtcTransport.createClient(config, cert, listener)}: ICE controlling, DTLS client, a socket of its own read
 * by its own thread ({@code ClientSocketReader}); DTLS and consent on one process-wide client runtime.
 *
 * <h2>Parts of a transport</h2>
 * {@code WebRtcTransport} is a facade that wires: {@code IceSession} (the ice4j agent, candidates, ICE state,
 * sending on the selected pair) with its {@code ConsentFreshness} (RFC 7675); {@code IcePath} (which ICE session DTLS
 * and media go over: one, or during an ICE restart the current one until the new one has a selected pair, the two
 * sessions' states merged into the transport's); {@code DtlsSession} (record queue,
 * handshake on the bounded {@code DtlsHandshakeExecutor}, post-handshake drains, DTLS state and named failure);
 * {@code SrtpPacketPath} (RFC 7983 demux, SRTP unprotect/protect in place through an {@code SrtpSession}: jitsi-srtp's,
 * {@code JitsiSrtpSession}, or ours, {@code ChorusSrtpSession} on {@link dev.chorus.sfu.srtp}, as
 * {@code chorus.media.srtp-implementation} says); {@code IceTcpAttachment} (binds ICE-TCP
 * connections); {@code TransportCounters} (the one counter set every part counts into).
 *
 * <h2>Packets</h2>
 * Received SRTP/SRTCP is decrypted in place and handed to {@code Listener.onRtp/onRtcp} on the packet thread (valid
 * only during the call). {@code sendRtp/sendRtcp} encrypt in place: leave
 * {@link dev.chorus.sfu.buffer.PacketBuffer#TAIL_ROOM} bytes after the packet. Every drop is counted by
 * {@link dev.chorus.sfu.drop.DropReason} (stage TRANSPORT) in the transport's {@code TransportCounters};
 * {@code toJson()} is the /debug view.
 *
 * <h2>Threads</h2>
 * <table>
 * <caption>Every kind of thread that touches a transport</caption>
 * <tr><th>thread</th><th>owns</th><th>may call</th></tr>
 * <tr><td>ice4j reader of the shared UDP port (one per {@code MediaPorts})</td>
 *     <td>the UDP socket, pooled receive buffers</td>
 *     <td>{@code SrtpPacketPath.receive} (ice4j push API): demux, SRTP unprotect with the receive contexts,
 *     {@code Listener.onRtp/onRtcp}, {@code DtlsSession.receive} (enqueue only). Never blocks.</td></tr>
 * <tr><td>ice4j's own agent and STUN threads (process-wide pools; one reader per ICE-TCP connection)</td>
 *     <td>connectivity and consent checks, pair selection</td>
 *     <td>{@code IceSession}'s listeners: ICE events, consent start, submitting the DTLS handshake;
 *     {@code TcpIceSocket.send/receive}</td></tr>
 * <tr><td>ICE-TCP selector ({@code chorus-ice-tcp-<port>})</td>
 *     <td>the listening socket, every connection's reads and framer, OP_WRITE flushes</td>
 *     <td>{@code IceTcpAttachment.attach}; {@code SrtpPacketPath.receive} for non-STUN frames, as the UDP reader</td></tr>
 * <tr><td>DTLS handshake threads ({@code chorus-dtls-<port>-n}, at most {@code dtlsThreads}, a bounded queue)</td>
 *     <td>one blocking Bouncy Castle handshake each</td>
 *     <td>{@code DtlsSession.run}: takes records from its queue, sends through {@code IceSession.send}, installs
 *     the keys in {@code SrtpPacketPath}, fires DTLS_CONNECTED or DTLS_FAILED</td></tr>
 * <tr><td>DTLS drain thread ({@code chorus-dtls-drain-<port>-1})</td>
 *     <td>short reads of records after the handshake; every SCTP association of the runtime's transports
 *     ({@code DataChannelLink}: data channels, RFC 8261)</td>
 *     <td>{@code DtlsSession.drain} (may resend the final flight through {@code IceSession.send}); hands
 *     application data to {@code DataChannelLink.receive}, which runs the association and sends through BC's
 *     {@code DTLSTransport}; the association's timer and sends from other threads are queued onto it</td></tr>
 * <tr><td>transport timer ({@code chorus-transport-timer-<port>-1})</td>
 *     <td>the consent watches, ICE restart timeouts; SCTP timers (which only queue work onto the drain thread)</td>
 *     <td>{@code ConsentFreshness} check, then {@code IceSession} fails with CONSENT_EXPIRED (ICE_FAILED); an ICE
 *     restart that timed out; closing an ICE session an ICE restart took out of use</td></tr>
 * <tr><td>media workers</td>
 *     <td>nothing of the transport</td>
 *     <td>{@code sendRtp/sendRtcp}, from several workers at once: {@code SrtpPacketPath} takes its {@code sendLock}
 *     (the send-side SRTP contexts and view are not thread-safe), then {@code IceSession.send}
 *     ({@code Component.send}; an ICE-TCP connection's {@code send} is synchronized)</td></tr>
 * <tr><td>control thread (signaling's Vert.x loop for the SFU; the test for clients)</td>
 *     <td>the session's SDP</td>
 *     <td>the factories, remote description, {@code addRemoteCandidate}, {@code start}, {@code toJson}</td></tr>
 * <tr><td>closer ({@code chorus-transport-closer}, in MediaService)</td>
 *     <td>nothing</td>
 *     <td>{@code close()} (freeing an ICE agent can take a while); CLOSED is fired here</td></tr>
 * <tr><td>client reader ({@code chorus-client-reader-<ufrag>}, CLIENT only)</td>
 *     <td>the client's own socket</td>
 *     <td>{@code SrtpPacketPath.receive}, as the UDP reader</td></tr>
 * </table>
 * Receive state (the receive SRTP contexts and view) has one writer: the packet thread of the transport's selected
 * path. During an ICE restart both sessions deliver; over UDP that is still the shared port's one reader. Should two
 * packet threads deliver at once (UDP and ICE-TCP paths of one transport), {@code SrtpPacketPath.receive} lets one in
 * and drops the other's packet (CONCURRENT_PATHS); it never blocks. {@code Listener.onStateChanged} runs on ice4j's, a DTLS, the timer's or the closing thread; never call
 * {@code close()} from inside it. {@code MediaPorts.close()} closes the transports first, then the sockets and the
 * runtime's threads.
 *
 * <h2>Network hygiene</h2>
 * {@code src/main/resources/application.conf} turns off every ice4j mapping harvester (cloud metadata, STUN),
 * and no code path uses ice4j's interface-enumerating host harvester.
 */
package dev.chorus.sfu.transport;
