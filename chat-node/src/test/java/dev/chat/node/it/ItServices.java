package dev.chat.node.it;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

import dev.chat.testing.LocalPostgres;
import dev.chat.testing.LocalRedis;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * PostgreSQL and Redis for the integration tests: the servers CI provides when CHAT_IT_PG_URL
 * (host:port/database), CHAT_IT_PG_USER, CHAT_IT_PG_PASSWORD and CHAT_IT_REDIS_URL are set (service
 * containers next to the native binary), otherwise the tests' own loopback servers. Also creates the
 * {@code accounts} table that user-service owns (same DDL as user-service's V1), its sessions table and the two views
 * the node reads them through (user-service's V10).
 */
public class ItServices implements QuarkusTestResourceLifecycleManager {
    static final String NODE_ID = "it-node";

    static boolean external() {
        String url = System.getenv("CHAT_IT_PG_URL");
        return url != null && !url.isBlank();
    }

    static String jdbcUrl() {
        return external() ? "jdbc:postgresql://" + System.getenv("CHAT_IT_PG_URL") : LocalPostgres.shared().jdbcUrl();
    }

    static String user() {
        return external() ? System.getenv().getOrDefault("CHAT_IT_PG_USER", "chat") : LocalPostgres.USER;
    }

    static String password() {
        return external() ? System.getenv().getOrDefault("CHAT_IT_PG_PASSWORD", "") : LocalPostgres.shared().password();
    }

    static String redisUrl() {
        String url = System.getenv("CHAT_IT_REDIS_URL");
        return url == null || url.isBlank() ? LocalRedis.shared().url() : url;
    }

    static Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), user(), password());
    }

    /** A new account, as user-service's signup leaves it (the node only checks that the name exists). */
    static void createAccount(String username) {
        try (Connection c = connect();
                PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO accounts (username, password_hash) VALUES (?, 'not-a-hash')")) {
            ps.setString(1, username);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("could not create account " + username, e);
        }
    }

    @Override
    public Map<String, String> start() {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS accounts ("
                    + "id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, username text NOT NULL, "
                    + "password_hash text NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), "
                    + "CONSTRAINT accounts_username_key UNIQUE (username))");
            s.execute(dev.chat.node.TestAccounts.SESSIONS_AND_VIEWS);
        } catch (SQLException e) {
            throw new IllegalStateException("could not prepare the accounts table at " + jdbcUrl(), e);
        }
        String reactive = jdbcUrl().substring("jdbc:".length());
        Map<String, String> config = new HashMap<>();
        config.put("quarkus.datasource.username", user());
        config.put("quarkus.datasource.password", password());
        config.put("quarkus.datasource.reactive.url", reactive);
        config.put("quarkus.datasource.jdbc.url", jdbcUrl());
        config.put("quarkus.redis.hosts", redisUrl());
        config.put("chat.node.id", NODE_ID);
        return config;
    }

    @Override
    public void stop() {
    }
}
