package dev.chat.node.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.chat.testing.ScratchDatabase;

/**
 * V6 and V7 (issue 16) on a database that V1 to V5 made and filled: every one-to-one message that was not acked is
 * still owed to its recipient (a pending row naming its sender, V7), nothing acked is owed again, group messages keep
 * their inbox rows, and a group's deletion still takes its inbox rows along (V7 drops the key they referenced).
 */
class AppendOnlyMigrationTest {
    private final ScratchDatabase db = ScratchDatabase.create("migr");

    @AfterEach
    void drop() {
        db.close();
    }

    @Test
    void unackedMessagesStayOwedAndAckedOnesDoNot() {
        migrate("5");
        sql("INSERT INTO messages (sender, client_id, recipient, body, ts, acked_at) VALUES "
                + "('ann', 'm1', 'bob', 'acked', 1, now()), ('ann', 'm2', 'bob', 'owed', 2, NULL), "
                + "('bob', 'm3', 'ann', 'owed too', 3, NULL)");
        sql("INSERT INTO chat_groups (name, created_by) VALUES ('g', 'ann')");
        sql("INSERT INTO messages (sender, client_id, group_id, body, ts) SELECT 'ann', 'g1', id, 'to the group', 4 "
                + "FROM chat_groups");
        sql("INSERT INTO group_inbox (member, seq, group_id) SELECT 'bob', seq, group_id FROM messages WHERE client_id = 'g1'");

        migrate("latest");

        assertEquals("bob|m2|ann|owed\nann|m3|bob|owed too", sql("SELECT p.recipient, p.client_id, p.sender, m.body "
                + "FROM pending p JOIN messages m ON m.sender = p.sender AND m.client_id = p.client_id ORDER BY m.seq"));
        assertEquals("4", sql("SELECT count(*) FROM messages"), "every message kept");
        assertEquals("1", sql("SELECT count(*) FROM group_inbox WHERE acked_at IS NULL"), "the group's inbox untouched");
        assertEquals("0", sql("SELECT count(*) FROM information_schema.columns WHERE table_name = 'messages' "
                + "AND column_name = 'acked_at'"), "the message row holds no delivery state");
        sql("DELETE FROM chat_groups");
        assertEquals("0", sql("SELECT count(*) FROM group_inbox"), "a deleted group's inbox rows go with it");
    }

    private void migrate(String target) {
        Flyway.configure().dataSource(db.jdbcUrl(), db.user(), db.password())
                .locations("classpath:db/chat").table("flyway_history_chat").target(target)
                // as application.properties hands chat.search.language to V40
                .placeholders(Map.of("search_language", "english")).load().migrate();
    }

    private String sql(String statement) {
        return db.sql(statement);
    }
}
