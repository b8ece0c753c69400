package dev.chat.node.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.UUID;

import org.flywaydb.core.Flyway;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.chat.testing.LocalPostgres;

/**
 * The start-time check of {@code chat.search.language} against real PostgreSQL: a name the database has no
 * text-search configuration of, or one that cannot be written into SQL, is refused with a message naming the setting;
 * an index is found for its own language only (the warning after the migration rests on it); and the change of
 * language on a migrated database that docs/operations.md describes works as written.
 */
class SearchLanguageTest {
    private final LocalPostgres pg = LocalPostgres.shared();
    private final String db = "lang_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

    @AfterEach
    void drop() {
        pg.psql("postgres", "DROP DATABASE IF EXISTS " + db);
    }

    private Connection connect(String database) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + pg.port() + "/" + database,
                LocalPostgres.USER, pg.password());
    }

    @Test
    void aLanguageTheDatabaseDoesNotKnowIsRefusedNamingTheSetting() throws SQLException {
        try (Connection c = connect(LocalPostgres.DATABASE)) {
            for (String known : new String[] {"english", "german", "simple"}) {
                assertNull(new SearchLanguage(known).refusal(c), known);
            }
            String unknown = new SearchLanguage("klingon").refusal(c);
            assertNotNull(unknown, "klingon is no configuration of PostgreSQL");
            assertTrue(unknown.contains("chat.search.language") && unknown.contains("'klingon'"), unknown);
            // Not written into SQL at all: refused before any query.
            for (String bad : new String[] {"German", "german'; DROP TABLE messages; --", "pg_catalog.german", ""}) {
                String refusal = new SearchLanguage(bad).refusal(c);
                assertNotNull(refusal, bad);
                assertEquals(refusal, new SearchLanguage(bad).malformed(), "the same refusal without a database");
                assertTrue(refusal.contains("chat.search.language"), refusal);
            }
        }
    }

    @Test
    void anIndexServesOnlyItsOwnLanguage() throws SQLException {
        pg.psql("postgres", "CREATE DATABASE " + db + " OWNER " + LocalPostgres.USER);
        try (Connection c = connect(db)) {
            c.createStatement().execute("CREATE TABLE messages (body text, kind text)");
            assertFalse(new SearchLanguage("german").indexed(c), "no index yet");
            // As V40 writes it for chat.search.language=german.
            c.createStatement().execute("CREATE INDEX messages_search ON messages USING gin "
                    + "(to_tsvector('german'::regconfig, body)) WHERE kind IS NULL OR kind = 'edit'");
            assertTrue(new SearchLanguage("german").indexed(c));
            assertFalse(new SearchLanguage("english").indexed(c), "a german index does not serve english queries");
        }
    }

    /**
     * docs/operations.md, section 8: a database migrated in English is started in German (Flyway validates the
     * migrations it ran: the placeholder's new value is no checksum mismatch), the English index then serves no
     * German query (the warning), and the index the document builds does.
     */
    @Test
    void aMigratedDatabaseTakesANewLanguageOnceItsIndexIsBuilt() throws SQLException {
        pg.psql("postgres", "CREATE DATABASE " + db + " OWNER " + LocalPostgres.USER);
        migrate("english");
        migrate("german");
        try (Connection c = connect(db)) {
            assertTrue(new SearchLanguage("english").indexed(c), "V40 ran once, in English");
            assertFalse(new SearchLanguage("german").indexed(c), "nothing serves German yet: the warning at start");
            c.createStatement().execute("CREATE INDEX CONCURRENTLY messages_search_de ON messages USING gin "
                    + "(to_tsvector('german'::regconfig, body)) WHERE kind IS NULL OR kind = 'edit'");
            c.createStatement().execute("DROP INDEX CONCURRENTLY messages_search");
            assertTrue(new SearchLanguage("german").indexed(c));
            assertFalse(new SearchLanguage("english").indexed(c));
        }
        migrate("german"); // and the node starts again
    }

    /** The node's migration, as SchemaMigration runs it with chat.search.language = {@code language}. */
    private void migrate(String language) {
        Flyway.configure().dataSource("jdbc:postgresql://127.0.0.1:" + pg.port() + "/" + db, LocalPostgres.USER,
                pg.password()).locations("classpath:db/chat").table("flyway_history_chat").baselineOnMigrate(true)
                .baselineVersion("0").placeholders(Map.of("search_language", language)).load().migrate();
    }
}
