package dev.chat.node.node;

import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;

/**
 * Migrates the node's tables before it serves anything, retrying a few times: several chat nodes start at
 * once against one database, and Flyway's baseline of a shared schema is not protected by its lock (two nodes
 * can both find the history table missing; the second then fails on the empty table the first created).
 * A retry finds the table complete.
 */
@Singleton
public class SchemaMigration {
    private static final Logger LOG = Logger.getLogger(SchemaMigration.class);
    private static final int ATTEMPTS = 6;

    void migrate(@Observes @Priority(1) StartupEvent event, Flyway flyway) {
        for (int attempt = 1;; attempt++) {
            try {
                flyway.migrate();
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
}
