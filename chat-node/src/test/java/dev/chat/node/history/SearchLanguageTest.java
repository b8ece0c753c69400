package dev.chat.node.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * and a migrated database is started in another language as docs/operations.md describes.
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

    /**
     * docs/operations.md, section 8: a database migrated in English is started in German (Flyway validates the
     * migrations it ran: the placeholder's new value is no checksum mismatch). No index of messages names a language
     * any more (V60 dropped V40's): the indexer's own table records it, and rebuilds in a new one
     * ({@code SearchIndexTest.aChangeOfLanguageRebuildsTheIndex}).
     */
    @Test
    void aMigratedDatabaseTakesANewLanguage() throws SQLException {
        pg.psql("postgres", "CREATE DATABASE " + db + " OWNER " + LocalPostgres.USER);
        migrate("english");
        migrate("german");
        try (Connection c = connect(db); var rs = c.createStatement().executeQuery(
                "SELECT count(*) FROM pg_indexes WHERE tablename = 'messages' AND indexdef LIKE '%to_tsvector%'")) {
            rs.next();
            assertEquals(0, rs.getLong(1), "no index of messages is on a language");
        }
    }

    /** The node's migration, as SchemaMigration runs it with chat.search.language = {@code language}. */
    private void migrate(String language) {
        Flyway.configure().dataSource("jdbc:postgresql://127.0.0.1:" + pg.port() + "/" + db, LocalPostgres.USER,
                pg.password()).locations("classpath:db/chat").table("flyway_history_chat").baselineOnMigrate(true)
                .baselineVersion("0").placeholders(Map.of("search_language", language)).load().migrate();
    }
}
