package dev.chat.node.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.chat.testing.ScratchDatabase;

/**
 * messages_conversation keyed by the names' hashes (db/chat V62, issue 16), on a database the migrations made and a log
 * of 20,000 one-to-one messages among 1,000 users: every statement that reads through it ({@link ConversationIndex})
 * is planned as a scan of the index, never of the log, also as a generic plan (the node's prepared statements), and
 * two names with one hash never show each other's messages. Its entries are 24 bytes whatever the names' length
 * (before V62: 32 with this test's names, 40 with the benchmark's): what each message's leaf insert writes to the
 * WAL, and how fast the index fills pages (each page split is about 4 kB of WAL).
 */
class ConversationIndexTest {
    private static ScratchDatabase db;

    @BeforeAll
    static void log() {
        db = ScratchDatabase.create("convidx");
        Flyway.configure().dataSource(db.jdbcUrl(), db.user(), db.password())
                .locations("classpath:db/chat").table("flyway_history_chat")
                .placeholders(Map.of("search_language", "english")).load().migrate();
        db.sql("INSERT INTO messages (sender, client_id, recipient, body, ts) "
                + "SELECT 'user' || (i % 1000), 'id' || i, 'user' || ((i % 1000) # 1), 'hello', i "
                + "FROM generate_series(1, 20000) i; ANALYZE messages");
    }

    @AfterAll
    static void drop() {
        db.close();
    }

    @Test
    void anEntryIsTwoHashesAndTheSeq() {
        // A leaf page's items, its high key aside (pageinspect reads pages; the test connects as the superuser).
        String widths = db.sql("CREATE EXTENSION IF NOT EXISTS pageinspect; "
                + "SELECT min(itemlen) || '|' || max(itemlen) FROM bt_page_items('messages_conversation', 1) "
                + "WHERE itemoffset > 1");
        assertEquals("24|24", widths, "the index tuple header (8), two int4 hashes and the bigint seq");
    }

    @Test
    void aConversationsPageIsARangeOfTheIndex() {
        String plan = generic("page(text, text, bigint, int) AS " + ConversationLog.PAGE,
                "page('user1', 'user0', 9223372036854775807, 50)");
        assertIndexOnly(plan);
    }

    @Test
    void theListOfConversationsReadsWhatAUserReceivedThroughTheIndex() {
        String plan = generic("list(text, int) AS " + ConversationLog.CONVERSATIONS, "list('user0', 20)");
        assertIndexOnly(plan);
    }

    @Test
    void whetherOneEverWroteToAnotherIsOneLookup() {
        String plan = generic("wrote(text, text) AS SELECT EXISTS (SELECT 1 FROM messages m WHERE "
                + ConversationIndex.from("m", "$1", "$2") + ")", "wrote('user0', 'user1')");
        assertIndexOnly(plan);
        assertEquals("t|f", db.sql("SELECT EXISTS (SELECT 1 FROM messages m WHERE "
                + ConversationIndex.from("m", "'user0'", "'user1'") + "), EXISTS (SELECT 1 FROM messages m WHERE "
                + ConversationIndex.from("m", "'user0'", "'user2'") + ")"));
    }

    @Test
    void namesThatShareAHashKeepTheirOwnConversations() {
        // Two names with one 32-bit hash: among 300,000 about ten such pairs are expected (the birthday bound).
        String pair = db.sql("SELECT min(n) || ',' || max(n) FROM (SELECT 'c' || i AS n FROM generate_series(1, 300000) i) s "
                + "GROUP BY hashtext(n) HAVING count(*) > 1 LIMIT 1");
        String[] names = pair.split(",");
        assertEquals(2, names.length, "a colliding pair found: " + pair);
        assertEquals(db.sql("SELECT hashtext('" + names[0] + "')"), db.sql("SELECT hashtext('" + names[1] + "')"));
        db.sql("INSERT INTO messages (sender, client_id, recipient, body, ts) VALUES "
                + "('ann', 'h1', '" + names[0] + "', 'to the first', 1), ('ann', 'h2', '" + names[1] + "', 'to the second', 2), "
                + "('" + names[1] + "', 'h3', 'ann', 'from the second', 3)");

        String page = db.sql("PREPARE p(text, text, bigint, int) AS " + ConversationLog.PAGE + "; "
                + "EXECUTE p('" + names[0] + "', 'ann', 9223372036854775807, 50)");
        assertEquals(1, page.lines().count(), page);
        assertTrue(page.contains("to the first"), page);

        String list = db.sql("PREPARE l(text, int) AS " + ConversationLog.CONVERSATIONS + "; EXECUTE l('"
                + names[0] + "', 20)");
        assertEquals(1, list.lines().count(), list);
        assertTrue(list.contains("to the first") && !list.contains("second"), list);
    }

    /** EXPLAIN of {@code execute} after PREPARE {@code prepare}, with the plan PostgreSQL keeps for any parameters. */
    private static String generic(String prepare, String execute) {
        return db.sql("SET plan_cache_mode = force_generic_plan; PREPARE " + prepare + "; EXPLAIN EXECUTE " + execute);
    }

    private static void assertIndexOnly(String plan) {
        assertTrue(plan.contains("messages_conversation"), plan);
        assertFalse(plan.contains("Seq Scan on messages"), plan);
    }
}
