package dev.chat.users;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;


import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.chat.testing.ScratchDatabase;

/**
 * V12 on a database that V1 to V11 made: a name retired before it (V3: kept from everyone for good) becomes a pending
 * release, refused to sign-ups until a chat node has re-keyed the old account's chat data and marked it released, and
 * registrable after that; the retirement's table and trigger are gone.
 */
class NameReleasesMigrationTest {
    private final ScratchDatabase db = ScratchDatabase.create("migr");

    @AfterEach
    void drop() {
        db.close();
    }

    @Test
    void aNameRetiredBeforeIsReleasedOnlyOnceAChatNodeMarksIt() {
        migrate("11");
        String id = sql("INSERT INTO accounts (username, password_hash) VALUES ('olde', 'x') RETURNING id");
        // A deletion as V3's code made it: the name retired, the row renamed.
        sql("INSERT INTO retired_usernames (username, account_id) VALUES ('olde', " + id + "); "
                + "UPDATE accounts SET username = '~deleted~' || id, deleted_at = now() WHERE id = " + id);

        migrate("latest");

        assertEquals(id + "|olde|t", sql("SELECT account_id, username, released_at IS NULL FROM name_releases"));
        assertEquals("0", sql("SELECT count(*) FROM pg_class WHERE relname = 'retired_usernames'"));
        IllegalStateException taken = assertThrows(IllegalStateException.class,
                () -> sql("INSERT INTO accounts (username, password_hash) VALUES ('olde', 'y')"));
        assertTrue(taken.getMessage().contains("username not yet released"), taken.getMessage());

        // A chat node marks it released, as its role may.
        sql("SET ROLE chat_node; UPDATE pending_name_releases SET released_at = now() WHERE account_id = " + id);
        String newId = sql("INSERT INTO accounts (username, password_hash) VALUES ('olde', 'y') RETURNING id");
        assertEquals("olde|" + newId, sql("SELECT username, id FROM account_names WHERE username = 'olde'"),
                "chat nodes see the name's new account id");
    }

    private void migrate(String target) {
        Flyway.configure().dataSource(db.jdbcUrl(), db.user(), db.password())
                .locations("classpath:db/users").table("flyway_history_users").target(target).load()
                .migrate();
    }

    private String sql(String statement) {
        return db.sql(statement);
    }
}
