package dev.chat.loadgen.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StoreCheckTest {
    @Test
    void everyAckedIdOnceIsAPass() {
        StoreCheck c = StoreCheck.parse("1520|0|0 ");
        assertTrue(c.ok());
        assertEquals(1520, c.acked());
        assertTrue(c.describe().contains("all 1520 acked messages"), c.describe());
    }

    @Test
    void aMissingOrDoubledIdOrNoAnswerFails() {
        assertFalse(StoreCheck.parse("10|1|0").ok());
        assertFalse(StoreCheck.parse("10|0|2").ok());
        assertFalse(StoreCheck.parse("0|0|0").ok());
        StoreCheck broken = StoreCheck.parse("psql: error: connection refused");
        assertFalse(broken.ok());
        assertTrue(broken.describe().contains("connection refused"), broken.describe());
        assertFalse(StoreCheck.parse("").ok());
    }
}
