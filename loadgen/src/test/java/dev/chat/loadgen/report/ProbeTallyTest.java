package dev.chat.loadgen.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ProbeTallyTest {
    @Test
    void eachKindCountsItsStatusesInOrderNoAnswerFirst() {
        ProbeTally t = new ProbeTally();
        t.round(101, 200, 200);
        t.round(0, 503, 200);
        t.round(101, 200, 0);
        assertEquals(3, t.rounds());
        assertEquals("new socket: no answer x1, 101 (open) x2; login: 200 x2, 503 x1; presence: no answer x1, 200 x2", t.summary());
    }

    @Test
    void noRoundSaysSoPerKind() {
        assertEquals("new socket: ; login: ; presence: ", new ProbeTally().summary());
    }
}
