package dev.chat.node.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Collections;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.chat.node.TestAccounts;
import dev.chat.testing.quarkus.JwtKeysResource;
import dev.chat.testing.quarkus.PostgresResource;
import dev.chat.testing.quarkus.RedisResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The node's statements are planned once per connection, not at every call. Left to itself PostgreSQL plans a
 * prepared statement's first five executions for their parameters and keeps its generic plan only if that is
 * estimated no dearer than those; the batch statements' estimates follow their arrays' lengths and the churning
 * pending table, so under load they were planned anew at every call (0.4-0.6 ms each; a fifth of PostgreSQL's CPU
 * in the benchmark: docs/performance.md, seventh round). Checked on the pool's own connection, with
 * pg_prepared_statements' counters, after batches of different sizes.
 */
@QuarkusTest
@Tag("quarkus")
@WithTestResource(PostgresResource.class)
@WithTestResource(RedisResource.class)
@WithTestResource(JwtKeysResource.class)
class GenericPlanTest {
    private static final int RUNS = 8;

    @Inject
    Pool pool;

    @BeforeAll
    static void accounts() {
        TestAccounts.ensureTable();
    }

    @Test
    void batchAppendsAndAcksArePlannedOncePerConnection() {
        String from = TestAccounts.create("planfrom");
        String to = TestAccounts.create("planto");
        // The counters of the two statements on this connection, before and after: the pool's connection may have
        // run them for earlier tests.
        String counters = "SELECT coalesce(sum(custom_plans) FILTER (WHERE statement = $1), 0) AS append_custom,"
                + " coalesce(sum(generic_plans) FILTER (WHERE statement = $1), 0) AS append_generic,"
                + " coalesce(sum(custom_plans) FILTER (WHERE statement = $2), 0) AS ack_custom,"
                + " coalesce(sum(generic_plans) FILTER (WHERE statement = $2), 0) AS ack_generic"
                + " FROM pg_prepared_statements";
        Tuple statements = Tuple.of(PgMessageLog.APPEND_MANY, PgMessageLog.ACK_MANY);
        String plans = pool.withConnection(c -> c.preparedQuery(counters).execute(statements)
                .map(rows -> rows.iterator().next())
                .chain(before -> batches(c, from, to, 1)
                        .chain(() -> c.preparedQuery(counters).execute(statements))
                        .map(rows -> {
                            Row after = rows.iterator().next();
                            return "append: custom " + delta(before, after, "append_custom") + ", generic "
                                    + delta(before, after, "append_generic") + "; ack: custom "
                                    + delta(before, after, "ack_custom") + ", generic "
                                    + delta(before, after, "ack_generic");
                        })))
                .await().atMost(Duration.ofSeconds(60));
        assertEquals("append: custom 0, generic " + RUNS + "; ack: custom 0, generic " + RUNS, plans);
    }

    private static long delta(Row before, Row after, String column) {
        return after.getLong(column) - before.getLong(column);
    }

    /** RUNS batch appends and acks of 2, 3, ... messages on one connection, each acking what its append stored. */
    private Uni<Void> batches(SqlConnection c, String from, String to, int run) {
        if (run > RUNS) {
            return Uni.createFrom().voidItem();
        }
        int n = run + 1;
        String[] ids = new String[n];
        for (int i = 0; i < n; i++) {
            ids[i] = UUID.randomUUID().toString();
        }
        String[] senders = Collections.nCopies(n, from).toArray(String[]::new);
        String[] recipients = Collections.nCopies(n, to).toArray(String[]::new);
        String[] bodies = Collections.nCopies(n, "hello").toArray(String[]::new);
        Long[] ts = Collections.nCopies(n, 1L).toArray(Long[]::new);
        return c.preparedQuery(PgMessageLog.APPEND_MANY).execute(Tuple.of(senders, ids, recipients, bodies, ts))
                .invoke(rows -> {
                    for (Row r : rows) {
                        assertEquals("fresh", r.getString("state"));
                    }
                })
                .chain(() -> c.preparedQuery(PgMessageLog.ACK_MANY).execute(Tuple.of(recipients, ids)))
                .invoke(rows -> assertEquals(n, rows.size()))
                .chain(() -> batches(c, from, to, run + 1));
    }
}
