package dev.chat.node;

import java.util.UUID;

import dev.chat.testing.LocalPostgres;
import io.smallrye.jwt.build.Jwt;

/** Accounts for chat-node tests: user-service owns the table; the node only reads it. */
public final class TestAccounts {
    private TestAccounts() {
    }

    public static void ensureTable() {
        ensureTable(LocalPostgres.shared());
    }

    /** The same on a cluster of a test class's own. */
    public static void ensureTable(LocalPostgres pg) {
        pg.psql(LocalPostgres.DATABASE, "CREATE TABLE IF NOT EXISTS accounts ("
                + "id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, username text NOT NULL UNIQUE, "
                + "password_hash text NOT NULL, created_at timestamptz NOT NULL DEFAULT now()); "
                + "ALTER TABLE accounts OWNER TO " + LocalPostgres.USER);
    }

    /** A new account named {@code prefix_<random>}. */
    public static String create(String prefix) {
        return create(LocalPostgres.shared(), prefix);
    }

    public static String create(LocalPostgres pg, String prefix) {
        String name = prefix + "_" + UUID.randomUUID().toString().substring(0, 8);
        pg.psql(LocalPostgres.DATABASE,
                "INSERT INTO accounts (username, password_hash) VALUES ('" + name + "', 'x')");
        return name;
    }

    public static String token(String user) {
        return Jwt.upn(user).issuer("chat").groups("user").expiresIn(600).sign();
    }
}
