package dev.chorus.loadtest.impair;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.testkit.netsim.Impairment;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class ImpairmentProxyMainTest {

    @Test
    void parsesTheDocumentedCommandLine() {
        ImpairmentProxyMain.Options o = ImpairmentProxyMain.parse(new String[] {
            "--listen",
            "127.0.0.1:20000",
            "--target",
            "127.0.0.1:10000",
            "--to-server",
            "loss=5%,delay=50ms",
            "--to-client",
            "loss=5%,delay=50ms",
            "--seed",
            "7"
        });
        assertEquals(new InetSocketAddress("127.0.0.1", 20000), o.listen());
        assertEquals(new InetSocketAddress("127.0.0.1", 10000), o.target());
        assertEquals(Impairment.parse("loss=5%,delay=50ms"), o.toServer());
        assertEquals(Impairment.parse("loss=5%,delay=50ms"), o.toClient());
        assertEquals(7, o.seed());
        assertEquals(5, o.statsSeconds());
    }

    @Test
    void defaultsAndIpv6() {
        ImpairmentProxyMain.Options o = ImpairmentProxyMain.parse(new String[] {"--target", "[::1]:10000"});
        assertEquals(10000, o.target().getPort());
        assertTrue(o.target().getAddress().isLoopbackAddress());
        assertEquals(0, o.listen().getPort());
        assertEquals(Impairment.NONE, o.toServer());
        assertEquals(1, o.seed());
    }

    @Test
    void badCommandLinesAreExplained() {
        assertMessage("--target is required", "--listen", "127.0.0.1:1");
        assertMessage("not a loopback address", "--target", "192.0.2.1:10000");
        assertMessage("needs HOST:PORT", "--target", "10000");
        assertMessage("bad port", "--target", "127.0.0.1:x");
        assertMessage("needs a value", "--target");
        assertMessage("unknown option", "--frobnicate", "1");
        assertMessage("unknown key", "--target", "127.0.0.1:1", "--to-server", "lost=5%");
        assertMessage("whole number", "--target", "127.0.0.1:1", "--seed", "x");
    }

    @Test
    void valuesKeepTheirOldMeaning() {
        ImpairmentProxyMain.Options o = ImpairmentProxyMain.parse(
                "--target",
                "127.0.0.1:1",
                "--seed",
                "-5",
                "--stats-seconds",
                "0",
                "--target",
                "127.0.0.1:2",
                "--to-client=loss=5%");
        assertEquals(-5, o.seed());
        assertEquals(0, o.statsSeconds());
        assertEquals(2, o.target().getPort(), "a repeated option's last value counts");
        assertEquals(Impairment.parse("loss=5%"), o.toClient());
        assertMessage("--stats-seconds must be >= 0", "--target", "127.0.0.1:1", "--stats-seconds", "-1");
        assertMessage("--target port out of range", "--target", "127.0.0.1:65536");
        assertMessage("option --seed needs a value", "--target", "127.0.0.1:1", "--seed");
    }

    private static void assertMessage(String expected, String... args) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> ImpairmentProxyMain.parse(args));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
