package dev.chat.users;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.chat.testing.quarkus.JwtKeysResource;
import dev.chat.testing.quarkus.PostgresResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;

/** chat-node reads accounts.username directly, so the table's shape is an agreement, not a detail. */
@QuarkusTest
@WithTestResource(PostgresResource.class)
@WithTestResource(JwtKeysResource.class)
class SchemaTest {
    @Inject
    Pool db;

    @Test
    void accountsTableIsExactlyWhatTheMigrationSays() {
        List<String> columns = new ArrayList<>();
        for (Row r : query("SELECT column_name, data_type, is_nullable, is_identity, identity_generation,"
                + " column_default FROM information_schema.columns"
                + " WHERE table_schema = 'public' AND table_name = 'accounts' ORDER BY ordinal_position")) {
            columns.add(String.join("|", r.getString(0), r.getString(1), r.getString(2), r.getString(3),
                    String.valueOf(r.getString(4)), String.valueOf(r.getString(5))));
        }
        assertEquals(List.of(
                "id|bigint|NO|YES|ALWAYS|null",
                "username|text|NO|NO|null|null",
                "password_hash|text|NO|NO|null|null",
                "created_at|timestamp with time zone|NO|NO|null|now()",
                // V3: account security (deletion, profile)
                "deleted_at|timestamp with time zone|YES|NO|null|null",
                "display_name|text|YES|NO|null|null",
                "avatar|bytea|YES|NO|null|null",
                "avatar_type|text|YES|NO|null|null",
                "avatar_version|integer|NO|NO|null|0",
                // V11: when the display name or avatar last changed (chat nodes tell contacts)
                "profile_changed_at|timestamp with time zone|YES|NO|null|null"), columns);

        String unique = query("SELECT pg_get_constraintdef(oid) FROM pg_constraint"
                + " WHERE conrelid = 'accounts'::regclass AND contype = 'u'").iterator().next().getString(0);
        assertEquals("UNIQUE (username)", unique);
    }

    @Test
    void flywayKeepsItsOwnHistoryAndHibernateGeneratesNothing() {
        Row v1 = query("SELECT version, success FROM flyway_history_users WHERE version = '1'").iterator().next();
        assertEquals(Boolean.TRUE, v1.getBoolean("success"));

        Set<String> tables = new TreeSet<>();
        query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'")
                .forEach(r -> tables.add(r.getString(0)));
        // V12: name_releases replaced retired_usernames (a deleted name is released once chat-node re-keyed its data).
        assertEquals(Set.of("accounts", "flyway_history_users", "name_releases", "refresh_tokens", "sessions"), tables);
        // V10: what other services' runtime roles may read of this schema, as views (deploy/postgres/roles.sql).
        Set<String> views = new TreeSet<>();
        query("SELECT table_name FROM information_schema.views WHERE table_schema = 'public'")
                .forEach(r -> views.add(r.getString(0)));
        // V11: profile_changes, the changed display names and avatar versions chat nodes tell contacts about.
        // V12: pending_name_releases, the deleted names chat-node re-keys and then marks released.
        assertEquals(Set.of("account_names", "pending_name_releases", "profile_changes", "revoked_sessions"), views);

        Set<String> sequences = new TreeSet<>();
        query("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE c.relkind = 'S' AND n.nspname = 'public'")
                .forEach(r -> sequences.add(r.getString(0)));
        assertEquals(Set.of("accounts_id_seq"), sequences, "only the identity column's own sequence");
    }

    private Iterable<Row> query(String sql) {
        return db.query(sql).execute().await().indefinitely();
    }
}
