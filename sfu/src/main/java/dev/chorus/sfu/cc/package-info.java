/**
 * Congestion control, free of sockets and threads so it runs on a fake clock in tests.
 *
 * <h2>Towards publishers (the SFU receives)</h2>
 * {@link dev.chorus.sfu.cc.TransportCcFeedbackBuilder} records the transport-wide sequence number and
 * arrival time of every packet a publisher's transport delivers and writes the transport-cc feedback
 * that Chrome's send-side estimator adapts its encoder to.
 *
 * <h2>Towards subscribers (the SFU sends)</h2>
 * Every packet the SFU sends gets the next transport-wide sequence number of that transport;
 * {@link dev.chorus.sfu.cc.SentPacketHistory} remembers when it left and how big it was. The subscriber's
 * transport-cc feedback then drives {@link dev.chorus.sfu.cc.BandwidthEstimator}: queueing delay growing
 * on the path or heavy loss lowers the estimate towards what was actually delivered; a clean path lets it
 * grow, but only so far above the delivered rate; padding probes measure headroom the media does not use.
 * What to forward within the estimate is decided in the forwarding layer.
 */
package dev.chorus.sfu.cc;
