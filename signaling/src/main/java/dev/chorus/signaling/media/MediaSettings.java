package dev.chorus.signaling.media;

import dev.chorus.sfu.conference.MediaService;
import dev.chorus.sfu.cc.BandwidthEstimator;
import dev.chorus.sfu.forward.CongestionConfig;
import dev.chorus.sfu.forward.RouterConfig;
import dev.chorus.sfu.transport.TransportConfig;
import dev.chorus.signaling.config.ServerConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** Turns the {@code chorus.media} configuration into the SFU's settings. */
public final class MediaSettings {

  private MediaSettings() {}

  public static MediaService.Settings from(ServerConfig.Media media) {
    InetAddress address;
    try {
      // A literal address, or a name resolved once at start-up (never per packet).
      address = InetAddress.getByName(media.address());
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("invalid configuration: chorus.media.address '" + media.address()
          + "' does not resolve", e);
    }
    InetAddress publicAddress = null;
    if (!media.publicAddress().isEmpty()) {
      try {
        publicAddress = InetAddress.getByName(media.publicAddress());
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException("invalid configuration: chorus.media.public-address '"
            + media.publicAddress() + "' does not resolve", e);
      }
      if (publicAddress.isAnyLocalAddress()) {
        throw new IllegalArgumentException("invalid configuration: chorus.media.public-address cannot be "
            + "the wildcard address");
      }
    }
    if (address.isAnyLocalAddress()) {
      throw new IllegalArgumentException("invalid configuration: chorus.media.address must be a concrete "
          + "address of this host, not the wildcard " + media.address());
    }
    TransportConfig.Builder transport = TransportConfig.builder()
        .bindAddress(address)
        .port(media.port())
        .advertised(publicAddress, media.publicPort())
        .tcpPort(media.tcpPort())
        .advertisedTcpPort(media.publicTcpPort())
        .udpEnabled(media.udpEnabled())
        .consentTimeout(media.consentTimeout())
        .dtlsHandshakeTimeout(media.dtlsTimeout());
    for (String cidr : media.allowedRemotes()) {
      try {
        transport.allowRemote(cidr);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("invalid configuration: chorus.media.allowed-remotes entry '" + cidr
            + "': " + e.getMessage(), e);
      }
    }
    RouterConfig router = new RouterConfig(RouterConfig.DEFAULT.rtcpIntervalMillis(),
        media.keyframeRequestInterval().toMillis(), RouterConfig.DEFAULT.cname(),
        media.retransmissionBufferPackets(), media.retransmissionBufferAge().toMillis(), media.nackMaxRetries(),
        media.nackGiveUpAfter().toMillis(), media.defaultRtt().toMillis(),
        new CongestionConfig(media.congestionControl(), CongestionConfig.DEFAULT.feedbackIntervalMillis(),
            media.publisherMaxBitrate(), new BandwidthEstimator.Settings(media.startBitrate(),
                BandwidthEstimator.Settings.DEFAULT.minBps(), BandwidthEstimator.Settings.DEFAULT.maxBps())));
    return new MediaService.Settings(transport.build(), media.workerCount(), media.poolBuffers(),
        media.queueCapacity(), router);
  }
}
