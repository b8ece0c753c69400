package dev.chat.node.delivery;

import static dev.chat.node.TestAccounts.create;
import static dev.chat.node.TestAccounts.token;
import static dev.chat.testing.ChatClient.frame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.chat.node.TestAccounts;
import dev.chat.testing.ChatClient;
import dev.chat.testing.LocalPostgres;
import dev.chat.testing.quarkus.JwtKeysResource;
import dev.chat.testing.quarkus.PostgresResource;
import dev.chat.testing.quarkus.RedisResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * One heavy user slows only themselves (issue 19): a connected user who never acks and has more unacked messages
 * than a sweep reads at once does not keep the sweep from the other users of the node. Here a message to another
 * user whose publish was lost (stored, never published: written straight into the log) still reaches them.
 */
@QuarkusTest
@Tag("quarkus")
@WithTestResource(PostgresResource.class)
@WithTestResource(RedisResource.class)
@WithTestResource(JwtKeysResource.class)
class FairSweepTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final int HEAVY_BACKLOG = 6_000;

    @TestHTTPResource("/ws/chat")
    URI http;

    @BeforeAll
    static void accounts() {
        TestAccounts.ensureTable();
    }

    @Test
    void aHeavyUsersBacklogDoesNotStarveAnotherUsersLostPublish() {
        URI ws = URI.create(http.toString().replaceFirst("^http", "ws"));
        String heavy = create("heavy");
        String light = create("light");
        String from = create("sender");
        // Owed before light connects, young enough that no sweep takes it: its arrival says the read on open is
        // done, so the lost message below can come from the sweep only.
        store(from, light, "warmup", "now");
        try (ChatClient h = ChatClient.connect(ws, token(heavy), false); ChatClient l = ChatClient.connect(ws, token(light))) {
            l.await(frame("msg", "warmup"), WAIT);
            // Older than the time a publish may be in transit, all of them; heavy's first, so lower seqs.
            psql("WITH m AS (INSERT INTO messages (sender, client_id, recipient, body, ts) SELECT '" + from
                    + "', 'bulk-' || g, '" + heavy + "', 'backlog', 1 FROM generate_series(1, " + HEAVY_BACKLOG
                    + ") g RETURNING seq, sender, client_id, recipient) "
                    + "INSERT INTO pending (recipient, client_id, sender, seq) SELECT recipient, client_id, sender, seq FROM m");
            store(from, light, "lost-publish", "1");
            l.await(frame("msg", "lost-publish"), WAIT);
            assertTrue(h.count(ChatClient.type("msg")) > 0, "the heavy user is swept too");
        }
    }

    private static void store(String from, String to, String id, String ts) {
        String at = ts.equals("now") ? "(extract(epoch FROM clock_timestamp()) * 1000)::bigint" : ts;
        psql("WITH m AS (INSERT INTO messages (sender, client_id, recipient, body, ts) VALUES ('" + from + "', '" + id
                + "', '" + to + "', 'x', " + at + ") RETURNING seq, sender, client_id, recipient) "
                + "INSERT INTO pending (recipient, client_id, sender, seq) SELECT recipient, client_id, sender, seq FROM m");
    }

    private static String psql(String sql) {
        return LocalPostgres.shared().psql(LocalPostgres.DATABASE, sql);
    }
}
