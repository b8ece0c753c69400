package dev.chat.system;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The whole local stack (PostgreSQL, Redis, user-service, presence-service, three chat nodes, HAProxy)
 * started by {@code scripts/up} on a free port base of its own, with its run dir under
 * {@code system-tests/target}, and stopped by {@code scripts/down}. Tests reach the system through
 * {@link #baseUrl()} and {@link #wsUrl()} only; the rest (PIDs, logs, ports, secrets) is for chaos and for
 * failure messages.
 *
 * <p>Components are named as in the scripts: {@code postgres, redis, user-service, presence-service,
 * chat-node-1, chat-node-2, chat-node-3, haproxy}. The stack's processes are not children of this JVM: they
 * are tracked by the PIDs the scripts record (with their start times, so a recycled PID is never taken for
 * them). Every wait here is bounded.
 */
public final class LocalStack implements AutoCloseable {
    public static final List<String> COMPONENTS = List.of("postgres", "redis", "user-service", "presence-service",
            "chat-node-1", "chat-node-2", "chat-node-3", "haproxy");
    public static final int CHAT_NODES = 3;

    /** Bound given to scripts/up for start-up and readiness (2 cores start five JVMs). */
    private static final int UP_TIMEOUT_SECONDS = 150;
    /** Bound on a whole script run, a margin above the script's own bounds. */
    private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(UP_TIMEOUT_SECONDS + 60);
    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(15);
    private static final int LOWEST_BASE = 20000;
    /**
     * The stack uses base..base+21 and the services' management ports base+31..base+43; bases step by 50 and stay
     * below the kernel's ephemeral ports (32768).
     */
    private static final int BASE_SPAN = 49;
    private static final int BASE_STEP = 50;
    private static final int BASE_SLOTS = (32768 - BASE_STEP - LOWEST_BASE) / BASE_STEP;
    private static final Set<Integer> BASES_IN_USE = Collections.synchronizedSet(new HashSet<>());

    private static LocalStack shared;

    private final Path root;
    private final Path runDir;
    private final int base;
    /** The environment every script of this stack runs with: {@link #SERVICE_ENV} and this stack's own settings. */
    private final Map<String, String> env;
    private boolean closed;

    private LocalStack(Path root, Path runDir, int base, Map<String, String> config) {
        this.root = root;
        this.runDir = runDir;
        this.base = base;
        Map<String, String> all = new java.util.HashMap<>(SERVICE_ENV);
        all.putAll(config);
        this.env = Map.copyOf(all);
    }

    /**
     * Starts a new stack and waits until it is ready (every service's readiness 200 and HAProxy seeing all its
     * servers UP). Fails with the scripts' output, which holds the failing component's log tail.
     */
    public static LocalStack start() {
        return start(Map.of());
    }

    /**
     * The same with settings of this stack's own for its services, as an operator gives them: environment variables
     * (e.g. {@code CHAT_CHANGES_WINDOW=20s} for {@code chat.changes.window}), which scripts/up passes on to every
     * service, also when it starts one again.
     */
    public static LocalStack start(Map<String, String> config) {
        Path root = projectRoot();
        Path target = root.resolve("system-tests").resolve("target");
        IllegalStateException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int base = reservePortBase(BASE_SPAN);
            Path runDir = target.resolve("stack-" + base + "-" + Long.toString(System.nanoTime() % 46656, 36));
            LocalStack stack = new LocalStack(root, runDir, base, config);
            try {
                Files.createDirectories(runDir);
                stack.script("up", "--no-install", "--no-build", "--port-base", Integer.toString(base),
                        "--run-dir", runDir.toString(), "--timeout", Integer.toString(UP_TIMEOUT_SECONDS));
                return stack;
            } catch (IOException e) {
                stack.closeQuietly(e);
                throw new IllegalStateException("could not create " + runDir, e);
            } catch (IllegalStateException e) {
                stack.closeQuietly(e);
                last = e;
                // Another process took one of the ports between our check and the start: try elsewhere.
                if (e.getMessage() == null || !e.getMessage().contains("is in use by")) {
                    throw e;
                }
            }
        }
        throw last;
    }

    /** One stack for the whole test JVM, started on first use and stopped when the JVM exits. */
    public static synchronized LocalStack shared() {
        if (shared == null || shared.closed) {
            shared = start();
            LocalStack s = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(s::close, "local-stack-down"));
        }
        return shared;
    }

    /** The repository root: system property {@code project.root} (set by the pom) or the folder holding mvnw. */
    public static Path projectRoot() {
        String prop = System.getProperty("project.root");
        if (prop != null && !prop.isBlank() && Files.isRegularFile(Path.of(prop, "scripts", "up"))) {
            return Path.of(prop).toAbsolutePath().normalize();
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("mvnw")) && Files.isRegularFile(p.resolve("scripts").resolve("up"))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find the repository root (no project.root property, no mvnw with"
                + " scripts/up above " + Path.of("").toAbsolutePath() + ")");
    }

    // ------------------------------------------------------------------ addresses

    /** The one entry point, e.g. {@code http://127.0.0.1:20000}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + base;
    }

    /** The chat socket through HAProxy, e.g. {@code ws://127.0.0.1:20000/ws/chat}. */
    public String wsUrl() {
        return "ws://127.0.0.1:" + base + "/ws/chat";
    }

    public int portBase() {
        return base;
    }

    /** HAProxy's HTTPS front end (same routes), e.g. {@code https://127.0.0.1:20003}; trust {@link #tlsCertificate()}. */
    public String httpsUrl() {
        return "https://127.0.0.1:" + (base + 3);
    }

    /** The self-signed certificate (PEM) HAProxy presents on {@link #httpsUrl()}: what a client trusts. */
    public Path tlsCertificate() {
        return runDir.resolve("secrets").resolve("tls-cert.pem");
    }

    /** HAProxy's stats front end: {@code /stats}, {@code /stats;csv}, {@code /metrics}, {@code /healthz}. */
    public String statsUrl() {
        return "http://127.0.0.1:" + (base + 4);
    }

    /** Direct port of chat node {@code i} (1..3), bypassing HAProxy. */
    public int nodePort(int i) {
        if (i < 1 || i > CHAT_NODES) {
            throw new IllegalArgumentException("chat nodes are numbered 1.." + CHAT_NODES + ", not " + i);
        }
        return base + 10 + i;
    }

    /** Direct URL of chat node {@code i} (1..3), bypassing HAProxy. */
    public String nodeUrl(int i) {
        return "http://127.0.0.1:" + nodePort(i);
    }

    /**
     * The management port of a component ({@code user-service}, {@code presence-service}, {@code chat-node-i}): its
     * health ({@code /q/health/ready}) and metrics ({@code /q/metrics}), which its public port does not serve.
     */
    public int managementPort(String name) {
        return switch (checkName(name)) {
            case "user-service" -> userServicePort() + 30;
            case "presence-service" -> presenceServicePort() + 30;
            case "chat-node-1", "chat-node-2", "chat-node-3" -> nodePort(name.charAt(name.length() - 1) - '0') + 30;
            default -> throw new IllegalArgumentException(name + " has no management interface");
        };
    }

    /** The management URL of a component (see {@link #managementPort}), e.g. {@code http://127.0.0.1:20041}. */
    public String managementUrl(String name) {
        return "http://127.0.0.1:" + managementPort(name);
    }

    public int userServicePort() {
        return base + 1;
    }

    public int presenceServicePort() {
        return base + 2;
    }

    public int redisPort() {
        return base + 20;
    }

    public int postgresPort() {
        return base + 21;
    }

    /** The component name of chat node {@code i}: {@code chat-node-i}. */
    public static String node(int i) {
        if (i < 1 || i > CHAT_NODES) {
            throw new IllegalArgumentException("chat nodes are numbered 1.." + CHAT_NODES + ", not " + i);
        }
        return "chat-node-" + i;
    }

    // ------------------------------------------------------------------ files

    public Path runDir() {
        return runDir;
    }

    public Path logFile(String name) {
        return runDir.resolve("logs").resolve(checkName(name) + ".log");
    }

    /**
     * HAProxy's admin socket, for drain procedures: in the short socket folder that scripts/up made for this run
     * dir and recorded in {@code RUN/sockdir} (a socket path under a long clone path would not fit).
     */
    public Path haproxySocket() {
        try {
            return Path.of(Files.readString(runDir.resolve("sockdir")).strip()).resolve("haproxy.sock");
        } catch (IOException e) {
            throw new IllegalStateException("no socket folder recorded in " + runDir.resolve("sockdir"), e);
        }
    }

    /** PEM of the key the services verify JWTs with (and user-service's signing key): for forging tokens. */
    public Path jwtPublicKey() {
        return runDir.resolve("secrets").resolve("jwt-public.pem");
    }

    public Path jwtPrivateKey() {
        return runDir.resolve("secrets").resolve("jwt-private.pem");
    }

    public String redisPassword() {
        return secret("redis-password");
    }

    /** Password of the PostgreSQL role {@code chat}, owner of database {@code chat}. */
    public String postgresPassword() {
        return secret("postgres-password");
    }

    private String secret(String file) {
        try {
            return Files.readString(runDir.resolve("secrets").resolve(file)).trim();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read secret " + file + " of " + runDir, e);
        }
    }

    /** The last {@code lines} lines of a component's log. */
    public String logTail(String name, int lines) {
        Path log = logFile(name);
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log " + log + ": " + e.getMessage() + ")";
        }
    }

    /** Each component's state and last log lines: for assertion messages when something goes wrong. */
    public String diagnostics() {
        StringBuilder sb = new StringBuilder("local stack in ").append(runDir).append(", port base ").append(base);
        for (String c : COMPONENTS) {
            sb.append("\n==== ").append(c).append(isRunning(c) ? " (running, pid " + pid(c) + ")" : " (not running)")
                    .append('\n').append(logTail(c, 25));
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------ processes

    /** PID of a running component; fails when it is not running. */
    public long pid(String name) {
        return runningPid(name).orElseThrow(() -> new IllegalStateException(name + " is not running in " + runDir));
    }

    public boolean isRunning(String name) {
        return runningPid(name).isPresent();
    }

    /** Kills a component with SIGKILL, as a crash would, and waits until it is gone. */
    public void kill9(String name) {
        long pid = pid(name);
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        Instant deadline = Instant.now().plus(KILL_TIMEOUT);
        while (alive(pid)) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException(name + " (pid " + pid + ") still runs " + KILL_TIMEOUT + " after kill -9");
            }
            pause(20);
        }
    }

    /**
     * Starts one stopped (or killed) component again on its usual port with the stack's secrets and waits until
     * it is ready and, for a service, until HAProxy routes to it again.
     */
    public void start(String name) {
        script("up", "--no-install", "--no-build", "--run-dir", runDir.toString(), "--only", checkName(name),
                "--timeout", Integer.toString(UP_TIMEOUT_SECONDS));
    }

    /** Stops one component gracefully (TERM, or PostgreSQL's fast shutdown) and waits until it is gone. */
    public void stop(String name) {
        script("down", "--run-dir", runDir.toString(), "--only", checkName(name));
    }

    /**
     * Runs one command of HAProxy's runtime API on its admin socket (e.g. {@code set server chat_nodes/node-1 state
     * maint}) and answers HAProxy's reply, trimmed: empty when a {@code set} command was taken.
     */
    public String haproxy(String command) {
        try (java.nio.channels.SocketChannel ch = java.nio.channels.SocketChannel.open(
                java.net.StandardProtocolFamily.UNIX)) {
            ch.connect(java.net.UnixDomainSocketAddress.of(haproxySocket()));
            ch.write(java.nio.ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.UTF_8)));
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(8192);
            StringBuilder out = new StringBuilder();
            while (ch.read(buf) > 0) {
                buf.flip();
                out.append(StandardCharsets.UTF_8.decode(buf));
                buf.clear();
            }
            return out.toString().trim();
        } catch (IOException e) {
            throw new IllegalStateException("cannot talk to HAProxy's admin socket " + haproxySocket(), e);
        }
    }

    /** Runs SQL in database {@code chat} as role {@code chat} and returns psql's unaligned output. */
    public String psql(String sql) {
        Path psql = postgresBin().resolve("psql");
        return run(List.of(psql.toString(), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
                "-p", Integer.toString(postgresPort()), "-U", "chat", "-d", "chat", "-c", sql),
                Map.of("PGPASSWORD", postgresPassword()), Duration.ofSeconds(30)).trim();
    }

    /**
     * Runs SQL in database {@code chat} as one of the services' runtime roles ({@code chat_users}, {@code chat_node},
     * {@code chat_presence}: deploy/postgres/roles.sql) with its password from the secrets; answers psql's exit
     * status and output (stderr included), for tests of what a role may not do.
     */
    public PsqlResult psqlAs(String role, String sql) {
        String secret = switch (role) {
            case "chat_users" -> "postgres-users-password";
            case "chat_node" -> "postgres-node-password";
            case "chat_presence" -> "postgres-presence-password";
            default -> throw new IllegalArgumentException("no such runtime role: " + role);
        };
        Path psql = postgresBin().resolve("psql");
        try {
            Path out = Files.createTempFile("psql-as", ".out");
            ProcessBuilder pb = new ProcessBuilder(psql.toString(), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                    "-h", "127.0.0.1", "-p", Integer.toString(postgresPort()), "-U", role, "-d", "chat", "-c", sql)
                    .redirectErrorStream(true).redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().put("PGPASSWORD", secret(secret));
            Process p = pb.start();
            if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("psql as " + role + " did not finish in 30 s");
            }
            String text = Files.readString(out);
            Files.deleteIfExists(out);
            return new PsqlResult(p.exitValue(), text.trim());
        } catch (IOException e) {
            throw new IllegalStateException("could not run psql", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A finished command: its exit status and output. */
    public record PsqlResult(int exit, String output) {
    }

    /** Runs one Redis command as user {@code chat} and returns redis-cli's raw output. */
    public String redisCli(String... args) {
        List<String> cmd = new ArrayList<>(List.of("redis-cli", "--no-auth-warning", "-h", "127.0.0.1", "-p",
                Integer.toString(redisPort()), "--user", "chat"));
        cmd.addAll(List.of(args));
        return run(cmd, Map.of("REDISCLI_AUTH", redisPassword()), Duration.ofSeconds(15));
    }

    /** Stops the whole stack (scripts/down) and deletes its data; logs stay in {@link #runDir()}. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            script("down", "--run-dir", runDir.toString(), "--purge");
        } finally {
            BASES_IN_USE.remove(base);
        }
    }

    // ------------------------------------------------------------------ internals

    /** scripts/up already stopped what it started when it failed; this only makes sure, keeping the first error. */
    private void closeQuietly(Exception cause) {
        try {
            close();
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    private Optional<Long> runningPid(String name) {
        Path pidFile = runDir.resolve("pids").resolve(checkName(name) + ".pid");
        Path startFile = runDir.resolve("pids").resolve(name + ".start");
        try {
            if (!Files.isRegularFile(pidFile)) {
                return Optional.empty();
            }
            long pid = Long.parseLong(Files.readString(pidFile).trim());
            String[] stat = procStat(pid);
            if (stat == null || isGone(stat)) {
                return Optional.empty();
            }
            if (Files.isRegularFile(startFile) && !Files.readString(startFile).trim().equals(stat[19])) {
                return Optional.empty(); // the PID now belongs to another process
            }
            return Optional.of(pid);
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Fields 3.. of /proc/PID/stat (state first, start time at index 19), or null when there is no such process. */
    private static String[] procStat(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * A zombie counts as gone: the stack's processes outlive the script that started them and nothing need reap
     * them (PID 1 of a container may not), so a killed one can linger as a zombie. ProcessHandle.isAlive would
     * call it alive.
     */
    private static boolean isGone(String[] stat) {
        return stat[0].equals("Z") || stat[0].equals("X");
    }

    private static boolean alive(long pid) {
        String[] stat = procStat(pid);
        return stat != null && !isGone(stat);
    }

    private static String checkName(String name) {
        if (!COMPONENTS.contains(name)) {
            throw new IllegalArgumentException("unknown component '" + name + "'; known: " + COMPONENTS);
        }
        return name;
    }

    /** Runs scripts/NAME with bash; fails with its whole output when it does not exit 0 in time. */
    private String script(String name, String... args) {
        List<String> cmd = new ArrayList<>(List.of("bash", root.resolve("scripts").resolve(name).toString()));
        cmd.addAll(List.of(args));
        return run(cmd, env, SCRIPT_TIMEOUT);
    }

    /**
     * What the test stack changes in the services' configuration (the services read it from the environment
     * scripts/up passes on): the per-user send limit, which the load tests here exceed on purpose and which
     * chat-node's own tests prove.
     */
    private static final Map<String, String> SERVICE_ENV = Map.of("CHAT_LIMITS_SENDS_PER_SECOND", "10000",
            "CHAT_LIMITS_SEND_BURST", "10000");

    private String run(List<String> cmd, Map<String, String> env, Duration timeout) {
        Path out = null;
        try {
            out = Files.createTempFile("local-stack", ".out");
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(root.toFile()).redirectErrorStream(true)
                    .redirectOutput(out.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            ScriptEnvironment.prepare(pb.environment());
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                // TERM lets scripts/up stop what it started; then make sure.
                p.destroy();
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
                throw new IllegalStateException("timed out after " + timeout + ": " + String.join(" ", cmd) + "\n"
                        + Files.readString(out));
            }
            String text = Files.readString(out);
            if (p.exitValue() != 0) {
                throw new IllegalStateException("exit " + p.exitValue() + " from " + String.join(" ", cmd) + ":\n" + text);
            }
            return text;
        } catch (IOException e) {
            throw new IllegalStateException("could not run " + cmd, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + cmd, e);
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException e) {
                    // a temp file; the OS cleans it
                }
            }
        }
    }

    private static Path postgresBin() {
        String env = System.getenv("PG_BIN");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        try (var versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            return versions.filter(v -> v.getFileName().toString().matches("\\d+"))
                    .max((a, b) -> Integer.compare(Integer.parseInt(a.getFileName().toString()),
                            Integer.parseInt(b.getFileName().toString())))
                    .map(v -> v.resolve("bin")).orElseThrow();
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("PostgreSQL is not installed: run scripts/install-deps", e);
        }
    }

    /** A base B with all of B..B+49 free on loopback, not handed out before in this JVM. */
    /**
     * A port base B with B..B+span free on loopback now, on the 50-port grid between 20000 and 32767 (span at most
     * 49), that no other stack or script of this JVM holds: test classes run side by side (junit-platform.properties),
     * and a free port alone is free for another test too until something binds it. A stack's base is held until it
     * closes; a script's for the rest of the run (the grid has 254 bases; a run takes a few dozen).
     */
    static int reservePortBase(int span) {
        if (span < 0 || span >= BASE_STEP) {
            throw new IllegalArgumentException("span " + span + " does not fit the " + BASE_STEP + "-port grid");
        }
        int first = ThreadLocalRandom.current().nextInt(BASE_SLOTS);
        for (int i = 0; i < BASE_SLOTS; i++) {
            int base = LOWEST_BASE + ((first + i) % BASE_SLOTS) * BASE_STEP;
            if (!BASES_IN_USE.contains(base) && allFree(base, base + span) && BASES_IN_USE.add(base)) {
                return base;
            }
        }
        throw new IllegalStateException("no free block of " + (span + 1) + " loopback ports between " + LOWEST_BASE
                + " and 32767");
    }

    private static boolean allFree(int from, int to) {
        for (int port = from; port <= to; port++) {
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                // bound and released: free
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "LocalStack[" + baseUrl() + ", " + runDir + "]";
    }
}
