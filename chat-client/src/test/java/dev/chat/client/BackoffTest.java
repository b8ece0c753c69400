package dev.chat.client;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void theDelayDoublesWithJitterUpToTheMax() {
        Backoff b = new Backoff(50, 2000);
        long[][] bounds = {{1, 25, 50}, {2, 50, 100}, {3, 100, 200}, {7, 1000, 2000}, {40, 1000, 2000}};
        for (long[] x : bounds) {
            for (int i = 0; i < 200; i++) {
                long d = b.delayMillis((int) x[0]);
                assertTrue(d >= x[1] && d <= x[2], "attempt " + x[0] + ": " + d);
            }
        }
    }

    @Test
    void restartAndGoingAwayReconnectAtOnce() {
        assertTrue(Backoff.immediate(1012));
        assertTrue(Backoff.immediate(1001));
        assertFalse(Backoff.immediate(1008));
        assertFalse(Backoff.immediate(1000));
    }

    @Test
    void nonsenseBoundsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Backoff(0, 10));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(10, 5));
    }
}
