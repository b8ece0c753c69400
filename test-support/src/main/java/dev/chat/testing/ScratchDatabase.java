package dev.chat.testing;

import java.util.UUID;

/**
 * A database of its own on the shared local PostgreSQL ({@link LocalPostgres#shared()}), for a migration's test: the
 * versions before the migration, rows as they made them, then the migration, checked on what it left. Created empty
 * and owned by {@link LocalPostgres#USER}, as each service's owner role owns its schema; gone after {@link #close()}.
 * The test runs Flyway itself (its locations, history table and placeholders are the service's own) on
 * {@link #jdbcUrl()} as {@link #user()}.
 */
public final class ScratchDatabase implements AutoCloseable {
    private final LocalPostgres pg;
    private final String name;

    private ScratchDatabase(LocalPostgres pg, String name) {
        this.pg = pg;
        this.name = name;
    }

    /** A new empty database named {@code prefix_} and twelve random hex digits, so that tests never share one. */
    public static ScratchDatabase create(String prefix) {
        LocalPostgres pg = LocalPostgres.shared();
        String name = prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        pg.psql("postgres", "CREATE DATABASE " + name + " OWNER " + LocalPostgres.USER);
        return new ScratchDatabase(pg, name);
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + pg.port() + "/" + name;
    }

    public String user() {
        return LocalPostgres.USER;
    }

    public String password() {
        return pg.password();
    }

    /** Runs {@code statement} in this database as {@link LocalPostgres#psql} does, and answers what it printed. */
    public String sql(String statement) {
        return pg.psql(name, statement);
    }

    /** Drops the database (and with it whatever the test left). */
    @Override
    public void close() {
        pg.psql("postgres", "DROP DATABASE IF EXISTS " + name);
    }
}
