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
                + "ALTER TABLE accounts OWNER TO " + LocalPostgres.USER + "; " + SESSIONS + VIEWS);
    }

    /** user-service's sessions table, as chat-node reads it through its view revoked_sessions (id, revoked_at). */
    public static void ensureSessionsTable() {
        ensureTable();
    }

    private static final String SESSIONS = "CREATE TABLE IF NOT EXISTS sessions ("
            + "id uuid PRIMARY KEY, account_id bigint NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), "
            + "revoked_at timestamptz); ALTER TABLE sessions OWNER TO " + LocalPostgres.USER + "; ";
    /**
     * user-service's sessions table and the views its migration V10 gives chat-node, the node's only window on
     * accounts and sessions, for a database where user-service has not run (the accounts table must exist first):
     * run as the owner, as the packaged node's tests (dev.chat.node.it) do.
     */
    public static final String SESSIONS_AND_VIEWS = SESSIONS + views();
    private static final String VIEWS = views()
            + "ALTER VIEW account_names OWNER TO " + LocalPostgres.USER + "; "
            + "ALTER VIEW revoked_sessions OWNER TO " + LocalPostgres.USER + "; "
            + "GRANT SELECT ON account_names, revoked_sessions TO chat_node; "
            + "ALTER TABLE name_releases OWNER TO " + LocalPostgres.USER + "; "
            + "ALTER VIEW pending_name_releases OWNER TO " + LocalPostgres.USER + "; "
            + "GRANT SELECT, UPDATE (released_at) ON pending_name_releases TO chat_node";

    /**
     * The views as user-service's V10 and V12 define them (one copy here: both constants above use it), and V12's
     * table of pending name releases, which a deletion writes ({@link #delete}).
     */
    private static String views() {
        return "CREATE OR REPLACE VIEW account_names AS SELECT username, id FROM accounts; "
                + "CREATE OR REPLACE VIEW revoked_sessions AS SELECT id, revoked_at FROM sessions "
                + "WHERE revoked_at IS NOT NULL; "
                + "CREATE TABLE IF NOT EXISTS name_releases (account_id bigint PRIMARY KEY, username text NOT NULL, "
                + "deleted_at timestamptz NOT NULL DEFAULT now(), released_at timestamptz); "
                + "CREATE UNIQUE INDEX IF NOT EXISTS name_releases_pending ON name_releases (username) "
                + "WHERE released_at IS NULL; "
                + "CREATE OR REPLACE VIEW pending_name_releases AS SELECT account_id, username, released_at "
                + "FROM name_releases WHERE released_at IS NULL; ";
    }

    /** The id of {@code user}'s account. */
    public static long id(String user) {
        return Long.parseLong(LocalPostgres.shared().psql(LocalPostgres.DATABASE,
                "SELECT id FROM accounts WHERE username = '" + user + "'"));
    }

    /**
     * Deletes {@code user}'s account as user-service does (db/users V12, AccountSecurity.delete): its name's release
     * pending, the row renamed {@code ~deleted~ID}, its sessions revoked. Answers the account's id.
     */
    public static long delete(String user) {
        long id = id(user);
        LocalPostgres.shared().psql(LocalPostgres.DATABASE, "BEGIN; "
                + "INSERT INTO name_releases (account_id, username) VALUES (" + id + ", '" + user + "'); "
                + "UPDATE accounts SET username = '~deleted~' || id WHERE id = " + id + "; "
                + "UPDATE sessions SET revoked_at = now() WHERE account_id = " + id + " AND revoked_at IS NULL; "
                + "COMMIT");
        return id;
    }

    /** A new account named exactly {@code name} (a released name registered again); answers its id. */
    public static long createNamed(String name) {
        LocalPostgres.shared().psql(LocalPostgres.DATABASE,
                "INSERT INTO accounts (username, password_hash) VALUES ('" + name + "', 'x')");
        return id(name);
    }

    /** A token of {@code user}'s account {@code accountId} (its sub claim) in {@code session}, as user-service issues. */
    public static String token(String user, long accountId, String session) {
        return Jwt.upn(user).subject(Long.toString(accountId)).issuer("chat").groups("user").claim("sid", session)
                .expiresIn(600).sign();
    }

    /**
     * The account columns of a profile and user-service's view {@code profile_changes} (its V11) on the shared
     * cluster, for a test of the {@code profile} notices; the table must exist first ({@link #ensureTable()}).
     */
    public static void ensureProfiles() {
        LocalPostgres.shared().psql(LocalPostgres.DATABASE, "ALTER TABLE accounts ADD COLUMN IF NOT EXISTS deleted_at "
                + "timestamptz, ADD COLUMN IF NOT EXISTS display_name text, ADD COLUMN IF NOT EXISTS avatar bytea, "
                + "ADD COLUMN IF NOT EXISTS avatar_version integer NOT NULL DEFAULT 0, "
                + "ADD COLUMN IF NOT EXISTS profile_changed_at timestamptz; "
                + "CREATE OR REPLACE VIEW profile_changes AS SELECT username, display_name, "
                + "CASE WHEN avatar IS NOT NULL THEN avatar_version END AS avatar_version, profile_changed_at AS changed_at "
                + "FROM accounts WHERE deleted_at IS NULL AND profile_changed_at IS NOT NULL; "
                + "ALTER VIEW profile_changes OWNER TO " + LocalPostgres.USER + "; "
                + "GRANT SELECT ON profile_changes TO chat_node");
    }

    /** Sets {@code user}'s display name as user-service does (the change stamped). */
    public static void rename(String user, String displayName) {
        LocalPostgres.shared().psql(LocalPostgres.DATABASE, "UPDATE accounts SET display_name = '" + displayName
                + "', profile_changed_at = now() WHERE username = '" + user + "'");
    }

    /** A new session of {@code user}'s account; answers its id. */
    public static String session(String user) {
        String id = UUID.randomUUID().toString();
        LocalPostgres.shared().psql(LocalPostgres.DATABASE, "INSERT INTO sessions (id, account_id) SELECT '" + id
                + "', id FROM accounts WHERE username = '" + user + "'");
        return id;
    }

    /** Revokes a session, as user-service's logout does. */
    public static void revoke(String session) {
        LocalPostgres.shared().psql(LocalPostgres.DATABASE,
                "UPDATE sessions SET revoked_at = now() WHERE id = '" + session + "'");
    }

    /** A token of {@code user} in {@code session} (its sid claim), as user-service issues them. */
    public static String token(String user, String session) {
        return Jwt.upn(user).issuer("chat").groups("user").claim("sid", session).expiresIn(600).sign();
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
