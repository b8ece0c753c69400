package dev.chat.users;

import java.util.Map;

import dev.chat.testing.quarkus.PostgresResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * PostgreSQL for the integration tests: the server CI provides when CHAT_IT_PG_URL (host:port/database),
 * CHAT_IT_PG_USER and CHAT_IT_PG_PASSWORD are set (a service container next to the native binary),
 * otherwise the tests' own loopback cluster, as for every other test.
 */
public class ItPostgres implements QuarkusTestResourceLifecycleManager {
    private final PostgresResource local = new PostgresResource();

    @Override
    public Map<String, String> start() {
        String url = System.getenv("CHAT_IT_PG_URL");
        if (url == null || url.isBlank()) {
            return local.start();
        }
        return Map.of(
                "quarkus.datasource.username", System.getenv().getOrDefault("CHAT_IT_PG_USER", "chat"),
                "quarkus.datasource.password", System.getenv().getOrDefault("CHAT_IT_PG_PASSWORD", ""),
                "quarkus.datasource.reactive.url", "postgresql://" + url,
                "quarkus.datasource.jdbc.url", "jdbc:postgresql://" + url);
    }

    @Override
    public void stop() {
    }
}
