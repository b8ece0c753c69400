package dev.chat.node.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.chat.testing.ScratchDatabase;

/**
 * V63's {@code summarize_log_tail()} on a log of five ranges of messages_seq_brin that nothing summarized (autovacuum
 * and autosummarize off for the test, so that only the function does): called by the node's role, it summarizes the
 * full ranges and leaves the last one, so that a read of the newest messages goes through one range instead of all.
 */
class LogTailSummaryTest {
    private static final Pattern LOSSY = Pattern.compile("lossy=(\\d+)");
    private final ScratchDatabase db = ScratchDatabase.create("brintail");

    @AfterEach
    void drop() {
        db.close();
    }

    @Test
    void fullRangesAreSummarizedAndTheLastIsLeft() {
        Flyway.configure().dataSource(db.jdbcUrl(), db.user(), db.password())
                .locations("classpath:db/chat").table("flyway_history_chat")
                .placeholders(Map.of("search_language", "english")).load().migrate();
        db.sql("ALTER TABLE messages SET (autovacuum_enabled = off); "
                + "ALTER INDEX messages_seq_brin SET (autosummarize = off)");
        // About 47 rows a page: 4.3 ranges of 128 pages.
        db.sql("INSERT INTO messages (sender, client_id, recipient, body, ts) SELECT 'ann', 'id' || i, 'bob', "
                + "repeat('x', 100), i FROM generate_series(1, 26000) i");
        long pages = Long.parseLong(db.sql("SELECT pg_relation_size('messages') / 8192"));
        assertTrue(pages > 4 * 128 && pages < 5 * 128, pages + " pages");

        int before = lossyBlocksOfTheNewest();
        assertTrue(before >= pages - 1, "every range unsummarized: the newest read the whole log (" + before + ")");

        assertEquals("4", asNode("SELECT summarize_log_tail()"), "the four full ranges");
        int after = lossyBlocksOfTheNewest();
        assertTrue(after <= 128 && after >= pages - 4 * 128, "only the last range read: " + after);
        assertEquals("0", asNode("SELECT summarize_log_tail()"), "nothing new to summarize");
    }

    /** Heap blocks a read of the newest ten messages goes through (a bitmap scan of messages_seq_brin). */
    private int lossyBlocksOfTheNewest() {
        String plan = db.sql("SET enable_seqscan = off; EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) "
                + "SELECT count(*) FROM messages WHERE seq > (SELECT max(seq) - 10 FROM messages)");
        Matcher m = LOSSY.matcher(plan);
        assertTrue(m.find(), plan);
        return Integer.parseInt(m.group(1));
    }

    /** {@code sql} as chat-node's role, which owns nothing (V50). */
    private String asNode(String sql) {
        return db.sql("SET ROLE chat_node; " + sql);
    }
}
