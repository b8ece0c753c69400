package dev.chat.node.lifecycle;

import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.jboss.logging.Logger;

import dev.chat.node.config.NodeConfig;
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
 */
@Singleton
public class SchemaMigration {
    private static final Logger LOG = Logger.getLogger(SchemaMigration.class);
    private static final int ATTEMPTS = 6;

    private volatile boolean done;

    void migrate(@Observes @Priority(1) StartupEvent event, Flyway flyway, NodeConfig config) {
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
                flyway.migrate();
                done = true;
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

    /** The tables are as this node expects them. */
    public boolean isDone() {
        return done;
    }
}
