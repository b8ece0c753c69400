package dev.chat.loadgen.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

class FactsTest {
    @Test
    void spansBecomeSecondsNumbersStayNumbersTheRestStrings() {
        ObjectNode o = Facts.parse(List.of("killed=pg-1", "took=@1000000000000..1000000001234", "timeline=3", "ttl_s=5.5"));
        assertEquals("pg-1", o.get("killed").asText());
        assertTrue(o.get("took").isNumber());
        assertEquals(1.23, o.get("took").asDouble());
        assertEquals(3, o.get("timeline").asLong());
        assertEquals(5.5, o.get("ttl_s").asDouble());
    }

    @Test
    void aLineKeepsTheSpacesOfItsValues() {
        ObjectNode o = Facts.parseLine("stopped=redis-1 stopped_member_role_after=replica of redis-2 failover=yes back=@10..2510");
        assertEquals("replica of redis-2", o.get("stopped_member_role_after").asText());
        assertEquals("yes", o.get("failover").asText());
        assertEquals(2.5, o.get("back").asDouble());
        assertEquals(4, o.size());
    }

    @Test
    void textBeforeThePairsOrAWordWithoutValueIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Facts.parseLine("oops killed=pg-1"));
        assertThrows(IllegalArgumentException.class, () -> Facts.parse(List.of("killed")));
    }

    @Test
    void spansInsideTextAreReplacedAndNeverNegative() {
        assertEquals("a write went through 0.25 s after the kill; 0.00 s",
                Facts.spans("a write went through @1000..1250 s after the kill; @2000..1000 s"));
    }
}
