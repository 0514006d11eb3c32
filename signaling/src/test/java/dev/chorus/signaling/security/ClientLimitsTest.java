package dev.chorus.signaling.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.signaling.config.ServerConfig;
import dev.chorus.signaling.security.ClientLimits.Refusal;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClientLimitsTest {
    private static final long SECOND = 1_000_000_000L;

    private static ClientLimits limits(List<String> exempt) {
        // 2 open at once; 1 new connection per second, burst 3; 1 join per second, burst 2.
        return new ClientLimits(new ServerConfig.Security(List.of(), 2, 1, 3, 1, 2, exempt, true));
    }

    @Test
    void connectionsOpenAtOnceAreCappedPerAddressAndFreedOnClose() {
        ClientLimits l = limits(List.of());
        assertNull(l.tryConnect("203.0.113.5", 0));
        assertNull(l.tryConnect("203.0.113.5", 0));
        assertEquals(Refusal.TOO_MANY_CONNECTIONS, l.tryConnect("203.0.113.5", 0));
        assertNull(l.tryConnect("203.0.113.6", 0), "another address has its own count");
        l.release("203.0.113.5", 0);
        assertNull(l.tryConnect("203.0.113.5", 0), "one closed: room for one");
        assertEquals(1, l.refusals(Refusal.TOO_MANY_CONNECTIONS));
    }

    @Test
    void newConnectionsAreRateLimitedAndClosingDoesNotRefillTheBucket() {
        ClientLimits l = limits(List.of());
        for (int i = 0; i < 3; i++) {
            assertNull(l.tryConnect("198.51.100.1", 0), "the burst");
            l.release("198.51.100.1", 0);
        }
        assertEquals(Refusal.CONNECTION_RATE, l.tryConnect("198.51.100.1", 0));
        assertNull(l.tryConnect("198.51.100.1", SECOND), "a second later, one more");
    }

    @Test
    void joinsAreRateLimitedPerAddress() {
        ClientLimits l = limits(List.of());
        assertNull(l.tryConnect("2001:db8::1", 0));
        assertTrue(l.tryJoin("2001:db8::1", 0));
        assertTrue(l.tryJoin("2001:db8::1", 0));
        assertFalse(l.tryJoin("2001:db8::1", 0), "over the burst");
        assertTrue(l.tryJoin("2001:db8::1", SECOND));
        assertEquals(1, l.refusals(Refusal.JOIN_RATE));
    }

    @Test
    void exemptRangesSkipEveryLimit() {
        ClientLimits l = limits(List.of("127.0.0.0/8", "::1/128"));
        for (int i = 0; i < 20; i++) {
            assertNull(l.tryConnect("127.0.0.1", 0));
            assertNull(l.tryConnect("0:0:0:0:0:0:0:1", 0));
            assertTrue(l.tryJoin("127.0.0.1", 0));
        }
        assertEquals(0, l.trackedAddresses(), "nothing tracked for them");
        assertEquals(Refusal.TOO_MANY_CONNECTIONS, limitsAfterTwo(l, "192.0.2.1"));
    }

    private static Refusal limitsAfterTwo(ClientLimits l, String ip) {
        l.tryConnect(ip, 0);
        l.tryConnect(ip, 0);
        return l.tryConnect(ip, 0);
    }

    @Test
    void idleAddressesAreForgottenButNotWhileConnected() {
        ClientLimits l = limits(List.of());
        assertNull(l.tryConnect("192.0.2.7", 0));
        assertNull(l.tryConnect("192.0.2.8", 0));
        l.release("192.0.2.8", 0);
        l.sweep(ClientLimits.IDLE_NANOS);
        assertEquals(1, l.trackedAddresses(), "the closed one is gone, the open one stays");
    }
}
