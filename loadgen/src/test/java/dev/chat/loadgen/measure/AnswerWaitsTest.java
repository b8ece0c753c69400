package dev.chat.loadgen.measure;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class AnswerWaitsTest {
    private static final long S = 1_000_000_000L;

    @Test
    void aWindowCountsTheWaitsThatOverlapItAndItsLongest() {
        AnswerWaits w = new AnswerWaits();
        w.record(0, 1 * S, true); // before the window: not counted
        w.record(9 * S, 11 * S, true); // written before, answered inside: counted (2 s)
        w.record(12 * S, 14 * S + S / 2, true); // inside (2.5 s)
        w.record(19 * S, 22 * S, false); // written inside, its socket dropped after: unanswered (3 s)
        w.record(25 * S, 26 * S, true); // after the window: not counted
        AnswerWaits.Window in = w.window(10 * S, 20 * S, new long[0], 30 * S);
        assertEquals(3, in.waits());
        assertEquals(2, in.answered());
        assertEquals(1, in.unanswered());
        assertEquals(3 * S, in.longestNanos());
    }

    @Test
    void aWaitStillOpenCountsUpToNowAsUnanswered() {
        AnswerWaits w = new AnswerWaits();
        w.record(11 * S, 12 * S, true);
        AnswerWaits.Window in = w.window(10 * S, 20 * S, new long[] {15 * S, 21 * S}, 40 * S);
        // The one written at 15 s has waited 25 s by now; the one written after the window does not count.
        assertEquals(2, in.waits());
        assertEquals(1, in.unanswered());
        assertEquals(25 * S, in.longestNanos());
        assertEquals(0, w.window(50 * S, 60 * S, new long[0], 70 * S).longestNanos());
    }
}
