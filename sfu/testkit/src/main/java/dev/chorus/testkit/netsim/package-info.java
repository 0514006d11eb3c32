/**
 * Network impairment on loopback, since kernel netem is not available: {@link dev.chorus.testkit.netsim.Impairment}
 * (what to do to packets, parsed from specs such as {@code "loss=5%,delay=50ms"}),
 * {@link dev.chorus.testkit.netsim.ImpairedLink} (one direction's model, pure logic),
 * {@link dev.chorus.testkit.netsim.UdpImpairmentProxy} (a UDP proxy that runs every client's traffic through two
 * links) and {@link dev.chorus.testkit.netsim.TcpDropProxy} (a TCP forwarder that drops its connections on demand,
 * for signaling that must survive a dropped WebSocket). The UDP proxy's command line is
 * {@code dev.chorus.loadtest.impair.ImpairmentProxyMain} in the load test's jar.
 */
package dev.chorus.testkit.netsim;
