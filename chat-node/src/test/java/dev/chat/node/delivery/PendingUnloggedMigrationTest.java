package dev.chat.node.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.chat.testing.ScratchDatabase;

/**
 * V61 on a database that V1 to V50 made and filled: pending becomes UNLOGGED, every row it held has a logged copy
 * (pending_kept), the mark is the sequence's last value, and pending is marked whole (pending_epoch), so appends
 * are taken at once.
 */
class PendingUnloggedMigrationTest {
    private final ScratchDatabase db = ScratchDatabase.create("migr");

    @AfterEach
    void drop() {
        db.close();
    }

    @Test
    void pendingRowsAreCarriedOverAndKept() {
        migrate("50");
        sql("WITH m AS (INSERT INTO messages (sender, client_id, recipient, body, ts) VALUES "
                + "('ann', 'm1', 'bob', 'owed', 1), ('bob', 'm2', 'ann', 'owed too', 2), ('ann', 'm3', 'bob', 'acked', 3) "
                + "RETURNING seq, sender, client_id, recipient) INSERT INTO pending (recipient, client_id, sender, seq) "
                + "SELECT recipient, client_id, sender, seq FROM m WHERE client_id <> 'm3'");

        migrate("latest");

        assertEquals("u", sql("SELECT relpersistence FROM pg_class WHERE relname = 'pending'"), "pending is UNLOGGED");
        assertEquals("p", sql("SELECT relpersistence FROM pg_class WHERE relname = 'pending_kept'"));
        assertEquals("bob|m1|ann\nann|m2|bob", sql("SELECT recipient, client_id, sender FROM pending_kept ORDER BY seq"));
        assertEquals("bob|m1|ann\nann|m2|bob", sql("SELECT recipient, client_id, sender FROM pending ORDER BY seq"));
        assertEquals(sql("SELECT max(seq) FROM messages"), sql("SELECT kept_through FROM pending_mark"));
        assertEquals("1", sql("SELECT count(*) FROM pending_epoch"), "pending is whole");
    }

    private void migrate(String target) {
        Flyway.configure().dataSource(db.jdbcUrl(), db.user(), db.password())
                .locations("classpath:db/chat").table("flyway_history_chat").target(target)
                .placeholders(Map.of("search_language", "english")).load().migrate();
    }

    private String sql(String statement) {
        return db.sql(statement);
    }
}
