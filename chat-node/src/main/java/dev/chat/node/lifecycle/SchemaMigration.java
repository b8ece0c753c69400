package dev.chat.node.lifecycle;

import java.sql.Connection;
import java.sql.SQLException;

import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.jboss.logging.Logger;

import dev.chat.node.config.NodeConfig;
import dev.chat.node.delivery.PendingKeeper;
import dev.chat.node.history.SearchIndexer;
import dev.chat.node.history.SearchLanguage;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * Migrates the node's tables, retrying a few times: several chat nodes start at once against one database, and
 * Flyway's baseline of a shared schema is not protected by its lock (two nodes can both find the history table
 * missing; the second then fails on the empty table the first created). A retry finds the table complete.
 *
 * <p>By default the migration runs beside the rest of the start-up, and the node is not ready until it is done
 * ({@link NodeReadiness}); a node whose migration fails for good exits, as it would had it failed to start.
 *
 * <p>Before migrating, the search language ({@link SearchLanguage}) is checked against the database: a name
 * PostgreSQL has no text-search configuration of stops the node at once (no retries: it will not change), with a
 * message naming {@code chat.search.language}. Once migrated, the pending keeper ({@link PendingKeeper}) starts, and
 * search's indexer ({@link SearchIndexer}): it
 * builds its index again by itself when the language changed (docs/operations.md, changing the language).
 */
@Singleton
public class SchemaMigration {
    private static final Logger LOG = Logger.getLogger(SchemaMigration.class);
    private static final int ATTEMPTS = 6;

    private final SearchLanguage language;
    private final SearchIndexer indexer;
    private final PendingKeeper keeper;
    private volatile boolean done;

    SchemaMigration(SearchLanguage language, SearchIndexer indexer, PendingKeeper keeper) {
        this.language = language;
        this.indexer = indexer;
        this.keeper = keeper;
    }

    void migrate(@Observes @Priority(1) StartupEvent event, Flyway flyway, NodeConfig config) {
        // A malformed name needs no database to be refused: before anything else, in the foreground.
        String malformed = language.malformed();
        if (malformed != null) {
            throw new IllegalStateException(malformed);
        }
        if (!config.migrateInBackground()) {
            migrateWithRetries(flyway);
            return;
        }
        Infrastructure.getDefaultWorkerPool().execute(() -> {
            try {
                migrateWithRetries(flyway);
            } catch (RuntimeException e) {
                LOG.errorf(e, "schema migration failed; the node stops");
                Quarkus.asyncExit(1);
            }
        });
    }

    private void migrateWithRetries(Flyway flyway) {
        for (int attempt = 1;; attempt++) {
            try {
                checkLanguage(flyway);
                flyway.migrate();
                done = true;
                indexer.start();
                keeper.start();
                return;
            } catch (FlywayException e) {
                if (attempt == ATTEMPTS) {
                    throw e;
                }
                LOG.warnf("schema migration attempt %d failed (%s); retrying", attempt, e.getMessage());
                try {
                    Thread.sleep(250L * attempt);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /**
     * Refuses a search language the database does not know. A database that does not answer is a FlywayException,
     * retried as one.
     */
    private void checkLanguage(Flyway flyway) {
        try (Connection c = flyway.getConfiguration().getDataSource().getConnection()) {
            String refusal = language.refusal(c);
            if (refusal != null) {
                throw new IllegalStateException(refusal);
            }
        } catch (SQLException e) {
            throw new FlywayException("could not check chat.search.language: " + e.getMessage(), e);
        }
    }

    /** The tables are as this node expects them. */
    public boolean isDone() {
        return done;
    }
}
