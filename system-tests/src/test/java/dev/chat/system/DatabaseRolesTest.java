package dev.chat.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * Least privilege in PostgreSQL on the stack scripts/up starts (deploy/postgres/roles.sql): each service's runtime
 * role reaches only its own tables, and of user-service's data chat-node and presence-service see only the views
 * they need; none may create or drop a table (the migrations run as the owner 'chat'). That the services work as
 * these roles is what every other test through the proxy shows.
 */
@ResourceLock(Lanes.SHARED_STACK)
class DatabaseRolesTest {
    private static LocalStack stack() {
        return ChatThroughProxyTest.stack();
    }

    private static void denied(String role, String sql) {
        LocalStack.PsqlResult r = stack().psqlAs(role, sql);
        assertNotEquals(0, r.exit(), role + " may run: " + sql + " -> " + r.output());
        assertTrue(r.output().contains("permission denied") || r.output().contains("must be owner"),
                role + ": " + sql + " -> " + r.output());
    }

    private static void allowed(String role, String sql) {
        LocalStack.PsqlResult r = stack().psqlAs(role, sql);
        assertEquals(0, r.exit(), role + " may not run: " + sql + " -> " + r.output());
    }

    @Test
    void chatNodesRoleCannotReadAccountsOrSessions() {
        denied("chat_node", "SELECT count(*) FROM accounts");
        denied("chat_node", "SELECT count(*) FROM sessions");
        denied("chat_node", "SELECT count(*) FROM refresh_tokens");
        denied("chat_node", "DROP TABLE messages");
        denied("chat_node", "CREATE TABLE intruder (x int)");
        allowed("chat_node", "SELECT count(*) FROM messages");
        allowed("chat_node", "SELECT count(*) FROM account_names");
        allowed("chat_node", "SELECT count(*) FROM revoked_sessions");
        allowed("chat_node", "SELECT count(*) FROM profile_changes");
        // Deleted names (db/users V12): chat-node sees the pending releases and may mark one released, nothing more.
        denied("chat_node", "SELECT count(*) FROM name_releases");
        denied("chat_node", "UPDATE pending_name_releases SET username = 'x' WHERE false");
        denied("chat_node", "DELETE FROM pending_name_releases WHERE false");
        denied("chat_node", "INSERT INTO pending_name_releases (account_id, username) SELECT 1, 'x' WHERE false");
        allowed("chat_node", "SELECT account_id, username FROM pending_name_releases FOR UPDATE SKIP LOCKED");
        allowed("chat_node", "UPDATE pending_name_releases SET released_at = now() WHERE false");
    }

    @Test
    void userServicesRoleCannotReadMessagesOrGroups() {
        denied("chat_users", "SELECT count(*) FROM messages");
        denied("chat_users", "SELECT count(*) FROM group_members");
        denied("chat_users", "DROP TABLE accounts");
        denied("chat_users", "CREATE TABLE intruder (x int)");
        allowed("chat_users", "SELECT count(*) FROM accounts");
        allowed("chat_users", "SELECT count(*) FROM name_releases");
        denied("chat_users", "UPDATE name_releases SET released_at = now() WHERE false");
    }

    @Test
    void presenceServicesRoleSeesOnlyRevokedSessions() {
        denied("chat_presence", "SELECT count(*) FROM accounts");
        denied("chat_presence", "SELECT count(*) FROM sessions");
        denied("chat_presence", "SELECT count(*) FROM messages");
        denied("chat_presence", "SELECT count(*) FROM account_names");
        denied("chat_presence", "SELECT count(*) FROM profile_changes");
        denied("chat_presence", "SELECT count(*) FROM pending_name_releases");
        allowed("chat_presence", "SELECT count(*) FROM revoked_sessions");
    }
}
