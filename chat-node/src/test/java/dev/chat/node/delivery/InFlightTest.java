package dev.chat.node.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.chat.node.testing.FakeTime;
import dev.chat.node.testing.Settings;

/** When a message is pushed again, on a clock moved by hand. */
class InFlightTest {
    private final FakeTime time = new FakeTime();
    private final InFlight inFlight = new InFlight(Settings.delivery(Duration.ofSeconds(5)), time);

    @Test
    void aMessageNeverPushedHereIsDueAtOnce() {
        assertTrue(inFlight.due("bob", "m1"));
        assertFalse(inFlight.tracked("bob", "m1"));
    }

    @Test
    void aPushedMessageIsDueAgainOnlyAfterTheRedeliveryDelay() {
        inFlight.pushed("bob", "m1");
        time.advance(Duration.ofMillis(4_999));
        assertFalse(inFlight.due("bob", "m1"));
        time.advance(Duration.ofMillis(1));
        assertTrue(inFlight.due("bob", "m1"));
    }

    @Test
    void pushedSinceTellsWhetherAPushCameAfterASocketOpened() {
        long before = time.nanos();
        time.advance(Duration.ofMillis(10));
        long opened = time.nanos();
        inFlight.pushed("bob", "m1");
        assertTrue(inFlight.pushedSince("bob", "m1", opened));
        assertTrue(inFlight.pushedSince("bob", "m1", before));
        time.advance(Duration.ofMillis(10));
        assertFalse(inFlight.pushedSince("bob", "m1", time.nanos()));
        assertFalse(inFlight.pushedSince("bob", "m2", before));
    }

    @Test
    void anAckOrTheLastSocketClosingEndsTracking() {
        inFlight.pushed("bob", "m1");
        inFlight.pushed("bob", "m2");
        inFlight.pushed("ann", "m3");
        assertEquals(2, inFlight.count("bob"));
        inFlight.acked("bob", "m1");
        assertEquals(1, inFlight.count("bob"));
        assertTrue(inFlight.due("bob", "m1"));
        inFlight.lastSocketClosed("bob");
        assertEquals(0, inFlight.count("bob"));
        assertEquals(1, inFlight.size(), "ann's message is still tracked");
    }
}
