package dev.chat.node.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import dev.chat.node.sockets.FrameRate.Verdict.Outcome;

/** The per-socket budget for every frame type (issue 19): refused past the rate, closed as a flood past the burst. */
class FrameRateTest {
    private static final double PER_SECOND = 100;
    private static final double PER_NANO = PER_SECOND / 1e9;
    private static final int BURST = 10;

    @Test
    void aBurstPassesThenFramesAreRefusedWithWhenToRetry() {
        FrameRate.Bucket bucket = new FrameRate.Bucket(BURST, 0);
        for (int i = 0; i < BURST; i++) {
            assertEquals(Outcome.ACCEPTED, bucket.take(0, PER_NANO, BURST).outcome(), "frame " + i);
        }
        FrameRate.Verdict refused = bucket.take(0, PER_NANO, BURST);
        assertEquals(Outcome.REFUSED, refused.outcome());
        assertEquals(10, refused.retryAfterMs(), "one frame at 100 a second: 10 ms");
    }

    @Test
    void aClientThatKeepsSendingPastItsRefusalsIsAFlood() {
        FrameRate.Bucket bucket = new FrameRate.Bucket(BURST, 0);
        for (int i = 0; i < BURST; i++) {
            bucket.take(0, PER_NANO, BURST);
        }
        for (int i = 0; i < BURST; i++) {
            assertEquals(Outcome.REFUSED, bucket.take(0, PER_NANO, BURST).outcome(), "refusal " + i);
        }
        assertEquals(Outcome.FLOOD, bucket.take(0, PER_NANO, BURST).outcome());
    }

    @Test
    void aClientThatWaitsAsToldIsServedAgainAndItsRefusalsForgiven() {
        FrameRate.Bucket bucket = new FrameRate.Bucket(BURST, 0);
        for (int i = 0; i < 2 * BURST; i++) {
            bucket.take(0, PER_NANO, BURST);
        }
        assertEquals(Outcome.FLOOD, bucket.take(0, PER_NANO, BURST).outcome());
        long later = (long) (BURST / PER_NANO);
        for (int i = 0; i < BURST; i++) {
            assertEquals(Outcome.ACCEPTED, bucket.take(later, PER_NANO, BURST).outcome(), "frame " + i + " after a pause");
        }
        for (int i = 0; i < BURST; i++) {
            assertEquals(Outcome.REFUSED, bucket.take(later, PER_NANO, BURST).outcome(), "refusal " + i + " after a pause");
        }
    }

    @Test
    void twiceTheRateIsRefusedItsExcessButNeverClosed() {
        FrameRate.Bucket bucket = new FrameRate.Bucket(BURST, 0);
        long step = (long) (0.5 / PER_NANO);
        for (int i = 0; i < 100 * BURST; i++) {
            assertTrue(bucket.take(i * step, PER_NANO, BURST).outcome() != Outcome.FLOOD, "frame " + i);
        }
    }
}
