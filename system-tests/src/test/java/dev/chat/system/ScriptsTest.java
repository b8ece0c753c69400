package dev.chat.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.parallel.ResourceLock;

import dev.chat.testing.Poll;
import dev.chat.testing.SocketDirs;

/**
 * The operator scripts and local-stack tooling: their command lines, the configs they ship (HAProxy, compose,
 * keepalived), and one full start, crash, restart and stop of the local stack through {@link LocalStack}.
 */
@ResourceLock(Lanes.SHARED_STACK)
class ScriptsTest {
    private static final Path ROOT = LocalStack.projectRoot();
    private static final Path TARGET = ROOT.resolve("system-tests").resolve("target");

    record Result(int exit, String output) {
    }

    // ------------------------------------------------------------------ command lines

    @ParameterizedTest
    @ValueSource(strings = {"scripts/install-deps", "scripts/up", "scripts/down", "scripts/test",
            "scripts/compose-secrets", ".ci/run", "scripts/drill", "scripts/drain", "scripts/scale", "scripts/native-check",
            "scripts/check-packaging"})
    void everyScriptAnswersHelp(String script) {
        Result r = run(Map.of(), "bash", script, "--help");
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains("Usage:"), r.output());
    }

    @ParameterizedTest
    @ValueSource(strings = {"scripts/install-deps", "scripts/up", "scripts/down", "scripts/compose-secrets",
            "scripts/drill", "scripts/drain", "scripts/scale", "scripts/native-check", "scripts/check-packaging"})
    void anUnknownOptionFailsClearly(String script) {
        Result r = run(Map.of(), "bash", script, "--no-such-option");
        assertNotEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains("unknown option --no-such-option"), r.output());
    }

    @Test
    void theTestCommandHandsUnknownOptionsToMavenWhichRefusesThem() {
        Result r = run(Map.of(), "bash", "scripts/test", "--no-install", "--no-such-option");
        assertNotEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains("no-such-option"), r.output());
    }

    @Test
    void ciRunsTheTestCommand() throws IOException {
        String ci = Files.readString(ROOT.resolve(".ci/run"));
        assertTrue(ci.startsWith("#!/usr/bin/env bash"), ci);
        assertTrue(ci.contains("scripts/test"), ci);
    }

    @Test
    void badValuesAreRefusedWithAReason() {
        Result base = run(Map.of(), "bash", "scripts/up", "--port-base", "eighty");
        assertNotEquals(0, base.exit());
        assertTrue(base.output().contains("--port-base must be a number"), base.output());
        Result only = run(Map.of(), "bash", "scripts/up", "--only", "chat-node-9");
        assertNotEquals(0, only.exit());
        assertTrue(only.output().contains("unknown component 'chat-node-9'"), only.output());
        Result missing = run(Map.of(), "bash", "scripts/down", "--run-dir");
        assertNotEquals(0, missing.exit());
        assertTrue(missing.output().contains("--run-dir needs a value"), missing.output());
    }

    @Test
    void chaosWithHaNamesOnlyTheBadFaultAndNoShellError() {
        // scripts/chaos --ha lists the replicated stack's components before it knows its run dir: the scaled-node
        // lookup must not trip over the unset RUN (it printed "RUN: unbound variable" first).
        Result r = run(Map.of(), "bash", "scripts/chaos", "--ha", "--faults", "bogus");
        assertNotEquals(0, r.exit());
        assertTrue(r.output().contains("unknown fault 'bogus'"), r.output());
        assertFalse(r.output().contains("unbound variable"), r.output());
    }

    @Test
    void benchRefusesTopologyOptionsThatContradictEachOther() {
        Result both = run(Map.of(), "bash", "scripts/bench", "--compare-ha", "--ha");
        assertNotEquals(0, both.exit());
        assertTrue(both.output().contains("--compare-ha runs both topologies: it takes no --ha"), both.output());
        Result two = run(Map.of(), "bash", "scripts/bench", "--compare-ha", "--compare", "main");
        assertNotEquals(0, two.exit());
        assertTrue(two.output().contains("--compare and --compare-ha are one A/B each"), two.output());
        Result url = run(Map.of(), "bash", "scripts/bench", "--ha", "--url", "http://127.0.0.1:1");
        assertNotEquals(0, url.exit());
        assertTrue(url.output().contains("--ha is for the stack scripts/bench starts"), url.output());
    }

    @Test
    void benchTakesASidesOwnEnvironmentOnlyForAnAbAndOnlyAsVarIsValue() {
        Result alone = run(Map.of(), "bash", "scripts/bench", "--work-env", "CHAT_JAVA_OPTS=-Xmx1g");
        assertNotEquals(0, alone.exit());
        assertTrue(alone.output().contains("they need --compare or --compare-ha"), alone.output());
        Result shape = run(Map.of(), "bash", "scripts/bench", "--compare-ha", "--ref-env", "-Xmx1g");
        assertNotEquals(0, shape.exit());
        assertTrue(shape.output().contains("--ref-env takes VAR=VALUE, not '-Xmx1g'"), shape.output());
    }

    // ------------------------------------------------------------------ down

    @Test
    void drainKnowsTheNodesScaleAddedAndNoOthers() throws IOException {
        Path run = Files.createTempDirectory(mkTarget(), "drain-scaled-");
        Files.writeString(run.resolve("port-base"), "18000\n");
        Files.writeString(run.resolve("scaled-nodes"), "chat-node-4\n");
        // A recorded node is one of the stack's (this run dir has no HAProxy, so that is where it stops).
        Result added = run(Map.of(), "bash", "scripts/drain", "--run-dir", run.toString(), "chat-node-4");
        assertTrue(added.output().contains("no HAProxy admin socket"), added.output());
        Result other = run(Map.of(), "bash", "scripts/drain", "--run-dir", run.toString(), "chat-node-5");
        assertEquals(2, other.exit(), other.output());
        assertTrue(other.output().contains("'chat-node-5' is not a chat node of the stack"), other.output());
    }

    @Test
    void downIsHarmlessWhenNothingRuns() throws IOException {
        Path empty = Files.createTempDirectory(mkTarget(), "empty-run-");
        Result r = run(Map.of(), "bash", "scripts/down", "--run-dir", empty.toString());
        assertEquals(0, r.exit(), r.output());
        Result absent = run(Map.of(), "bash", "scripts/down", "--run-dir", empty.resolve("never-made").toString());
        assertEquals(0, absent.exit(), absent.output());
        assertFalse(Files.exists(empty.resolve("never-made")));
    }

    @Test
    @Timeout(60)
    void downSignalsOnlyTheProcessesItRecorded() throws Exception {
        Path run = Files.createTempDirectory(mkTarget(), "foreign-run-");
        Files.createDirectories(run.resolve("pids"));
        Process stranger = new ProcessBuilder("sleep", "300").start();
        try {
            // A pid file whose PID now belongs to another process (its start time differs): down must not touch it.
            Files.writeString(run.resolve("pids/redis.pid"), stranger.pid() + "\n");
            Files.writeString(run.resolve("pids/redis.start"), "1\n");
            Result r = run(Map.of(), "bash", "scripts/down", "--run-dir", run.toString());
            assertEquals(0, r.exit(), r.output());
            assertTrue(stranger.isAlive(), "scripts/down killed a process it did not start:\n" + r.output());
            assertFalse(Files.exists(run.resolve("pids/redis.pid")), "stale pid file left behind");
        } finally {
            stranger.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    // ------------------------------------------------------------------ up refuses loudly

    @Test
    @Timeout(120)
    void upFailsLoudlyWhenAPortIsTakenAndLeavesNothingRunning() throws Exception {
        int base = freeBase();
        Path run = Files.createTempDirectory(mkTarget(), "busy-run-");
        try (ServerSocket squatter = new ServerSocket(base + 1, 1, InetAddress.getLoopbackAddress())) {
            Result r = run(Map.of(), "bash", "scripts/up", "--no-install", "--no-build", "--port-base",
                    Integer.toString(base), "--run-dir", run.toString());
            assertNotEquals(0, r.exit(), r.output());
            assertTrue(r.output().contains("port " + (base + 1) + " (for user-service) is in use"), r.output());
        }
        try (var pids = Files.list(run.resolve("pids"))) {
            assertEquals(List.of(), pids.filter(p -> p.toString().endsWith(".pid")).toList());
        } catch (java.nio.file.NoSuchFileException e) {
            // nothing was started at all
        }
    }

    // ------------------------------------------------------------------ a long run dir

    /**
     * A clone (and so a run dir) can sit at any depth; unix socket paths cannot be longer than 107 bytes (97 in
     * HAProxy). scripts/up keeps its sockets in a short folder of its own, recorded in RUN/sockdir, and
     * scripts/down removes it: PostgreSQL, Redis and HAProxy start from a run dir of 200 characters, HAProxy's
     * admin socket answers, and nothing is left behind.
     */
    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void upAndDownWorkFromARunDirFarLongerThanASocketPath() throws Exception {
        int base = freeBase();
        Path run = Files.createTempDirectory(mkTarget(), "long-run-");
        while (run.toString().length() < 200) {
            run = run.resolve("a-folder-name-of-some-length");
        }
        String runDir = run.toString();
        Result up = run(Map.of(), "bash", "scripts/up", "--no-install", "--no-build", "--only",
                "postgres,redis,haproxy", "--port-base", Integer.toString(base), "--run-dir", runDir);
        Path sockets = null;
        try {
            assertEquals(0, up.exit(), up.output());
            sockets = Path.of(Files.readString(run.resolve("sockdir")).strip());
            assertTrue(sockets.toString().length() + "/proxy2/haproxy.sock".length() <= SocketDirs.HAPROXY_MAX_SOCKET_PATH,
                    "socket folder " + sockets + " is not short");
            String info = ShippedHaproxy.admin(sockets.resolve("haproxy.sock"), "show info");
            assertTrue(info.contains("Name: HAProxy"), info);
            assertTrue(up.output().contains(sockets.resolve("haproxy.sock").toString()), up.output());
            // The operator's drain script finds the socket through the run dir's record (and then refuses to
            // drain a node that this partial stack never started).
            Result drain = run(Map.of(), "bash", "scripts/drain", "--run-dir", runDir, "chat-node-3");
            assertNotEquals(0, drain.exit(), drain.output());
            assertTrue(drain.output().contains("chat-node-3 is not running"), drain.output());
        } finally {
            Result down = run(Map.of(), "bash", "scripts/down", "--run-dir", runDir, "--purge");
            assertEquals(0, down.exit(), down.output());
        }
        assertFalse(Files.exists(sockets), "scripts/down left the socket folder " + sockets);
        assertFalse(Files.exists(run.resolve("sockdir")), "scripts/down left the record of the socket folder");
        for (String c : List.of("postgres", "redis", "haproxy")) {
            assertFalse(Files.exists(run.resolve("pids").resolve(c + ".pid")), c + " still recorded as running");
        }
    }

    // ------------------------------------------------------------------ shipped configs

    /** The shipped haproxy.cfg's settings with sample values (ShippedHaproxy's, plus a node's own check port). */
    private static Map<String, String> haproxySampleEnv(Path socketDir) {
        Map<String, String> env = ShippedHaproxy.env(18080, 18084, socketDir.resolve("haproxy.sock"), "127.0.0.1:18081");
        env.put("CHAT_NODE_1_CHECK_PORT", "18121");
        return env;
    }

    /**
     * scripts/up decides from each service's build whether it answers health checks on a management port (today's
     * builds) or on its public port (a REF from before the management interface that scripts/bench --compare runs,
     * e.g. issue 16's a4b3dc2): from the application.properties packed in the application's jar.
     */
    @Test
    void upReadsFromEachBuildWhetherItHasAManagementInterface() throws IOException {
        Path builds = Files.createTempDirectory(mkTarget(), "builds");
        // Today's modules, as their build packs their configuration.
        for (String module : List.of("user-service", "presence-service", "chat-node")) {
            Path props = ROOT.resolve(module).resolve("src/main/resources/application.properties");
            Path app = fakeBuild(builds.resolve(module), Files.readString(props));
            assertEquals(0, hasManagement(app).exit(), module + " must keep its management interface");
        }
        // A build from before it (a4b3dc2's modules have no such entry), and the ways a build can say no or yes.
        assertEquals(1, hasManagement(fakeBuild(builds.resolve("old"), "quarkus.http.port=8080\n")).exit());
        assertEquals(1, hasManagement(fakeBuild(builds.resolve("off"), "quarkus.management.enabled=false\n")).exit());
        assertEquals(1, hasManagement(fakeBuild(builds.resolve("prod-off"),
                "quarkus.management.enabled=true\n%prod.quarkus.management.enabled=false\n")).exit());
        assertEquals(0, hasManagement(fakeBuild(builds.resolve("spaced"),
                "%test.quarkus.management.enabled=false\n  quarkus.management.enabled = TRUE\r\n")).exit());
        assertEquals(0, hasManagement(fakeBuild(builds.resolve("prod-on"), "%prod.quarkus.management.enabled: true\n")).exit());
        // No jar to read: a loud refusal, not a guessed port.
        Result none = hasManagement(Files.createDirectories(builds.resolve("empty")));
        assertNotEquals(0, none.exit(), none.output());
        assertTrue(none.output().contains("no single application jar"), none.output());
    }

    /**
     * scripts/up gives a service its runtime database role only when the builds' migrations grant it (today's
     * user-service V10 and chat-node V50); an old REF's services (before the runtime roles) log in as the owner.
     */
    @Test
    void upReadsFromTheBuildsMigrationsWhetherTheyGrantTheRuntimeRoles() throws IOException {
        Path builds = Files.createTempDirectory(mkTarget(), "migrations");
        Map<String, String> users = new HashMap<>();
        Map<String, String> node = new HashMap<>();
        try (var files = Files.list(ROOT.resolve("user-service/src/main/resources/db/users"))) {
            for (Path f : files.toList()) {
                users.put("db/users/" + f.getFileName(), Files.readString(f));
            }
        }
        try (var files = Files.list(ROOT.resolve("chat-node/src/main/resources/db/chat"))) {
            for (Path f : files.toList()) {
                node.put("db/chat/" + f.getFileName(), Files.readString(f));
            }
        }
        Path usersApp = fakeBuild(builds.resolve("users"), Map.of("application.properties", ""), users);
        Path nodeApp = fakeBuild(builds.resolve("node"), Map.of("application.properties", ""), node);
        for (String role : List.of("chat_users", "chat_node", "chat_presence")) {
            assertEquals(0, grants(role, usersApp, nodeApp).exit(), "today's migrations must grant " + role);
        }
        assertEquals(1, grants("chat_node", fakeBuild(builds.resolve("bare"), "")).exit());
        // Before the runtime roles: tables, and a comment naming a role, grant nothing.
        Path old = fakeBuild(builds.resolve("old"), Map.of("application.properties", ""),
                Map.of("db/users/V1__accounts.sql", "-- read by chat_users one day\nCREATE TABLE accounts (id bigint);\n"));
        assertEquals(1, grants("chat_users", old).exit());
        Result none = grants("chat_users", Files.createDirectories(builds.resolve("empty")));
        assertNotEquals(0, none.exit(), none.output());
        assertTrue(none.output().contains("no single application jar"), none.output());
    }

    private static Result grants(String role, Path... apps) {
        List<String> cmd = new ArrayList<>(List.of("bash", "-c",
                "source scripts/lib/common.sh && migrations_grant_role \"$@\"", "_", role));
        for (Path app : apps) {
            cmd.add(app.toString());
        }
        return run(Map.of(), cmd.toArray(String[]::new));
    }

    /** A quarkus-app folder under DIR whose application jar holds these application.properties. */
    private static Path fakeBuild(Path dir, String properties) throws IOException {
        return fakeBuild(dir, Map.of("application.properties", properties), Map.of());
    }

    /** A quarkus-app folder under DIR whose application jar holds these entries (name to text). */
    private static Path fakeBuild(Path dir, Map<String, String> entries, Map<String, String> more) throws IOException {
        Path app = Files.createDirectories(dir.resolve("quarkus-app"));
        Path jar = Files.createDirectories(app.resolve("app")).resolve("service-0.1.0-SNAPSHOT.jar");
        Map<String, String> all = new HashMap<>(entries);
        all.putAll(more);
        try (var zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(jar))) {
            for (Map.Entry<String, String> e : all.entrySet()) {
                zip.putNextEntry(new java.util.zip.ZipEntry(e.getKey()));
                zip.write(e.getValue().getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        }
        return app;
    }

    private static Result hasManagement(Path app) {
        return run(Map.of(), "bash", "-c", "source scripts/lib/common.sh && app_has_management_interface \"$1\"", "_",
                app.toString());
    }

    @Test
    void haproxyAcceptsItsConfigWithSampleValues() throws IOException {
        Path dir = SocketDirs.create("haproxy-check");
        Result ok = run(haproxySampleEnv(dir), ShippedHaproxy.binary(), "-c", "-f", "haproxy/haproxy.cfg");
        assertEquals(0, ok.exit(), ok.output());
        assertTrue(ok.output().contains("Configuration file is valid"), ok.output());
        // The addresses really come from the environment: without it the file does not parse.
        Result bare = run(Map.of(), ShippedHaproxy.binary(), "-c", "-f", "haproxy/haproxy.cfg");
        assertNotEquals(0, bare.exit(), bare.output());
    }

    @Test
    void haproxyRunStartsHaproxyWithTheScaledNodesAndRefusesAnythingElseInTheirFile() throws IOException {
        Path dir = SocketDirs.create("haproxy-run");
        Path scaled = dir.resolve("haproxy-scaled.cfg");
        String none = Files.readString(ROOT.resolve("haproxy/haproxy-scaled.cfg"));
        // No file (nothing added yet): made from the committed one, which names no node, so that a reload finds it.
        Result args = run(Map.of(), "bash", "scripts/lib/haproxy-run", scaled.toString(), "echo", "-c");
        assertEquals("-f " + scaled + " -c\n", args.output());
        assertEquals(none, Files.readString(scaled));
        Files.writeString(scaled, none + "    setenv CHAT_NODE_4_ADDR 127.0.0.1:18094\n    setenv CHAT_NODE_4_CHECK_PORT 18134\n");
        Result ok = run(haproxySampleEnv(dir), "bash", "scripts/lib/haproxy-run", scaled.toString(), ShippedHaproxy.binary(), "-c", "-f",
                "haproxy/haproxy.cfg");
        assertEquals(0, ok.exit(), ok.output());
        // haproxy.cfg makes a server of it: a bad address there is refused, and named.
        Files.writeString(scaled, "global\n    setenv CHAT_NODE_4_ADDR 127.0.0.1:99999\n");
        Result bad = run(haproxySampleEnv(dir), "bash", "scripts/lib/haproxy-run", scaled.toString(), ShippedHaproxy.binary(), "-c", "-f",
                "haproxy/haproxy.cfg");
        assertNotEquals(0, bad.exit(), bad.output());
        assertTrue(bad.output().contains("node-4"), bad.output());
        // The file is data: any other line is refused before anything runs.
        Files.writeString(scaled, "global\n    setenv CHAT_NODE_4_ADDR 127.0.0.1:18094\n    setenv LD_PRELOAD /tmp/x.so\n");
        Result refused = run(Map.of(), "bash", "scripts/lib/haproxy-run", scaled.toString(), "echo", "ran");
        assertEquals(1, refused.exit(), refused.output());
        assertTrue(refused.output().contains("line 3") && !refused.output().contains("ran\n"), refused.output());
        SocketDirs.delete(dir);
    }

    /**
     * A reload keeps the nodes scripts/scale added: HAProxy started as chat-haproxy.service starts it (master-worker,
     * through scripts/lib/haproxy-run here), the record written as scripts/scale writes it, then SIGUSR2 to the master
     * (the unit's ExecReload). A master-worker HAProxy keeps its start's environment across reloads, so a record read
     * only into the environment at start would be lost; a node taken out must leave with the next reload too.
     */
    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void aReloadKeepsTheNodesScaleAddedAndDropsTheOnesItTookOut() throws Exception {
        Path dir = SocketDirs.create("haproxy-reload");
        int base = ScriptRun.freePortBase(5);
        Files.writeString(dir.resolve("port-base"), base + "\n");
        Map<String, String> env = new HashMap<>(haproxySampleEnv(dir));
        env.putAll(Map.of("CHAT_FRONT_PORT", Integer.toString(base), "CHAT_STATS_PORT", Integer.toString(base + 4)));
        String record = "source scripts/lib/common.sh && set_run_dir \"$1\" && write_scaled_env && scaled_env_file";
        String file = run(Map.of(), "bash", "-c", record, "_", dir.toString()).output().strip();
        Path socket = dir.resolve("haproxy.sock");
        ProcessBuilder pb = new ProcessBuilder("bash", "scripts/lib/haproxy-run", file, ShippedHaproxy.binary(), "-W", "-db", "-f",
                "haproxy/haproxy.cfg").directory(ROOT.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("haproxy.log").toFile());
        ScriptEnvironment.prepare(pb.environment());
        pb.environment().putAll(env);
        Process master = pb.start();
        try {
            Poll.until(Duration.ofSeconds(20), () -> servers(socket), s -> s.contains("node-1"), s -> "HAProxy not up: " + s);
            assertFalse(servers(socket).contains("node-4"));

            Files.writeString(dir.resolve("scaled-nodes"), "chat-node-4\n");
            assertEquals(0, run(Map.of(), "bash", "-c", record, "_", dir.toString()).exit());
            assertEquals(0, run(Map.of(), "kill", "-USR2", Long.toString(master.pid())).exit());
            Poll.until(Duration.ofSeconds(20), () -> servers(socket), s -> s.contains("node-4"),
                    s -> "the reloaded HAProxy lacks node-4: " + s);

            Files.writeString(dir.resolve("scaled-nodes"), "");
            assertEquals(0, run(Map.of(), "bash", "-c", record, "_", dir.toString()).exit());
            assertEquals(0, run(Map.of(), "kill", "-USR2", Long.toString(master.pid())).exit());
            Poll.until(Duration.ofSeconds(20), () -> servers(socket), s -> s.contains("node-1") && !s.contains("node-4"),
                    s -> "the reloaded HAProxy still has node-4: " + s);
            assertTrue(master.isAlive(), Files.readString(dir.resolve("haproxy.log")));
        } finally {
            master.destroy();
            if (!master.waitFor(20, TimeUnit.SECONDS)) {
                master.destroyForcibly();
            }
            SocketDirs.delete(dir);
        }
    }

    /** The chat_nodes servers of the HAProxy on SOCKET ('show stat'), or why there are none. */
    private static List<String> servers(Path socket) {
        List<String> names = new ArrayList<>();
        try {
            for (String line : ShippedHaproxy.admin(socket, "show stat").split("\n")) {
                String[] f = line.split(",", -1);
                if (f.length > 1 && f[0].equals("chat_nodes") && !f[1].equals("BACKEND")) {
                    names.add(f[1]);
                }
            }
        } catch (UncheckedIOException e) {
            names.add("(no answer: " + e.getMessage() + ")");
        }
        return names;
    }

    @Test
    void haproxyConfigHasTheContractRoutesAndTimeouts() throws IOException {
        String cfg = Files.readString(ROOT.resolve("haproxy/haproxy.cfg"));
        for (String expected : List.of("path_beg /api/users", "path_beg /api/auth", "path_beg /api/presence",
                "balance leastconn", "option httpchk GET /q/health/ready", "http-check expect status 200",
                "inter 1s fall 2 rise 2", "timeout tunnel 1h", "timeout client-fin 10s", "hard-stop-after 30s",
                "option forwardfor", "prometheus-exporter", "level admin")) {
            assertTrue(cfg.contains(expected), "haproxy.cfg lacks '" + expected + "'");
        }
    }

    @Test
    void dockerComposeAcceptsItsFile() throws IOException {
        assumeTrue(onPath("docker-compose"), "docker-compose is not installed");
        Path dir = Files.createTempDirectory(mkTarget(), "compose-check-");
        Files.writeString(dir.resolve("jwt-private.pem"), "sample");
        Files.writeString(dir.resolve("jwt-public.pem"), "sample");
        Map<String, String> env = Map.of("CHAT_DB_PASSWORD", "sample-db", "CHAT_REDIS_PASSWORD", "sample-redis",
                "CHAT_DB_USERS_PASSWORD", "sample-users", "CHAT_DB_NODE_PASSWORD", "sample-node",
                "CHAT_DB_PRESENCE_PASSWORD", "sample-presence", "CHAT_PG_SUPERUSER_PASSWORD", "sample-super",
                "CHAT_JWT_PRIVATE_KEY", dir.resolve("jwt-private.pem").toString(),
                "CHAT_JWT_PUBLIC_KEY", dir.resolve("jwt-public.pem").toString());
        Result ok = run(env, "docker-compose", "-f", "docker-compose.yml", "config");
        assertEquals(0, ok.exit(), ok.output());
        for (String service : List.of("postgres", "redis", "user-service", "presence-service", "chat-node-1",
                "chat-node-2", "chat-node-3", "haproxy")) {
            assertTrue(ok.output().contains("\n  " + service + ":"), "no service " + service + ":\n" + ok.output());
        }
        // Without the generated secrets it refuses, and says how to make them.
        Result bare = run(Map.of(), "docker-compose", "-f", "docker-compose.yml", "config");
        assertNotEquals(0, bare.exit(), bare.output());
        assertTrue(bare.output().contains("scripts/compose-secrets"), bare.output());
    }

    @Test
    void keepalivedAcceptsTheSampleOnceItsScriptsAreInPlace() throws IOException {
        assumeTrue(onPath("keepalived") || Files.isExecutable(Path.of("/usr/sbin/keepalived")),
                "keepalived is not installed");
        // enable_script_security: keepalived only runs scripts no non-root user could change.
        assumeTrue("root".equals(System.getProperty("user.name")), "keepalived's script checks need root");
        Path dir = Files.createTempDirectory(mkTarget(), "keepalived-check-");
        String conf = Files.readString(ROOT.resolve("keepalived/keepalived.conf"))
                .replace("/etc/keepalived/chat/", ROOT.resolve("keepalived") + "/");
        Files.writeString(dir.resolve("keepalived.conf"), conf);
        Result r = run(Map.of(), keepalived(), "--config-test=" + dir.resolve("test.log"), "-f",
                dir.resolve("keepalived.conf").toString());
        String log = Files.exists(dir.resolve("test.log")) ? Files.readString(dir.resolve("test.log")) : "";
        assertEquals(0, r.exit(), r.output() + log);
    }

    @Test
    void keepalivedScriptsAnswerHelpAndLogTransitions() throws IOException {
        Result help = run(Map.of(), "bash", "keepalived/notify.sh", "--help");
        assertEquals(0, help.exit(), help.output());
        Path log = Files.createTempDirectory(mkTarget(), "notify-").resolve("transitions.log");
        Result r = run(Map.of("CHAT_KEEPALIVED_LOG", log.toString()), "bash", "keepalived/notify.sh", "INSTANCE",
                "chat_vip", "MASTER", "150");
        assertEquals(0, r.exit(), r.output());
        String line = Files.readString(log);
        assertTrue(line.matches("(?s)\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z .*INSTANCE chat_vip -> MASTER.*"), line);
        Result down = run(Map.of(), "bash", "keepalived/check_haproxy.sh", "http://127.0.0.1:1/healthz");
        assertNotEquals(0, down.exit(), "a dead HAProxy must fail the check");
    }

    // ------------------------------------------------------------------ the whole stack

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void upStartsTheStackAChatNodeSurvivesKill9AndDownStopsEverything() throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        List<Long> pids = new ArrayList<>();
        try (LocalStack stack = LocalStack.start()) {
            try {
                for (String c : LocalStack.COMPONENTS) {
                    pids.add(stack.pid(c));
                }
                // Every service is ready on its management port (its public port does not serve /q/), and HAProxy
                // routes to all of them.
                for (String c : List.of("user-service", "presence-service", "chat-node-1", "chat-node-2", "chat-node-3")) {
                    assertEquals(200, status(http, stack.managementUrl(c) + "/q/health/ready"), c);
                }
                assertEquals(404, status(http, stack.nodeUrl(1) + "/q/health/ready"), "the public port serves /q/");
                assertTrue(haproxyServers(http, stack).values().stream().allMatch("UP"::equals),
                        haproxyServers(http, stack).toString());
                assertNotEquals(503, status(http, stack.baseUrl() + "/"), "HAProxy has no chat node for /");
                assertEquals(200, status(http, stack.statsUrl() + "/metrics"));
                assertTrue(Files.exists(stack.haproxySocket()), "no admin socket");
                assertEquals("PONG", stack.redisCli("PING").trim());
                assertEquals("chat", stack.psql("SELECT current_user"));

                // A crash: HAProxy takes node-2 out; restarting it brings it back.
                stack.kill9("chat-node-2");
                assertFalse(stack.isRunning("chat-node-2"));
                awaitTrue(Duration.ofSeconds(15), () -> "DOWN".equals(haproxyServers(http, stack).get("node-2")),
                        "HAProxy did not mark node-2 DOWN");
                stack.start("chat-node-2");
                assertTrue(stack.isRunning("chat-node-2"));
                assertEquals("UP", haproxyServers(http, stack).get("node-2"));

                // A planned restart through the runtime API: drained, stopped, started, back in rotation.
                Result drain = run(Map.of(), "bash", "scripts/drain", "--run-dir", stack.runDir().toString(),
                        "--restart", "chat-node-1");
                assertEquals(0, drain.exit(), drain.output());
                assertEquals("UP", haproxyServers(http, stack).get("node-1"), "node-1 not back in rotation");
                pids.add(stack.pid("chat-node-1"));

                // A fourth node joins the running HAProxy (runtime API, no file edited) and the running Prometheus's
                // targets (scripts/monitoring; scripts/down stops both with the rest).
                Result monitoring = run(Map.of(), "bash", "scripts/monitoring", "start", "--run-dir", stack.runDir().toString());
                assertEquals(0, monitoring.exit(), monitoring.output());
                Result scale = run(Map.of(), "bash", "scripts/scale", "--run-dir", stack.runDir().toString(), "out");
                assertEquals(0, scale.exit(), scale.output());
                assertEquals("UP", haproxyServers(http, stack).get("node-4"), scale.output());
                String node4 = URLEncoder.encode("up{job=\"chat-node\",instance=\"127.0.0.1:" + (stack.portBase() + 44) + "\"}",
                        StandardCharsets.UTF_8);
                awaitTrue(Duration.ofSeconds(60), () -> body(http, "http://127.0.0.1:" + (stack.portBase() + 33)
                        + "/api/v1/query?query=" + node4).contains("\"1\"]"), "Prometheus scraping the added node-4");
                // (LocalStack knows the configuration's components only: the added node's pid from its file.)
                pids.add(Long.parseLong(Files.readString(stack.runDir().resolve("pids").resolve("chat-node-4.pid")).trim()));

                // HAProxy crashes and is started again: it routes to node-4 by itself (scripts/up starts it with the
                // nodes scripts/scale recorded), with no 'scripts/scale sync'. An added server alone would be gone.
                stack.kill9("haproxy");
                stack.start("haproxy");
                pids.add(stack.pid("haproxy"));
                awaitTrue(Duration.ofSeconds(30), () -> "UP".equals(haproxyServers(http, stack).get("node-4")),
                        "the restarted HAProxy routing to node-4 (it has: " + haproxyServers(http, stack) + ")");

                // Starting a component that runs is refused.
                IllegalStateException twice = org.junit.jupiter.api.Assertions.assertThrows(
                        IllegalStateException.class, () -> stack.start("redis"));
                assertTrue(twice.getMessage().contains("redis is already running"), twice.getMessage());
                pids.add(stack.pid("chat-node-2"));
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError(e.getMessage() + "\n" + stack.diagnostics(), e);
            }
        }
        for (long pid : pids) {
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && !zombie(pid),
                    "pid " + pid + " still runs after scripts/down");
        }
    }

    // ------------------------------------------------------------------ helpers

    private static int status(HttpClient http, String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            throw new IllegalStateException("GET " + url + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String body(HttpClient http, String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            return "(" + e + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** HAProxy's view of its servers: server name to status (UP, DOWN, ...), from the stats CSV. */
    private static Map<String, String> haproxyServers(HttpClient http, LocalStack stack) {
        try {
            String csv = http.send(HttpRequest.newBuilder(URI.create(stack.statsUrl() + "/stats;csv"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
            Map<String, String> servers = new HashMap<>();
            for (String line : csv.split("\n")) {
                String[] f = line.split(",", -1);
                if (line.startsWith("#") || f.length < 18 || f[1].equals("FRONTEND") || f[1].equals("BACKEND")) {
                    continue;
                }
                servers.put(f[1], f[17]);
            }
            return servers;
        } catch (IOException e) {
            throw new IllegalStateException("HAProxy stats unavailable", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void awaitTrue(Duration timeout, BooleanSupplier condition, String message) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError(message + " within " + timeout);
            }
            Thread.sleep(100);
        }
    }

    private static boolean zombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException e) {
            return true;
        }
    }

    private static int freeBase() {
        for (int base = 32700 - 22; base > 20000; base -= 37) {
            boolean free = true;
            for (int p = base; p <= base + 21 && free; p++) {
                try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getLoopbackAddress())) {
                    // free
                } catch (IOException e) {
                    free = false;
                }
            }
            if (free) {
                return base;
            }
        }
        throw new IllegalStateException("no free port block");
    }

    private static Path mkTarget() throws IOException {
        return Files.createDirectories(TARGET.resolve("scripts-test"));
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    private static String keepalived() {
        return onPath("keepalived") ? "keepalived" : "/usr/sbin/keepalived";
    }

    /** Runs a command from the repository root with extra environment; bounded at two minutes. */
    private static Result run(Map<String, String> env, String... cmd) {
        try {
            Path out = Files.createTempFile(mkTarget(), "cmd", ".out");
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true)
                    .redirectOutput(out.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            // The compose check must not see values from the caller's environment.
            ScriptEnvironment.prepare(pb.environment());
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(2, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + String.join(" ", cmd) + "\n" + Files.readString(out));
            }
            String text = Files.readString(out);
            Files.deleteIfExists(out);
            return new Result(p.exitValue(), text);
        } catch (IOException e) {
            throw new IllegalStateException("could not run " + String.join(" ", cmd), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
