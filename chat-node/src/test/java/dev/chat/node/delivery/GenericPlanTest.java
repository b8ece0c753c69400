package dev.chat.node.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.chat.node.TestAccounts;
import dev.chat.testing.LocalPostgres;
import dev.chat.testing.quarkus.JwtKeysResource;
import dev.chat.testing.quarkus.PostgresResource;
import dev.chat.testing.quarkus.RedisResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The batch statements are planned once per connection, not at every call. PostgreSQL plans a prepared statement's
 * first five executions for their parameters, then keeps its generic plan only if that is estimated no dearer than
 * those; an array's length is part of the estimate, so a batch statement whose arrays the planner could see kept
 * being planned anew at every call (0.4-0.6 ms each, about a fifth of PostgreSQL's CPU in the benchmark:
 * docs/performance.md, seventh round). Checked with pg_prepared_statements' counters after ten executions of
 * batches of different sizes, in one session as the node's pool runs them.
 */
@QuarkusTest
@Tag("quarkus")
@WithTestResource(PostgresResource.class)
@WithTestResource(RedisResource.class)
@WithTestResource(JwtKeysResource.class)
class GenericPlanTest {
    private static final int RUNS = 10;

    @BeforeAll
    static void accounts() {
        TestAccounts.ensureTable();
    }

    @Test
    void appendsInBatchesArePlannedOnce() {
        String from = TestAccounts.create("planfrom");
        String to = TestAccounts.create("planto");
        StringBuilder sql = new StringBuilder("PREPARE s(text[], text[], text[], text[], bigint[]) AS ")
                .append(PgMessageLog.APPEND_MANY).append(";BEGIN;");
        for (int i = 1; i <= RUNS; i++) {
            String senders = repeat("'" + from + "'", i);
            String ids = ids(i);
            String recipients = repeat("'" + to + "'", i);
            String bodies = repeat("'hello'", i);
            String ts = repeat("1", i);
            sql.append("EXECUTE s(ARRAY[").append(senders).append("], ARRAY[").append(ids).append("], ARRAY[")
                    .append(recipients).append("], ARRAY[").append(bodies).append("], ARRAY[").append(ts)
                    .append("]::bigint[]);");
        }
        assertEquals("custom 5, generic 5", plans(sql));
    }

    @Test
    void acksInBatchesArePlannedOnce() {
        String to = TestAccounts.create("planack");
        StringBuilder sql = new StringBuilder("PREPARE s(text[], text[]) AS ").append(PgMessageLog.ACK_MANY)
                .append(";BEGIN;");
        for (int i = 1; i <= RUNS; i++) {
            sql.append("EXECUTE s(ARRAY[").append(repeat("'" + to + "'", i)).append("], ARRAY[").append(ids(i))
                    .append("]);");
        }
        assertEquals("custom 5, generic 5", plans(sql));
    }

    /** Runs the executions in a transaction it rolls back, and answers the statement's plan counters. */
    private static String plans(StringBuilder executions) {
        String out = LocalPostgres.shared().psql(LocalPostgres.DATABASE, executions
                + "SELECT 'custom ' || custom_plans || ', generic ' || generic_plans FROM pg_prepared_statements"
                + " WHERE name = 's';ROLLBACK;");
        String[] lines = out.trim().split("\n");
        return lines[lines.length - 1].trim();
    }

    private static String ids(int n) {
        StringBuilder ids = new StringBuilder();
        for (int i = 0; i < n; i++) {
            ids.append(i == 0 ? "" : ", ").append('\'').append(UUID.randomUUID()).append('\'');
        }
        return ids.toString();
    }

    private static String repeat(String item, int n) {
        return String.join(", ", java.util.Collections.nCopies(n, item));
    }
}
