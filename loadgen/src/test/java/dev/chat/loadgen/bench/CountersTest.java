package dev.chat.loadgen.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

class CountersTest {
    @Test
    void readsNameNumberLinesAndSkipsTheRest() {
        Map<String, Double> c = Counters.parse("wal_lsn_bytes 123456\nwal_records|42\nnot a counter line\nstatement_ms 1.5\n\n");
        assertEquals(Map.of("wal_lsn_bytes", 123456.0, "wal_records", 42.0, "statement_ms", 1.5), c);
    }

    @Test
    void deltasCoverCountersInBothReadings() {
        Map<String, Double> d = Counters.deltas(Map.of("a", 10.0, "b", 5.0), Map.of("a", 25.0, "c", 1.0));
        assertEquals(Map.of("a", 15.0), d);
    }

    @Test
    void aCommandsOutputIsReadAndAFailingCommandGivesNothing() {
        assertEquals(Map.of("x", 7.0), Counters.read("echo 'x 7'"));
        assertTrue(Counters.read("echo 'x 7'; exit 3").isEmpty());
        assertTrue(Counters.read(null).isEmpty());
    }
}
