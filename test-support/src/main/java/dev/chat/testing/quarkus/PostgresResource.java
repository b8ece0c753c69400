package dev.chat.testing.quarkus;

import java.util.Map;

import dev.chat.testing.LocalPostgres;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** Points a service's default datasource (reactive and JDBC for Flyway) at the shared test cluster. */
public class PostgresResource implements QuarkusTestResourceLifecycleManager {
    @Override
    public Map<String, String> start() {
        return datasource(LocalPostgres.shared());
    }

    /** The default datasource's settings for a cluster. */
    static Map<String, String> datasource(LocalPostgres pg) {
        return Map.of(
                "quarkus.datasource.username", LocalPostgres.USER,
                "quarkus.datasource.password", pg.password(),
                "quarkus.datasource.reactive.url", pg.reactiveUrl(),
                "quarkus.datasource.jdbc.url", pg.jdbcUrl());
    }

    @Override
    public void stop() {
        // The cluster is shared by every test class of the JVM and removed by its shutdown hook.
    }
}
