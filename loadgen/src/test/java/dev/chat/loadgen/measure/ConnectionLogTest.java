package dev.chat.loadgen.measure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class ConnectionLogTest {
    @Test
    void theLastClientBackForGoodEndsTheOutage() {
        ConnectionLog log = new ConnectionLog();
        log.connected("a", 0);
        log.connected("b", 0);
        log.connected("c", 0);
        log.disconnected("a", 100, "reset");
        log.failed("a", 150);
        log.connected("a", 300);
        log.disconnected("b", 120, "reset");
        log.connected("b", 200); // landed on a dying node ...
        log.disconnected("b", 250, "closed 1006");
        log.connected("b", 400); // ... and back for good
        ConnectionLog.Outage o = log.window(50, 1000, u -> true);
        assertEquals(3, o.clients());
        assertEquals(2, o.dropped());
        assertEquals(400, o.allBackAt());
        assertEquals(280, o.longestNanos());
        assertEquals(1, o.failedAttempts());
        assertTrue(o.everyoneBack());
    }

    @Test
    void aClientStillAwayIsNamed() {
        ConnectionLog log = new ConnectionLog();
        log.connected("a", 0);
        log.disconnected("a", 100, "reset");
        ConnectionLog.Outage o = log.window(50, 1000, u -> false);
        assertFalse(o.everyoneBack());
        assertEquals(List.of("a"), o.away());
    }
}
