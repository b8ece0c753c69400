package dev.chat.loadgen.measure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import dev.chat.client.ChatSession.Incoming;

class LedgerTest {
    private static Incoming msg(String id, String from, String to) {
        return new Incoming(id, from, to, "body", 0);
    }

    @Test
    void countsSentAckedDeliveredAndLostPerPhase() {
        Ledger l = new Ledger();
        l.sent("a", "ann", "bob", 1, 0, 0);
        l.sent("b", "ann", "bob", 2, 1, 10);
        l.sent("c", "ann", "bob", 3, 1, 20);
        l.acked("a", 5);
        l.acked("b", 15);
        l.received("bob", msg("a", "ann", "bob"), true, 7);
        // b acked, never shown: lost; c never acked: unacked (still being retried)
        Ledger.Counts p1 = l.phase(1);
        assertEquals(new Ledger.Counts(2, 1, 0, 1, 1, 0, 0), p1);
        assertFalse(p1.clean());
        assertTrue(l.phase(0).clean());
        assertFalse(l.settled(1));
        assertTrue(l.settled(0));
        assertEquals(2, l.sendToAck().count());
        assertEquals(java.util.List.of("a", "b"), l.ackedIds());
    }

    @Test
    void aRedeliveryHiddenByItsIdIsNotShownTwiceButAnotherIdForTheSameSequenceIs() {
        Ledger l = new Ledger();
        l.sent("a", "ann", "bob", 1, 0, 0);
        l.sent("a2", "ann", "bob", 1, 0, 0); // a client bug: the same message under a new ID
        l.acked("a", 1);
        l.acked("a2", 1);
        l.received("bob", msg("a", "ann", "bob"), true, 2);
        l.received("bob", msg("a", "ann", "bob"), false, 3);
        assertEquals(0, l.all().shownTwice());
        assertEquals(1, l.all().redelivered());
        l.received("bob", msg("a2", "ann", "bob"), true, 4);
        assertEquals(1, l.all().shownTwice());
    }

    @Test
    void framesForTheWrongUserOrUnknownIdsAreMisrouted() {
        Ledger l = new Ledger();
        l.sent("a", "ann", "bob", 1, 0, 0);
        l.received("carl", msg("a", "ann", "bob"), true, 1);
        l.received("bob", msg("zzz", "ann", "bob"), true, 1);
        assertEquals(2, l.misrouted());
    }
}
