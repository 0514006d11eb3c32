package dev.chorus.loadtest;

import static dev.chorus.loadtest.LoadTestMain.f0;
import static dev.chorus.loadtest.LoadTestMain.f2;
import static dev.chorus.loadtest.LoadTestMain.human;
import static dev.chorus.loadtest.LoadTestMain.num;
import static dev.chorus.loadtest.LoadTestMain.round;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.loadtest.QualityFigures.Level;
import dev.chorus.loadtest.QualityFigures.Receiver;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The quality table's output: {@code quality.json} (configuration, definitions, every figure of every level),
 * {@code quality.md} (the table and how to read it, also printed on the progress stream) and the one-line
 * summary.
 */
final class QualityReport {
    private final LoadTestConfig config;
    private final LoadTestConfig.Quality quality;
    private final PrintStream progress;

    QualityReport(LoadTestConfig config, PrintStream progress) {
        this.config = config;
        this.quality = config.quality();
        this.progress = progress;
    }

    /** Writes quality.json and quality.md to the report directory; returns the summary line. */
    String write(List<Level> levels) throws IOException {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.put("tool", "chorus-loadtest quality table");
        root.put("finishedAt", Instant.now().toString());
        ObjectNode c = root.putObject("config");
        c.put("server", config.server().toString());
        c.put(
                "call",
                "two headless Chromium pages in one room, each publishing the fake camera and microphone and"
                        + " receiving the other; one browser process each");
        ArrayNode lv = c.putArray("lossPercents");
        quality.lossPercents().forEach(lv::add);
        c.put("lossModel", "independent random loss, the same rate in each direction of every flow");
        c.put("delayMillisEachWay", quality.delay().toMillis());
        c.put("durationSeconds", config.duration().toMillis() / 1000.0);
        c.put("proxy", hostPort(new InetSocketAddress(quality.mediaTarget().getAddress(), quality.proxyPort())));
        c.put("mediaTarget", hostPort(quality.mediaTarget()));
        c.put("seed", quality.seed());
        c.put("chromium", ChromiumBrowser.BROWSER);
        root.put(
                "definitions",
                "Per receiving page, over the measuring window (after both pages decode each"
                        + " other's video): framesDecodedPerSecond, freezeCount, totalFreezesDuration, packetsLost (packets"
                        + " missing on the media stream; Chrome counts those that later came as RTX too),"
                        + " videoRetransmittedPacketsReceived (retransmittedPacketsReceived), nackCount and pliCount of its"
                        + " inbound video"
                        + " (getStats inbound-rtp); audio packetsLost (RTP packets missing: with RED their frames may"
                        + " still arrive as redundancy of later packets) and audioConcealedPercent (the audio lost after"
                        + " recovery: inbound-rtp concealedSamples / totalSamplesReceived); red: the pages offered Opus"
                        + " RED (else they joined with ?red=0: plain Opus both ways); sfuNacksReceived,"
                        + " sfuNackedPackets, sfuRetransmitted(Rtx), sfuNackMisses (NACKed packets it could not resend):"
                        + " the SFU's video consumer towards this page (/debug);"
                        + " sfuNacksToSender: NACK requests the SFU sent to the other page for its video (uplink losses);"
                        + " proxyDroppedToReceiver / proxyDroppedFromSender: packets the proxy dropped on this page's"
                        + " downlink / the sender's uplink. server: /metrics deltas over the window, whole server.");
        ArrayNode out = root.putArray("levels");
        for (Level l : levels) {
            ObjectNode o = out.addObject();
            o.put("lossPercent", l.lossPercent());
            o.put("red", l.red());
            ObjectNode server = o.putObject("server");
            num(server, "nacksReceived", l.metricsNacksReceived());
            num(server, "nacksSent", l.metricsNacksSent());
            num(server, "retransmittedPackets", l.metricsRetransmitted());
            ArrayNode rs = o.putArray("receivers");
            for (Receiver r : l.receivers()) {
                ObjectNode n = rs.addObject();
                n.put("receiver", r.name());
                n.put("from", r.from());
                num(n, "seconds", r.seconds());
                num(n, "framesDecodedPerSecond", round(r.fps(), 2));
                num(n, "senderFramesEncodedPerSecond", round(r.senderFps(), 2));
                n.put("framesDecoded", r.framesDecoded());
                n.put("freezeCount", r.freezeCount());
                num(n, "totalFreezesDuration", round(r.freezeSeconds(), 3));
                n.put("videoPacketsReceived", r.videoPacketsReceived());
                n.put("videoPacketsLost", r.videoPacketsLost());
                n.put("videoRetransmittedPacketsReceived", r.videoRetransmittedReceived());
                num(n, "videoLossPercent", round(r.videoLossPercent(), 3));
                n.put("nackCount", r.nackCount());
                n.put("pliCount", r.pliCount());
                n.put("audioPacketsReceived", r.audioPacketsReceived());
                n.put("audioPacketsLost", r.audioPacketsLost());
                num(n, "audioLossPercent", round(r.audioLossPercent(), 3));
                n.put("audioSamples", r.audioSamples());
                n.put("audioConcealedSamples", r.audioConcealedSamples());
                num(n, "audioConcealedPercent", round(r.audioConcealedPercent(), 3));
                n.put("sfuNacksReceived", r.sfuNacksReceived());
                n.put("sfuNackedPackets", r.sfuNackedPackets());
                n.put("sfuRetransmitted", r.sfuRetransmitted());
                n.put("sfuRetransmittedRtx", r.sfuRetransmittedRtx());
                n.put("sfuNackMisses", r.sfuNackMisses());
                ObjectNode byReason = n.putObject("sfuNackMissesByReason");
                r.sfuNackMissesByReason().forEach(byReason::put);
                n.put("sfuNacksToSender", r.sfuNacksToSender());
                n.put("proxyDroppedToReceiver", r.proxyDroppedToReceiver());
                n.put("proxyDroppedFromSender", r.proxyDroppedFromSender());
                if (r.failure() != null) {
                    n.put("failure", r.failure());
                }
            }
            o.set("proxyAtEnd", l.proxy());
        }
        String md = markdown(levels);
        String summary = summary(levels);
        root.put("summary", summary);
        Path jsonFile = config.reportDir().resolve("quality.json");
        Files.writeString(jsonFile, mapper.writeValueAsString(root) + "\n", StandardCharsets.UTF_8);
        Path mdFile = config.reportDir().resolve("quality.md");
        Files.writeString(mdFile, md, StandardCharsets.UTF_8);
        progress.print(md);
        progress.println("report: " + jsonFile.toAbsolutePath() + " and " + mdFile.toAbsolutePath());
        return summary;
    }

    String markdown(List<Level> levels) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(
                Locale.ROOT,
                "Two-party Chromium call through the UDP impairment proxy: random loss"
                        + " in both directions of every flow, %d ms delay each way, %s measured per level.%n%n",
                quality.delay().toMillis(),
                human(config.duration())));
        b.append("| loss | RED | receiver | fps (sent) | freezes | freeze s | video packetsLost | via RTX | nackCount"
                + " | audio packets lost | audio concealed | SFU NACKs in | SFU retransmitted | SFU could not resend | SFU NACKs to publisher"
                + " | proxy drops down / up |\n");
        b.append("|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Level l : levels) {
            for (Receiver r : l.receivers()) {
                b.append(String.format(
                        Locale.ROOT,
                        "| %s %% | %s | %s ← %s | %s | %d | %s | %d (%.2f %%) | %d | %d"
                                + " | %d (%.2f %%) | %s %% | %d | %d | %d | %d | %d / %d |%n",
                        trim(f2(l.lossPercent())),
                        l.red() ? "yes" : "no",
                        r.name(),
                        r.from(),
                        r.failure() != null ? "failed" : f2(r.fps()) + " (" + f0(r.senderFps()) + ")",
                        r.freezeCount(),
                        f2(r.freezeSeconds()),
                        r.videoPacketsLost(),
                        r.videoLossPercent(),
                        r.videoRetransmittedReceived(),
                        r.nackCount(),
                        r.audioPacketsLost(),
                        r.audioLossPercent(),
                        f2(r.audioConcealedPercent()),
                        r.sfuNacksReceived(),
                        r.sfuRetransmitted(),
                        r.sfuNackMisses(),
                        r.sfuNacksToSender(),
                        r.proxyDroppedToReceiver(),
                        r.proxyDroppedFromSender()));
            }
        }
        for (Level l : levels) {
            for (Receiver r : l.receivers()) {
                if (r.failure() != null) {
                    b.append(String.format(
                            Locale.ROOT,
                            "%nAt %s %%%s the call failed for %s: %s%n",
                            trim(f2(l.lossPercent())),
                            l.red() ? " with RED" : "",
                            r.name(),
                            r.failure()));
                }
            }
        }
        b.append("\nServer-wide over each window (/metrics): NACK messages received / sent, packets retransmitted: ");
        List<String> parts = new ArrayList<>();
        for (Level l : levels) {
            parts.add(String.format(
                    Locale.ROOT,
                    "%s %%%s: %s / %s / %s",
                    trim(f2(l.lossPercent())),
                    l.red() ? " RED" : "",
                    f0(l.metricsNacksReceived()),
                    f0(l.metricsNacksSent()),
                    f0(l.metricsRetransmitted())));
        }
        b.append(String.join("; ", parts)).append(".\n");
        b.append("\nfps: frames decoded per second (sent: frames the sender encoded per second, what Chromium's"
                + " fake camera and encoder deliver on this machine). video packetsLost: inbound-rtp packetsLost of the video; in"
                + " these runs Chrome counted there also packets that later arrived as RTX, so it is the downlink"
                + " loss before repair, not after (uplink losses the SFU recovered from the publisher arrive on the"
                + " media stream and are not counted). via RTX: retransmittedPacketsReceived. audio packets lost: audio"
                + " packetsLost (audio is not retransmitted, and crosses two lossy hops). audio concealed: the audio"
                + " lost after recovery, the share of samples the receiver's decoder had to make up (concealedSamples /"
                + " totalSamplesReceived); with RED (the pages offer it; the SFU repeats two earlier frames in each"
                + " packet to them) most lost packets' frames still arrive in later packets. SFU columns: the SFU's"
                + " video consumer towards the receiver (/debug nacksReceived, retransmitted, and NACKed packets it"
                + " could not resend: nackMisses unknown + tooOld + notInBuffer + sendFailed) and NACK requests it"
                + " sent to the sender for uplink losses (nackToPublisher.nackRequests). What stays lost after"
                + " repair shows as freezes. proxy drops down / up: packets the proxy's loss"
                + " model dropped towards the receiver and from the sender towards the SFU (all kinds, RTCP"
                + " included).\n");
        return b.toString();
    }

    private static String summary(List<Level> levels) {
        List<String> parts = new ArrayList<>();
        for (Level l : levels) {
            Map<String, String> f = new LinkedHashMap<>();
            double fps = l.receivers().stream()
                    .mapToDouble(Receiver::fps)
                    .filter(Double::isFinite)
                    .min()
                    .orElse(Double.NaN);
            f.put("min_fps", f2(fps));
            f.put(
                    "freezes",
                    Long.toString(l.receivers().stream()
                            .mapToLong(Receiver::freezeCount)
                            .sum()));
            f.put(
                    "video_lost",
                    Long.toString(l.receivers().stream()
                            .mapToLong(Receiver::videoPacketsLost)
                            .sum()));
            f.put(
                    "nack",
                    Long.toString(l.receivers().stream()
                            .mapToLong(Receiver::nackCount)
                            .sum()));
            f.put(
                    "sfu_retransmitted",
                    Long.toString(l.receivers().stream()
                            .mapToLong(Receiver::sfuRetransmitted)
                            .sum()));
            f.put(
                    "max_audio_concealed",
                    f2(l.receivers().stream()
                            .mapToDouble(Receiver::audioConcealedPercent)
                            .filter(Double::isFinite)
                            .max()
                            .orElse(Double.NaN)));
            StringBuilder s = new StringBuilder("loss=" + trim(f2(l.lossPercent())) + "%" + (l.red() ? " red" : ""));
            f.forEach((k, v) -> s.append(' ').append(k).append('=').append(v));
            parts.add(s.toString());
        }
        return String.join(" | ", parts);
    }

    /** "2.50" -> "2.5", "10.00" -> "10". */
    static String trim(String decimal) {
        return decimal.contains(".") ? decimal.replaceAll("0+$", "").replaceAll("\\.$", "") : decimal;
    }

    static String hostPort(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }
}
