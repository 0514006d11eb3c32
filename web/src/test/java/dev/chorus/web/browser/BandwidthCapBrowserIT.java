package dev.chorus.web.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.netsim.Impairment;
import dev.chorus.sfu.netsim.UdpImpairmentProxy;
import dev.chorus.web.browser.RoomPage.Inbound;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Congestion control end to end: a publishing page and a receive-only page reach the SFU through the
 * UDP impairment proxy. Once the publisher's video runs above 400 kbps, the subscriber's downlink is
 * capped at 300 kbps (drop-tail queue of 200 ms). The SFU's estimate towards the subscriber must then
 * pause its video consumer while audio keeps arriving; when the cap is lifted a padding probe must find
 * the room and the video must come back and decode. Figures go to target/bandwidth-cap.json. Waits are
 * bounded and generous: the machine may be busy.
 */
class BandwidthCapBrowserIT {
  private static final Impairment CAP = Impairment.parse("rate=300kbps,queue=200ms");
  private static final Duration MEDIA_WAIT = Duration.ofSeconds(20);

  private final ObjectMapper json = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();
  private final List<RoomPage> pages = new ArrayList<>();
  private TestServer server;
  private UdpImpairmentProxy proxy;

  @AfterEach
  void stop() {
    for (int i = 0; i < pages.size(); i++) {
      pages.get(i).screenshot("bandwidth-cap-" + i);
      pages.get(i).close();
    }
    if (proxy != null) proxy.close();
    if (server != null) server.close();
  }

  /** The server announcing 127.0.0.1:P, the proxy on P in front of its real UDP port (retried if P is taken). */
  private void startBehindProxy() throws Exception {
    InetAddress loopback = InetAddress.getByName("127.0.0.1");
    IOException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      int port;
      try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(loopback, 0))) {
        port = probe.getLocalPort();
      }
      TestServer s = TestServer.start(Map.of("chorus.media.public-address", "127.0.0.1",
          "chorus.media.public-port", Integer.toString(port)));
      try {
        proxy = UdpImpairmentProxy.start(new InetSocketAddress(loopback, port),
            new InetSocketAddress(loopback, s.server().mediaPort()), 7);
        server = s;
        return;
      } catch (IOException e) {
        last = e;
        s.close();
      }
    }
    throw new IllegalStateException("could not start the impairment proxy on a free port", last);
  }

  @Test
  void aThreeHundredKbpsLinkLosesVideoButKeepsAudioAndVideoReturnsWhenTheCapIsLifted() throws Exception {
    startBehindProxy();
    RoomPage publisher = RoomPage.open(server.url("/r/capped?name=Pub")).awaitState("joined");
    pages.add(publisher);
    RoomPage subscriber = RoomPage.open(server.url("/r/capped?name=Sub&publish=0")).awaitState("joined");
    pages.add(subscriber);
    String pubId = publisher.selfId();
    String subId = subscriber.selfId();
    publisher.awaitMediaConnected();
    subscriber.awaitMediaConnected();
    subscriber.awaitInbound(List.of(pubId), "video", "camera", MEDIA_WAIT);
    subscriber.awaitInbound(List.of(pubId), "audio", "mic", MEDIA_WAIT);
    String subUfrag = subscriber.serverIceUfrag();

    long t0 = System.nanoTime();
    JsonNode before = awaitDebug(subId, c -> c.producer.path("bitrateBps").asLong() > 400_000,
        Duration.ofSeconds(40), "the publisher's video to exceed 400 kbps");
    long videoBps = before.path("producer").path("bitrateBps").asLong();

    proxy.setForIceUfrag(subUfrag, Impairment.NONE, CAP);
    long capAt = System.nanoTime();
    JsonNode paused = awaitDebug(subId, c -> c.consumer.path("bandwidthPaused").asBoolean(),
        Duration.ofSeconds(30), "the SFU to pause video to the capped subscriber");
    double secondsToPause = (System.nanoTime() - capAt) / 1e9;

    // While capped: audio keeps arriving, the SFU forwards no video to this subscriber.
    Inbound audioStart = subscriber.inbound(pubId, "audio", "mic");
    long videoSentStart = paused.path("consumer").path("packetsSent").asLong();
    Thread.sleep(6_000);
    Inbound audioEnd = subscriber.inbound(pubId, "audio", "mic");
    JsonNode stillPaused = debug(subId);
    long audioPackets = audioEnd.packetsReceived() - audioStart.packetsReceived();
    long videoForwardedWhilePaused = stillPaused.path("consumer").path("packetsSent").asLong() - videoSentStart;
    assertTrue(stillPaused.path("consumer").path("bandwidthPaused").asBoolean(),
        "video stays paused under the cap: " + stillPaused);
    assertEquals(0, videoForwardedWhilePaused, "no video forwarded while paused");
    assertTrue(audioPackets > 150, "audio keeps flowing under the cap (Opus sends 50 packets/s): " + audioPackets
        + " in 6 s");

    proxy.setForIceUfrag(subUfrag, Impairment.NONE, Impairment.NONE);
    long liftAt = System.nanoTime();
    JsonNode resumed = awaitDebug(subId, c -> !c.consumer.path("bandwidthPaused").asBoolean(),
        Duration.ofSeconds(40), "the SFU to resume video once the cap is lifted");
    double secondsToResume = (System.nanoTime() - liftAt) / 1e9;
    Inbound videoAtResume = subscriber.inbound(pubId, "video", "camera");
    long framesAtResume = videoAtResume.framesDecoded();
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    Inbound video = videoAtResume;
    while (video.framesDecoded() < framesAtResume + 30 && System.nanoTime() < deadline) {
      Thread.sleep(500);
      video = subscriber.inbound(pubId, "video", "camera");
    }
    assertTrue(video.framesDecoded() >= framesAtResume + 30,
        "the subscriber decodes video again after the cap is lifted: " + video);

    JsonNode subscriberCc = subscriberCongestion(subId);
    ObjectNode out = json.createObjectNode();
    out.put("cap", CAP.toSpec());
    out.put("publisherVideoBpsBeforeCap", videoBps);
    out.put("secondsFromCapToPause", Math.round(secondsToPause * 10) / 10.0);
    out.put("audioPacketsIn6sCapped", audioPackets);
    out.put("videoPacketsForwardedWhilePaused", videoForwardedWhilePaused);
    out.put("secondsFromLiftToResume", Math.round(secondsToResume * 10) / 10.0);
    out.put("framesDecodedAfterResume", video.framesDecoded() - framesAtResume);
    out.put("secondsTotal", Math.round((System.nanoTime() - t0) / 1e8) / 10.0);
    out.set("consumerAtResume", resumed.path("consumer"));
    out.set("subscriberCongestion", subscriberCc);
    Path file = Path.of("target", "bandwidth-cap.json");
    Files.createDirectories(file.getParent());
    Files.writeString(file, json.enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(out));
    System.out.printf("bandwidth cap: video %d kbps before the cap; paused %.1f s after capping, %d audio"
            + " packets in 6 s while capped, resumed %.1f s after lifting; estimator %s%n", videoBps / 1000,
        secondsToPause, audioPackets, secondsToResume, subscriberCc.path("toSubscriber").path("estimator"));
  }

  private record VideoPath(JsonNode consumer, JsonNode producer) {}

  private JsonNode fetchDebug() throws Exception {
    HttpResponse<String> r = http.send(
        HttpRequest.newBuilder(URI.create(server.url("/debug"))).timeout(Duration.ofSeconds(10)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return json.readTree(r.body());
  }

  /** The subscriber's video consumer and its producer from /debug, as {consumer, producer}. */
  private JsonNode debug(String participantId) throws Exception {
    JsonNode debug = fetchDebug();
    for (JsonNode router : debug.path("media").path("forwarding").path("routers")) {
      for (JsonNode c : router.path("consumers")) {
        if (!participantId.equals(c.path("endpoint").asText())) continue;
        for (JsonNode p : router.path("producers")) {
          if (p.path("id").asText().equals(c.path("producer").asText())
              && "VIDEO".equalsIgnoreCase(p.path("kind").asText())) {
            ObjectNode n = json.createObjectNode();
            n.set("consumer", c);
            n.set("producer", p);
            return n;
          }
        }
      }
    }
    throw new AssertionError("no video consumer for " + participantId + " in /debug: " + debug);
  }

  private JsonNode subscriberCongestion(String participantId) throws Exception {
    for (JsonNode router : fetchDebug().path("media").path("forwarding").path("routers")) {
      for (JsonNode e : router.path("endpoints")) {
        if (participantId.equals(e.path("id").asText())) return e.path("congestion");
      }
    }
    return json.createObjectNode();
  }

  private JsonNode awaitDebug(String participantId, Predicate<VideoPath> condition, Duration timeout, String what)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    JsonNode last = null;
    while (System.nanoTime() < deadline) {
      last = debug(participantId);
      if (condition.test(new VideoPath(last.path("consumer"), last.path("producer")))) return last;
      Thread.sleep(250);
    }
    throw new AssertionError("timed out waiting for " + what + ": " + last + "; congestion "
        + subscriberCongestion(participantId));
  }
}
