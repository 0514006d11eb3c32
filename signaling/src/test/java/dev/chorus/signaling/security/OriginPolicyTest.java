package dev.chorus.signaling.security;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class OriginPolicyTest {

    @Test
    void withoutAListOnlyTheServersOwnOriginOpensASocket() {
        OriginPolicy own = new OriginPolicy(List.of());
        assertTrue(own.allows("http://127.0.0.1:8080", "127.0.0.1:8080", false));
        assertTrue(own.allows("HTTP://Meet.Example.org", "meet.example.org", false), "default port, any case");
        assertTrue(own.allows("https://meet.example.org", "meet.example.org:443", true));
        assertTrue(own.allows("http://[::1]:8080", "[::1]:8080", false));
        assertFalse(own.allows("http://evil.example", "127.0.0.1:8080", false), "another site's page");
        assertFalse(own.allows("http://127.0.0.1:9999", "127.0.0.1:8080", false), "another port is another origin");
        assertFalse(own.allows("http://meet.example.org", "meet.example.org", true), "http page, https server");
        assertFalse(own.allows("null", "127.0.0.1:8080", false), "a sandboxed frame or a file");
        assertFalse(own.allows("http://127.0.0.1:8080", null, false), "no Host to compare with");
        assertTrue(own.allows(null, "127.0.0.1:8080", false), "no Origin: not a browser page");
    }

    @Test
    void aListAllowsExactlyItsOriginsAndAStarAllowsAny() {
        OriginPolicy listed = new OriginPolicy(List.of("https://meet.example.org", "https://app.example.org/"));
        assertTrue(listed.allows("https://meet.example.org", "sfu.example.org", true));
        assertTrue(listed.allows("https://app.example.org", "sfu.example.org", true));
        assertFalse(listed.allows("https://sfu.example.org", "sfu.example.org", true), "not listed, even its own");
        assertFalse(listed.allows("https://meet.example.org.evil.example", "sfu.example.org", true));
        assertTrue(new OriginPolicy(List.of("*")).allows("http://anything.example", "x", false));
    }
}
