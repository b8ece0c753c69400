package dev.chat.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * A real redis-server on loopback, in a throwaway directory, with the services' ACL user and its rules
 * ({@link RedisAcl}) and no default user, as the local stack runs it; {@link #cli} logs in as the tests' own
 * {@code admin} user. One per JVM is enough for a module's tests: {@link #shared()}.
 */
public final class LocalRedis implements AutoCloseable {
    public static final String USER = "chat";

    private static LocalRedis shared;

    private final Path dir;
    private final int port;
    private final String password = UUID.randomUUID().toString();
    private LocalProcess process;

    private LocalRedis(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    public static synchronized LocalRedis shared() {
        if (shared == null) {
            shared = start();
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "delete-redis"));
        }
        return shared;
    }

    public static LocalRedis start() {
        try {
            LocalRedis r = new LocalRedis(Files.createTempDirectory("redis-test"), FreePort.pick());
            Files.writeString(r.dir.resolve("redis.conf"), String.join("\n",
                    "bind 127.0.0.1",
                    "port " + r.port,
                    "dir " + r.dir,
                    "save \"\"",
                    "appendonly no",
                    "user default off",
                    "user " + USER + " on >" + r.password + " " + RedisAcl.service(),
                    "user " + RedisAcl.ADMIN + " on >" + r.password + " ~* &* +@all",
                    ""));
            r.startProcess();
            return r;
        } catch (IOException e) {
            throw new IllegalStateException("could not prepare redis", e);
        }
    }

    private void startProcess() {
        process = LocalProcess.start("redis-server:" + port,
                List.of(Binaries.find("redis-server"), dir.resolve("redis.conf").toString()),
                dir.resolve("redis.log"));
        process.awaitReady(Duration.ofSeconds(20), this::answersPing);
    }

    /** Kills the server hard, as a crash would. */
    public void kill() {
        LocalProcess.run(Duration.ofSeconds(5), List.of("kill", "-9", Long.toString(process.pid())));
        process.close();
    }

    /** SIGSTOP: the server keeps its connections and answers nothing until {@link #thaw()}. */
    public void freeze() {
        process.freeze();
    }

    /** SIGCONT after {@link #freeze()}. */
    public void thaw() {
        process.thaw();
    }

    /** Starts the server again on the same port after {@link #kill()}. */
    public void restart() {
        if (process.isAlive()) {
            kill();
        }
        startProcess();
    }

    public boolean answersPing() {
        try {
            return cli("PING").trim().equals("PONG");
        } catch (IllegalStateException e) {
            return false;
        }
    }

    /** Runs one command through redis-cli and returns its raw output. */
    public String cli(String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of(Binaries.find("redis-cli"), "--no-auth-warning",
                "-h", "127.0.0.1", "-p", Integer.toString(port), "--user", RedisAcl.ADMIN, "--pass", password));
        cmd.addAll(List.of(args));
        return LocalProcess.run(Duration.ofSeconds(10), cmd);
    }

    public int port() {
        return port;
    }

    public String password() {
        return password;
    }

    /** The URL form Quarkus' redis-client takes. */
    public String url() {
        return "redis://" + USER + ":" + password + "@127.0.0.1:" + port;
    }

    /** The same for the tests' own {@code admin} user, allowed everything. */
    public String adminUrl() {
        return "redis://" + RedisAcl.ADMIN + ":" + password + "@127.0.0.1:" + port;
    }

    @Override
    public void close() {
        if (process != null) {
            process.close();
        }
        LocalProcess.deleteTree(dir);
    }
}
