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
 * A recipient's ack commits without waiting for the disk, an append still waits (its ack to the sender is the
 * durability promise). Checked on the statements themselves: each runs in a transaction whose session asks
 * for synchronous commits, and the setting in force at its end is what the commit will use.
 */
@QuarkusTest
@Tag("quarkus")
@WithTestResource(PostgresResource.class)
@WithTestResource(RedisResource.class)
@WithTestResource(JwtKeysResource.class)
class AckCommitTest {
    @BeforeAll
    static void accounts() {
        TestAccounts.ensureTable();
    }

    @Test
    void anAckCommitsWithoutWaitingAndStillRecordsTheAck() {
        String from = TestAccounts.create("ackfrom");
        String to = TestAccounts.create("ackto");
        String one = stored(from, to);
        String many = stored(from, to);

        assertEquals("off", settingAtCommit("PREPARE a(text, text) AS " + PgMessageLog.ACK + ";"
                + "EXECUTE a('" + to + "', '" + one + "');"));
        assertEquals("off", settingAtCommit("PREPARE a(text[], text[]) AS " + PgMessageLog.ACK_MANY + ";"
                + "EXECUTE a(ARRAY['" + to + "', '" + to + "'], ARRAY['" + many + "', 'no-such-id']);"));

        assertEquals("2", psql("SELECT count(*) FROM messages m WHERE client_id IN ('" + one + "', '" + many
                + "') AND NOT EXISTS (SELECT 1 FROM pending p WHERE p.seq = m.seq)"));
    }

    @Test
    void anAppendStillWaitsForTheDisk() {
        String from = TestAccounts.create("appfrom");
        String to = TestAccounts.create("appto");
        String id = UUID.randomUUID().toString();
        assertEquals("on", settingAtCommit("PREPARE a(text[], text[], text[], text[], bigint[]) AS "
                + PgMessageLog.APPEND_MANY + ";" + "EXECUTE a(ARRAY['" + from + "'], ARRAY['" + id + "'], ARRAY['"
                + to + "'], ARRAY['hello'], ARRAY[1]::bigint[]);"));
        assertEquals("1", psql("SELECT count(*) FROM messages WHERE client_id = '" + id + "'"));
    }

    private static String stored(String from, String to) {
        String id = UUID.randomUUID().toString();
        // A pending one-to-one message as an append stores it: the message and its pending row.
        psql("WITH m AS (INSERT INTO messages (sender, client_id, recipient, body, ts) VALUES ('" + from + "', '" + id
                + "', '" + to + "', 'x', 1) RETURNING seq, sender, client_id, recipient) "
                + "INSERT INTO pending (recipient, client_id, sender, seq) SELECT recipient, client_id, sender, seq FROM m");
        return id;
    }

    /**
     * Runs the statements in one transaction of a session that asks for synchronous commits; answers the setting
     * in force just before the commit (psql prints every statement's rows: the setting is the last line).
     */
    private static String settingAtCommit(String statements) {
        String out = psql("SET synchronous_commit = on; BEGIN; " + statements
                + " SELECT current_setting('synchronous_commit'); COMMIT;");
        return out.substring(out.lastIndexOf('\n') + 1).trim();
    }

    private static String psql(String sql) {
        return LocalPostgres.shared().psql(LocalPostgres.DATABASE, sql);
    }
}
