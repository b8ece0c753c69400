package dev.chat.users;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.chat.users.auth.LoginSource;

/** Whose address a login is counted against: X-Forwarded-For only from trusted proxies, and only its last hop. */
class LoginSourceTest {
    private final LoginSource sources = new LoginSource(List.of("127.0.0.0/8", "::1/128", "10.0.0.0/8", "fc00::/7"));

    @Test
    void aTrustedProxysLastForwardedAddressIsTheSource() {
        assertEquals("203.0.113.7", sources.of("127.0.0.1", List.of("203.0.113.7")));
        assertEquals("203.0.113.7", sources.of("10.1.2.3", List.of("203.0.113.7")));
        // The client wrote the first entries itself; HAProxy appended the last one (a list, or another header).
        assertEquals("203.0.113.7", sources.of("127.0.0.1", List.of("1.2.3.4, 5.6.7.8, 203.0.113.7")));
        assertEquals("203.0.113.7", sources.of("127.0.0.1", List.of("1.2.3.4", "203.0.113.7")));
        assertEquals("2001:db8:0:0:0:0:0:1", sources.of("::1", List.of("2001:db8::1")));
        assertEquals("203.0.113.7", sources.of("127.0.0.1", List.of("::ffff:203.0.113.7")));
    }

    @Test
    void anUntrustedPeerIsItsOwnSourceWhateverItForwards() {
        assertEquals("198.51.100.4", sources.of("198.51.100.4", List.of("203.0.113.7")));
        assertEquals("198.51.100.4", sources.of("198.51.100.4", List.of()));
        assertEquals("198.51.100.4", sources.of("::ffff:198.51.100.4", null));
    }

    @Test
    void garbageInTheHeaderFallsBackToThePeer() {
        assertEquals("127.0.0.1", sources.of("127.0.0.1", List.of("evil.example")));
        assertEquals("127.0.0.1", sources.of("127.0.0.1", List.of("' OR 1=1 --")));
        assertEquals("127.0.0.1", sources.of("127.0.0.1", List.of("x".repeat(10_000))));
        assertEquals("127.0.0.1", sources.of("127.0.0.1", List.of("")));
        assertEquals("127.0.0.1", sources.of("127.0.0.1", List.of("203.0.113.7, unknown")));
    }

    @Test
    void cidrBlocksAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> new LoginSource(List.of("10.0.0.0/33")));
        assertThrows(IllegalArgumentException.class, () -> new LoginSource(List.of("a-host-name")));
        LoginSource narrow = new LoginSource(List.of("192.168.4.0/22"));
        assertEquals("203.0.113.7", narrow.of("192.168.7.255", List.of("203.0.113.7")));
        assertEquals("192.168.8.0", narrow.of("192.168.8.0", List.of("203.0.113.7")));
    }
}
