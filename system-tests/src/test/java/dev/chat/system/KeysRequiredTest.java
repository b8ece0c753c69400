package dev.chat.system;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * The services refuse to start without their keys, rather than start and refuse every login or token later: each
 * packaged service is started as scripts/up starts it (the shared stack's PostgreSQL and Redis, its secrets) but
 * without its key, or with a key file that does not exist, and must exit with a message naming the key.
 */
@ResourceLock(Lanes.SHARED_STACK)
class KeysRequiredTest {
    private static LocalStack stack() {
        return LocalStack.shared();
    }

    /** The shared stack's database, as the owner (who migrates), for a service started by {@link #refusesToStart}. */
    static Map<String, String> database() {
        String url = "127.0.0.1:" + stack().postgresPort() + "/chat";
        return Map.of("QUARKUS_DATASOURCE_USERNAME", "chat", "QUARKUS_DATASOURCE_PASSWORD", stack().postgresPassword(),
                "QUARKUS_DATASOURCE_REACTIVE_URL", "postgresql://" + url, "QUARKUS_DATASOURCE_JDBC_URL", "jdbc:postgresql://" + url);
    }

    static Map<String, String> redis() {
        return Map.of("QUARKUS_REDIS_HOSTS", "redis://chat:" + stack().redisPassword() + "@127.0.0.1:" + stack().redisPort());
    }

    static String publicKey() {
        return stack().jwtPublicKey().toString();
    }

    @Test
    void userServiceRefusesToStartWithoutItsSigningKey() throws Exception {
        Map<String, String> env = new HashMap<>(database());
        env.put("MP_JWT_VERIFY_PUBLICKEY_LOCATION", publicKey());
        refusesToStart("user-service", env, "smallrye.jwt.sign.key");
        env.put("SMALLRYE_JWT_SIGN_KEY_LOCATION", "/nonexistent/jwt-private.pem");
        refusesToStart("user-service", env, "jwt-private.pem");
    }

    @Test
    void presenceServiceRefusesToStartWithoutItsVerificationKey() throws Exception {
        Map<String, String> env = new HashMap<>(redis());
        refusesToStart("presence-service", env, "MP_JWT_VERIFY_PUBLICKEY_LOCATION");
        env.put("MP_JWT_VERIFY_PUBLICKEY_LOCATION", "/nonexistent/jwt-public.pem");
        refusesToStart("presence-service", env, "jwt-public.pem");
    }

    @Test
    void chatNodeRefusesToStartWithoutItsVerificationKey() throws Exception {
        Map<String, String> env = new HashMap<>(database());
        env.putAll(redis());
        env.put("CHAT_NODE_ID", "node-keyless");
        refusesToStart("chat-node", env, "MP_JWT_VERIFY_PUBLICKEY_LOCATION");
        env.put("MP_JWT_VERIFY_PUBLICKEY_LOCATION", "/nonexistent/jwt-public.pem");
        refusesToStart("chat-node", env, "jwt-public.pem");
    }

    /**
     * Starts MODULE's packaged jar with only {@code env} (and free ports); it must exit non-zero within 120 s, its
     * output naming {@code named} (the key, or the setting, at fault).
     */
    static void refusesToStart(String module, Map<String, String> env, String named) throws Exception {
        Path jar = LocalStack.projectRoot().resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        assertTrue(Files.isRegularFile(jar), jar + " is missing: build with ./mvnw -B package");
        Path log = Files.createTempFile(Files.createDirectories(LocalStack.projectRoot().resolve("system-tests/target")),
                "keyless-" + module, ".log");
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx128m", "-XX:+UseSerialGC", "-jar", jar.toString())
                .directory(log.getParent().toFile()).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().clear();
        pb.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        int port = ScriptRun.freePortBase();
        pb.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
        // A service that gets as far as listening must not fail on another's management port instead.
        pb.environment().put("QUARKUS_MANAGEMENT_PORT", Integer.toString(port + 1));
        pb.environment().putAll(env);
        Process p = pb.start();
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                throw new AssertionError(module + " still runs 120 s after starting without its key:\n" + read(log));
            }
            String out = read(log);
            assertNotEquals(0, p.exitValue(), module + " exited 0:\n" + out);
            assertTrue(out.contains(named), module + " did not name " + named + ":\n" + out);
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            Files.deleteIfExists(log);
        }
    }

    private static String read(Path log) throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }
}
