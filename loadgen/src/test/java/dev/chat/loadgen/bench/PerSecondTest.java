package dev.chat.loadgen.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;

class PerSecondTest {
    private static final long S = 1_000_000_000L;
    private static final long MS = 1_000_000L;
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void countsEachEventInTheSecondItHappenedFromTheFirstStart() {
        PerSecond p = new PerSecond();
        long t0 = 5 * S;
        p.sent(t0 - 1); // before the traffic started: not on the clock
        p.start(t0);
        p.start(t0 + 3 * S); // a later start moves nothing
        p.sent(t0);
        p.sent(t0 + S - 1);
        p.sent(t0 + S);
        p.shown(t0 + 500 * MS, 4 * MS);
        p.shown(t0 + 1200 * MS, 40 * MS);
        p.shown(t0 + 1300 * MS, -1); // shown, latency unknown
        p.sent(t0 + 2 * S + 1); // in the second under way: left out
        JsonNode o = p.toJson(json, t0 + 2 * S + 10 * MS);
        JsonNode sec = o.path("seconds");
        assertEquals(2, sec.size(), o.toString());
        assertEquals(2, sec.get(0).path("sent").asLong());
        assertEquals(1, sec.get(0).path("shown").asLong());
        assertEquals(1, sec.get(1).path("sent").asLong());
        assertEquals(2, sec.get(1).path("shown").asLong());
        assertEquals(1, Histo.fromJson(sec.get(1).path("delivery")).count(), "only the known latency is in the histogram");
        assertEquals(3.0, p.at(t0 + 3 * S), 1e-9);
    }

    @Test
    void nothingIsRecordedBeforeAStartOrPastTheLastSecond() {
        PerSecond p = new PerSecond();
        p.sent(S);
        p.shown(S, MS);
        assertEquals(0, p.toJson(json, 10 * S).path("seconds").size());
        assertTrue(Double.isNaN(p.at(S)));
        p.start(0);
        p.sent(PerSecond.MAX_SECONDS * S); // past the hour: dropped, not an exception
        JsonNode all = p.toJson(json, (PerSecond.MAX_SECONDS + 5) * S).path("seconds");
        assertEquals(PerSecond.MAX_SECONDS, all.size());
        long sent = 0;
        for (JsonNode s : all) {
            sent += s.path("sent").asLong();
        }
        assertEquals(0, sent);
    }

    @Test
    void processesMergeSecondBySecondWithExactPercentiles() {
        PerSecond a = new PerSecond();
        PerSecond b = new PerSecond();
        a.start(0);
        b.start(2 * MS); // started a moment later, as a second load process is
        Histo second0 = new Histo();
        for (int i = 1; i <= 100; i++) {
            a.sent(i * MS);
            a.shown(i * MS, i * MS);
            second0.recordNanos(i * MS);
        }
        for (int i = 1; i <= 100; i++) {
            b.sent(2 * MS + i * MS);
            b.shown(2 * MS + i * MS, 1000 * MS + i * MS);
            second0.recordNanos(1000 * MS + i * MS);
        }
        a.sent(S + 1);
        ArrayNode merged = PerSecond.merge(json, List.of(json.valueToTree(a.toJson(json, 3 * S)), b.toJson(json, 2 * S + 5 * MS)));
        assertEquals(2, merged.size(), "as long as the shorter process's record: " + merged);
        JsonNode s0 = merged.get(0);
        assertEquals(0, s0.path("t").asInt());
        assertEquals(200, s0.path("sent").asLong());
        assertEquals(200, s0.path("delivered").asLong());
        assertEquals(second0.percentileMillis(0.99), s0.path("deliveryP99").asDouble(), 1e-9);
        assertEquals(second0.percentileMillis(0.5), s0.path("deliveryP50").asDouble(), 1e-9);
        JsonNode s1 = merged.get(1);
        assertEquals(1, s1.path("sent").asLong());
        assertFalse(s1.has("deliveryP99"), "nothing shown: no percentile, not a zero: " + s1);
    }
}
