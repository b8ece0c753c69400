package dev.chat.loadgen.measure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.chat.client.ChatSession.Incoming;

class TimelineTest {
    private static final long S = 1_000_000_000L;
    private static final long MS = 1_000_000L;

    @Test
    void countsEachSecondFromWhatTheRunRecorded() {
        long t0 = 5_000 * S;
        Ledger ledger = new Ledger();
        // Second 0: two messages acked and shown 10 and 30 ms after their send.
        ledger.sent("a", "u0", "u1", 1, 0, t0 + 100 * MS);
        ledger.acked("a", t0 + 105 * MS);
        ledger.received("u1", new Incoming("a", "u0", "u1", "x", 0), true, t0 + 110 * MS);
        ledger.sent("b", "u1", "u0", 1, 0, t0 + 200 * MS);
        ledger.acked("b", t0 + 210 * MS);
        ledger.received("u0", new Incoming("b", "u1", "u0", "x", 0), true, t0 + 230 * MS);
        // Sent in second 1, acked in second 2, shown in second 3 (1.5 s after its send); shown again: not counted.
        ledger.sent("c", "u0", "u1", 2, 1, t0 + 1_900 * MS);
        ledger.acked("c", t0 + 2_100 * MS);
        ledger.received("u1", new Incoming("c", "u0", "u1", "x", 0), true, t0 + 3_400 * MS);
        ledger.received("u1", new Incoming("c", "u0", "u1", "x", 0), false, t0 + 3_500 * MS);
        // Never acked, never shown.
        ledger.sent("d", "u1", "u0", 2, 1, t0 + 1_950 * MS);

        ConnectionLog log = new ConnectionLog();
        log.connected("u0", t0 + 10 * MS);
        log.connected("u1", t0 + 20 * MS);
        log.disconnected("u1", t0 + 1_500 * MS, "closed");
        log.connected("u1", t0 + 3_200 * MS);

        Timeline t = Timeline.of("run", t0, t0 + 3_700 * MS, ledger, log,
                List.of(new Timeline.Band("node-stop", 1.4, 2.8)), null);

        assertEquals(4, t.length());
        assertEquals(List.of(2, 1, 1, 2), t.seconds().stream().map(Timeline.Second::connected).toList());
        assertEquals(List.of(2, 0, 1, 0), t.seconds().stream().map(Timeline.Second::acked).toList());
        assertEquals(List.of(2, 0, 0, 1), t.seconds().stream().map(Timeline.Second::delivered).toList());
        assertEquals(30.0, t.seconds().get(0).p99Millis(), 1e-9);
        assertTrue(Double.isNaN(t.seconds().get(1).p99Millis()), "nothing shown in second 1");
        assertEquals(1_500.0, t.seconds().get(3).p99Millis(), 1e-9);
        assertEquals(List.of(new Timeline.Band("node-stop", 1.4, 2.8)), t.bands());
        assertEquals(List.of(), t.owners());
    }

    @Test
    void anEmptyRunStillHasOneSecond() {
        long t0 = 7 * S;
        Timeline t = Timeline.of("empty", t0, t0, new Ledger(), new ConnectionLog(), List.of(), null);
        assertEquals(1, t.length());
        assertEquals(0, t.seconds().get(0).connected());
    }
}
