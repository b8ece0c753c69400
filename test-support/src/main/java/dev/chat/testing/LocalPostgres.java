package dev.chat.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A real PostgreSQL cluster on loopback in a throwaway directory, with database {@code chat} owned by a
 * password-authenticated role {@code chat}, and the services' runtime roles beside it (no privileges but those
 * their migrations grant). PostgreSQL refuses to run as root, so as root the cluster
 * belongs to the {@code postgres} system user and every command runs through {@code setpriv}.
 */
public final class LocalPostgres implements AutoCloseable {
    public static final String DATABASE = "chat";
    public static final String USER = "chat";
    /** user-service's, chat-node's and presence-service's roles at run time; {@link #USER} owns the tables. */
    public static final java.util.List<String> RUNTIME_ROLES = java.util.List.of("chat_users", "chat_node", "chat_presence");

    private static LocalPostgres shared;

    private final Path dir;
    private final int port;
    private final String password = UUID.randomUUID().toString();
    private final String superPassword = UUID.randomUUID().toString();
    private LocalProcess process;

    private LocalPostgres(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    public static synchronized LocalPostgres shared() {
        if (shared == null) {
            shared = start();
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "delete-postgres"));
        }
        return shared;
    }

    public static LocalPostgres start() {
        try {
            Path dir = Files.createTempDirectory("pg-test",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
            LocalPostgres pg = new LocalPostgres(dir, FreePort.pick());
            pg.init();
            pg.startProcess();
            pg.psql("postgres", "CREATE ROLE " + USER + " LOGIN PASSWORD '" + pg.password + "'");
            // The services' runtime roles (deploy/postgres/roles.sql), which their migrations grant to; they log in
            // with the same password, for tests that look at what a role may do.
            for (String role : RUNTIME_ROLES) {
                pg.psql("postgres", "CREATE ROLE " + role + " LOGIN PASSWORD '" + pg.password + "'");
            }
            pg.psql("postgres", "CREATE DATABASE " + DATABASE + " OWNER " + USER);
            return pg;
        } catch (IOException e) {
            throw new IllegalStateException("could not prepare postgres", e);
        }
    }

    private void init() throws IOException {
        Files.createDirectories(dir.resolve("data"));
        Files.writeString(dir.resolve("pwfile"), superPassword + "\n");
        if (isRoot()) {
            LocalProcess.run(Duration.ofSeconds(10), List.of("chown", "-R", "postgres:postgres", dir.toString()));
        }
        LocalProcess.run(Duration.ofSeconds(120), asOwner(List.of(bin("initdb"), "-D", dir.resolve("data").toString(),
                "-U", "postgres", "--pwfile=" + dir.resolve("pwfile"), "--auth=scram-sha-256",
                "--encoding=UTF8", "--locale=C")));
    }

    private void startProcess() {
        process = LocalProcess.start("postgres:" + port, asOwner(List.of(bin("postgres"),
                "-D", dir.resolve("data").toString(), "-p", Integer.toString(port),
                // TCP only: a unix socket under a long clone path would exceed the 107-byte limit, and nothing uses one.
                "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=",
                // Tests trade crash-safety of the throwaway cluster for speed; the local stack keeps fsync on.
                "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
                "-c", "max_connections=200")), dir.resolve("postgres.log"));
        process.awaitReady(Duration.ofSeconds(60), this::isReady);
    }

    private boolean isReady() {
        try {
            LocalProcess.run(Duration.ofSeconds(5), List.of(bin("pg_isready"), "-h", "127.0.0.1", "-p",
                    Integer.toString(port)));
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }

    /** Runs SQL as the superuser; for test setup and for looking behind the services' backs. */
    public String psql(String database, String sql) {
        List<String> cmd = new ArrayList<>(List.of("env", "PGPASSWORD=" + superPassword, bin("psql"), "-X", "-q",
                "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", Integer.toString(port), "-U",
                "postgres", "-d", database, "-c", sql));
        return LocalProcess.run(Duration.ofSeconds(30), cmd).trim();
    }

    /** Stops the server (SIGTERM, then SIGKILL after a grace period). */
    public void stop() {
        process.close();
    }

    /**
     * SIGSTOP to the postmaster and every backend: open connections stay open and unanswered, new ones are
     * accepted by the kernel and never served, until {@link #thaw()}.
     */
    public void freeze() {
        process.freeze();
    }

    /** SIGCONT after {@link #freeze()}. */
    public void thaw() {
        process.thaw();
    }

    public void restart() {
        if (process.isAlive()) {
            stop();
        }
        startProcess();
    }

    public int port() {
        return port;
    }

    public String password() {
        return password;
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
    }

    public String reactiveUrl() {
        return "postgresql://127.0.0.1:" + port + "/" + DATABASE;
    }

    @Override
    public void close() {
        if (process != null) {
            process.close();
        }
        LocalProcess.deleteTree(dir);
    }

    private static String bin(String name) {
        return Binaries.postgresBin().resolve(name).toString();
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static List<String> asOwner(List<String> command) {
        if (!isRoot()) {
            return command;
        }
        // setpriv execs in place (no fork), so the PID we hold is the server's own and a stop reaches it.
        List<String> wrapped = new ArrayList<>(List.of("setpriv", "--reuid=postgres", "--regid=postgres",
                "--init-groups", "--"));
        wrapped.addAll(command);
        return wrapped;
    }
}
