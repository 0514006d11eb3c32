package dev.chorus.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.fuzz.ParserTargets.Parser;
import dev.chorus.testkit.capture.PcapFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes every parser with a bounded number of inputs ({@code -Dchorus.fuzz.runs}, 10,000 by default, -1
 * for no limit) within a bounded time ({@code -Dchorus.fuzz.seconds}, at most 120 by default) in a Jazzer
 * JVM of its own, seeded with the real browser offers the SDP tests use, their candidate lines, a real capture of
 * the RTP and RTCP a Chromium page sent (and hand-built packets of the RTCP types it lacks), the client messages signaling/PROTOCOL.md shows, and join
 * tokens. Any finding fails the test; Jazzer's log and the input that crashed are in target/fuzz. README
 * "Fuzzing" has the longer runs, one parser at a time.
 */
class ParserFuzzTest {

    private static final Path OUT = Path.of("target", "fuzz");
    /** The capture the RTP, RTCP, VP8 and ICE-TCP seeds come from (see {@link #capturedSeeds}). */
    private static final Path CAPTURE = Path.of("src", "test", "resources", "captures", "chromium-publisher.pcap");
    /** The signaling messages the same page sent, one per line. */
    private static final Path SIGNALING_CAPTURE =
            Path.of("src", "test", "resources", "captures", "chromium-signaling.jsonl");
    /** VP8's payload type in the capture: the web client's offer puts VP8 first, at Chrome's 96. */
    private static final int VP8_PAYLOAD_TYPE = 96;

    private static final Pattern DONE = Pattern.compile("Done (\\d+) runs in (\\d+) second");

    @Test
    void everyParserSurvivesABoundedFuzzingRun() throws Exception {
        // Bounded both ways: a number of inputs (a few seconds on a quiet machine, so the run does not
        // shrink to the seeds alone on a busy one), and a time that ends it whatever the load.
        long runLimit = Long.getLong("chorus.fuzz.runs", 10_000);
        int seconds = Integer.getInteger("chorus.fuzz.seconds", 120);
        String pinned = System.getProperty("chorus.fuzz.parser", "");
        Path seeds = OUT.resolve("seeds");
        Path corpus = OUT.resolve("corpus");
        Path findings = OUT.resolve("findings");
        for (Path dir : List.of(seeds, corpus, findings)) {
            deleteTree(dir); // a bounded run starts from the seeds alone, and no old finding may pass for new
            Files.createDirectories(dir);
        }
        int seedCount = writeSeeds(seeds);
        Path log = OUT.resolve("jazzer.log");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g",
                "-Dchorus.fuzz.parser=" + pinned,
                "-cp",
                System.getProperty("java.class.path"),
                "com.code_intelligence.jazzer.Jazzer",
                "--target_class=" + ParserTargets.class.getName(),
                "--instrumentation_includes=dev.chorus.**",
                "-max_total_time=" + seconds,
                "-runs=" + runLimit,
                "-rss_limit_mb=2048",
                "-artifact_prefix=" + findings.toAbsolutePath() + "/",
                corpus.toString(),
                seeds.toString()));
        Process jazzer = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        boolean ended = jazzer.waitFor(seconds + 120L, TimeUnit.SECONDS);
        if (!ended) {
            jazzer.destroyForcibly();
        }
        String output = Files.readString(log);
        assertTrue(ended, "Jazzer did not stop; see " + log);
        List<String> crashes;
        try (Stream<Path> files = Files.list(findings)) {
            crashes = files.map(p -> p.getFileName().toString()).toList();
        }
        assertEquals(
                0,
                jazzer.exitValue(),
                "Jazzer found something (inputs " + crashes + " in " + findings + "):\n" + tail(output, 60));
        assertEquals(List.of(), crashes, "inputs left in " + findings);
        Matcher done = DONE.matcher(output);
        assertTrue(done.find(), "no run count in " + log + ":\n" + tail(output, 30));
        long runs = Long.parseLong(done.group(1));
        System.out.printf(
                "fuzzed %s for %s s: %d runs from %d seeds, no finding%n",
                pinned.isBlank() ? "every parser" : pinned, done.group(2), runs, seedCount);
        assertTrue(
                runLimit > 0 ? runs >= runLimit : runs > seedCount,
                "only " + runs + " runs in " + seconds + " s:\n" + tail(output, 30));
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** The seed corpus, each input prefixed with the byte that picks its parser; returns how many. */
    private static int writeSeeds(Path dir) throws IOException {
        List<byte[]> seeds = new ArrayList<>();
        // Real offers: Chrome's, captured from the browser (sfu/src/test/resources/sdp/README.md).
        try (Stream<Path> offers = Files.list(Path.of("..", "src", "test", "resources", "sdp"))) {
            for (Path offer :
                    offers.filter(p -> p.toString().endsWith(".sdp")).sorted().toList()) {
                String sdp = Files.readString(offer);
                seeds.add(seed(Parser.SDP, sdp.getBytes(StandardCharsets.UTF_8)));
                sdp.lines()
                        .filter(line -> line.startsWith("a=candidate:"))
                        .forEach(line -> seeds.add(
                                seed(Parser.ICE_CANDIDATE, line.substring(2).getBytes())));
            }
        }
        // What a Chromium page's web client sent in a four-party call (MediaBrowserIT keeps it in web/target/captures).
        for (String line : Files.readAllLines(SIGNALING_CAPTURE)) {
            seeds.add(seed(Parser.SIGNALING_JSON, line.getBytes(StandardCharsets.UTF_8)));
        }
        // Every client message the protocol document shows, one per line there.
        for (String line : Files.readAllLines(Path.of("..", "..", "signaling", "PROTOCOL.md"))) {
            if (line.startsWith("{\"type\": \"") && line.endsWith("}")) {
                seeds.add(seed(Parser.SIGNALING_JSON, line.getBytes(StandardCharsets.UTF_8)));
            }
        }
        // Join tokens: claims to be signed (first byte odd), and one whole token as it comes (even).
        seeds.add(seed(
                Parser.JOIN_TOKEN,
                ("\u0001{\"sub\":\"u1\",\"room\":\"standup\",\"name\":\"Ada\","
                                + "\"exp\":1765000600,\"perms\":{\"publish\":[\"audio\",\"video\"],\"subscribe\":true,"
                                + "\"chat\":true,\"moderate\":false}}")
                        .getBytes(StandardCharsets.UTF_8)));
        seeds.add(seed(
                Parser.JOIN_TOKEN,
                ("\u0001{\"sub\":\"v\",\"room\":\"stand*\",\"exp\":1765000600," + "\"perms\":{\"hidden\":true}}")
                        .getBytes(StandardCharsets.UTF_8)));
        seeds.add(seed(
                Parser.JOIN_TOKEN,
                "\u0000eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2lnbmF0dXJl".getBytes(StandardCharsets.UTF_8)));
        seeds.addAll(capturedSeeds());
        HexFormat hex = HexFormat.of();
        // AV1 Dependency Descriptors: an L3T3_KEY-like structure (76 bytes) with a frame that names it,
        // and with a frame that carries active decode targets and custom frame diffs.
        String structure =
                "8503e880a8161617aaaaaa0002c000200002aa80a8000b000080000a8002a0002c00024d04104d04104d040c55f8"
                        + "00000000000000000000000000000000000404fc02cc09fc059c13fc0b3c";
        seeds.add(seed(Parser.DEPENDENCY_DESCRIPTOR, hex.parseHex("4c" + structure + "4c03e9")));
        seeds.add(seed(Parser.DEPENDENCY_DESCRIPTOR, hex.parseHex("4c" + structure + "c603ea50fd084c")));
        // What a real capture lacks (no loss, no padding): hand-built from the RFCs' layouts.
        // VP8 keyframe start with a one-byte extension block (abs-send-time id 3), as Chrome sends.
        seeds.add(seed(
                Parser.RTP,
                hex.parseHex("9060" + "1234" + "00000001" + "a0a0a0a0" + "bede0001" + "32010203" + "90e08001" + "0520"
                        + "5002009d012a" + "40010f00")));
        // RTP with padding and two CSRCs.
        seeds.add(seed(Parser.RTP, hex.parseHex("a26f000100000002a0a0a0a0" + "0000000100000002" + "deadbeef00000004")));
        // SR + SDES (CNAME), the compound a browser sends.
        seeds.add(seed(
                Parser.RTCP,
                hex.parseHex("81c8000c" + "a0a0a0a0" + "e8d4a51000000000" + "0001e240"
                        + "0000000a00000400" + "b0b0b0b0" + "00000000" + "00000100" + "00000010" + "00000000"
                        + "00000000"
                        + "81ca0003" + "a0a0a0a0" + "0104616263640000")));
        // RR, NACK, PLI, FIR, REMB and BYE.
        seeds.add(seed(
                Parser.RTCP,
                hex.parseHex("81c90007" + "a0a0a0a0" + "b0b0b0b0" + "0a000010" + "00010064" + "00000020" + "00000000"
                        + "00000000")));
        seeds.add(seed(Parser.RTCP, hex.parseHex("81cd0003" + "a0a0a0a0" + "b0b0b0b0" + "00640005")));
        seeds.add(seed(Parser.RTCP, hex.parseHex("81ce0002" + "a0a0a0a0" + "b0b0b0b0")));
        seeds.add(seed(Parser.RTCP, hex.parseHex("84ce0004" + "a0a0a0a0" + "00000000" + "b0b0b0b0" + "07000000")));
        seeds.add(seed(
                Parser.RTCP,
                hex.parseHex("8fce0005" + "a0a0a0a0" + "00000000" + "52454d42" + "0107a120" + "b0b0b0b0")));
        seeds.add(seed(Parser.RTCP, hex.parseHex("81cb0002" + "a0a0a0a0" + "03627965")));
        // Transport-wide congestion control feedback: two received packets, one run-length chunk.
        seeds.add(seed(
                Parser.RTCP,
                hex.parseHex("8fcd0005" + "a0a0a0a0" + "b0b0b0b0" + "00010002" + "00001001" + "2002" + "0404"
                        + "00000000")));
        // VP8 descriptors alone, and ICE-TCP framing: two frames split across reads.
        seeds.add(seed(Parser.VP8, hex.parseHex("90e0800105205002009d012a4001")));
        seeds.add(seed(Parser.RFC4571, hex.parseHex("0305" + "0003616263" + "0002" + "6465")));
        // VP9 (RFC 9628): an L3T3 keyframe's first packet with its scalability structure, and a flexible-mode delta.
        seeds.add(seed(Parser.VP9, hex.parseHex("aa802a000750" + "00a00078014000f0028001e0" + "9d")));
        seeds.add(seed(Parser.VP9, hex.parseHex("f809000304ff")));
        // SCTP: what our own client side sends to an established association (DCEP, messages, a stream reset).
        dev.chorus.sfu.sctp.SctpFuzzFeed.seeds().forEach(s -> seeds.add(seed(Parser.SCTP, s)));
        for (int i = 0; i < seeds.size(); i++) {
            Files.write(dir.resolve(String.format("seed-%03d", i)), seeds.get(i));
        }
        return seeds.size();
    }

    /**
     * Seeds from a real capture: what a Chromium page sent in a four-party call (MediaBrowserIT takes it through the
     * server API, decrypted, into web/target/captures): Opus and VP8 RTP with their header extensions, SR with SDES,
     * RR, transport-wide feedback. Every packet is an RTP or RTCP seed, each VP8 payload a VP8 seed, and the small
     * packets, two by two, ICE-TCP frames.
     */
    static List<byte[]> capturedSeeds() throws IOException {
        List<PcapFile.Packet> packets = PcapFile.read(Files.readAllBytes(CAPTURE));
        List<byte[]> seeds = new ArrayList<>();
        byte[] previousSmall = null;
        for (PcapFile.Packet packet : packets) {
            byte[] p = packet.payload();
            if (packet.isRtcp()) {
                seeds.add(seed(Parser.RTCP, p));
                continue;
            }
            seeds.add(seed(Parser.RTP, p));
            int payloadAt = rtpPayloadOffset(p);
            if (packet.payloadType() == VP8_PAYLOAD_TYPE && payloadAt < p.length) {
                seeds.add(seed(Parser.VP8, java.util.Arrays.copyOfRange(p, payloadAt, p.length)));
            }
            if (p.length <= 300) {
                if (previousSmall != null) {
                    seeds.add(seed(Parser.RFC4571, framed(previousSmall, p)));
                }
                previousSmall = p;
            }
        }
        return seeds;
    }

    /** Where an RTP packet's payload starts: after the CSRCs and the header extension block. */
    private static int rtpPayloadOffset(byte[] p) {
        int at = 12 + 4 * (p[0] & 0x0f);
        if ((p[0] & 0x10) != 0 && at + 4 <= p.length) {
            at += 4 + 4 * (((p[at + 2] & 0xff) << 8) | (p[at + 3] & 0xff));
        }
        return at;
    }

    /** Two packets as an ICE-TCP stream gives them (RFC 4571 length prefixes), split after 7 and 100 bytes. */
    private static byte[] framed(byte[] a, byte[] b) {
        byte[] out = new byte[2 + 2 + a.length + 2 + b.length];
        out[0] = 7;
        out[1] = 100;
        out[2] = (byte) (a.length >> 8);
        out[3] = (byte) a.length;
        System.arraycopy(a, 0, out, 4, a.length);
        out[4 + a.length] = (byte) (b.length >> 8);
        out[5 + a.length] = (byte) b.length;
        System.arraycopy(b, 0, out, 6 + a.length, b.length);
        return out;
    }

    private static byte[] seed(Parser parser, byte[] input) {
        byte[] out = new byte[input.length + 1];
        out[0] = ParserTargets.selector(parser);
        System.arraycopy(input, 0, out, 1, input.length);
        return out;
    }

    private static String tail(String text, int lines) {
        List<String> all = text.lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }
}
