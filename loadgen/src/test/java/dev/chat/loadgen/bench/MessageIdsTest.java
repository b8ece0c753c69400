package dev.chat.loadgen.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

class MessageIdsTest {
    private static final String PREFIX = "k3f9.417.";

    @Test
    void shortIdsAreThePrefixAndTheNumber() {
        assertEquals("k3f9.417.4711", MessageIds.id(PREFIX, 4711, 0));
        assertEquals(4711, MessageIds.seq(PREFIX, "k3f9.417.4711"));
        // Too short a length for any filler: as short as they come.
        assertEquals("k3f9.417.4711", MessageIds.id(PREFIX, 4711, 14));
    }

    @Test
    void longIdsHaveTheLengthAskedReadBackAndStayTheSameForAResend() {
        for (long seq : new long[] {1, 9, 10, 4711, 999_999}) {
            String id = MessageIds.id(PREFIX, seq, 36);
            assertEquals(36, id.length(), id);
            assertTrue(id.matches("k3f9\\.417\\.[0-9a-f]+\\.[0-9]+"), id);
            assertEquals(seq, MessageIds.seq(PREFIX, id), id);
            assertEquals(id, MessageIds.id(PREFIX, seq, 36), "a resend writes the same ID");
        }
        assertEquals(64, MessageIds.id(PREFIX, 12, 64).length());
    }

    @Test
    void anotherUsersOrAForeignIdIsNoneOfOurs() {
        assertEquals(-1, MessageIds.seq("k3f9.41.", MessageIds.id("k3f9.42.", 5, 36)));
        assertEquals(-1, MessageIds.seq(PREFIX, null));
        assertEquals(-1, MessageIds.seq(PREFIX, "k3f9.417.abc"));
        assertEquals(-1, MessageIds.seq(PREFIX, "k3f9.417."));
    }

    /** Consecutive messages of one sender land all over the key space, as UUIDs do, not in sending order. */
    @Test
    void consecutiveLongIdsAreSpreadLikeRandomOnes() {
        List<String> ids = new ArrayList<>();
        for (long seq = 1; seq <= 1000; seq++) {
            ids.add(MessageIds.id(PREFIX, seq, 36));
        }
        int ascending = 0;
        for (int i = 1; i < ids.size(); i++) {
            if (ids.get(i).compareTo(ids.get(i - 1)) > 0) {
                ascending++;
            }
        }
        // Random order: about half the neighbours ascend; in sending order nearly all would.
        assertTrue(ascending > 400 && ascending < 600, ascending + " of 999 ascending");
        Set<Character> firstFiller = new HashSet<>();
        for (String id : ids) {
            firstFiller.add(id.charAt(PREFIX.length()));
        }
        assertEquals(16, firstFiller.size(), "every hex digit starts some filler: " + firstFiller);
    }
}
