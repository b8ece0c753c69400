package dev.chat.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * Least privilege in Redis on the stack scripts/up starts (issue 19): the services' user {@code chat} runs only the
 * commands the services send (deploy/redis/chat-user.acl), on keys and channels under {@code chat:} only, and there
 * is no default user. That the services work under these rules is what every other test through the proxy shows;
 * this shows the rules refuse the rest. Only commands harmless to the shared stack were they let through.
 */
@ResourceLock(Lanes.SHARED_STACK)
class RedisAclTest {
    private static LocalStack stack() {
        return ChatThroughProxyTest.stack();
    }

    @Test
    void theServicesUserIsRefusedCommandsTheServicesNeverSend() throws Exception {
        refused("CONFIG", "GET", "maxmemory");
        refused("KEYS", "chat:acl-test:*");
        refused("EVAL", "return 1", "0");
        refused("CLIENT", "LIST");
        refused("SCRIPT", "FLUSH");
        refused("ACL", "LIST");
        refused("SET", "chat:acl-test:string", "1");
        refused("EXPIRE", "chat:acl-test:hash", "10");
    }

    @Test
    void theServicesUserReachesOnlyKeysAndChannelsUnderChat() throws Exception {
        refused("HSET", "acl-test:hash", "f", "v");
        refused("HGET", "acl-test:hash", "f");
        refused("PUBLISH", "acl-test:channel", "x");
        // The same commands under chat: are let through (the rules are not merely refusing everything).
        assertEquals("1", chat("HSET", "chat:acl-test:hash", "f", "v").strip());
        assertEquals("v", chat("HGET", "chat:acl-test:hash", "f").strip());
        assertEquals("1", chat("DEL", "chat:acl-test:hash").strip());
        assertEquals("0", chat("PUBLISH", "chat:acl-test:channel", "x").strip());
    }

    @Test
    void thereIsNoDefaultUser() throws Exception {
        String out = redisCli(List.of(), Map.of(), "PING");
        assertTrue(out.contains("NOAUTH"), "a connection without a user: " + out);
    }

    private static void refused(String... command) throws Exception {
        String out = chat(command);
        assertTrue(out.contains("NOPERM"), "user chat may run " + String.join(" ", command) + ": " + out);
    }

    private static String chat(String... command) throws Exception {
        return redisCli(List.of("--user", "chat"), Map.of("REDISCLI_AUTH", stack().redisPassword()), command);
    }

    /** redis-cli against the stack's Redis: its output whatever its exit (an error reply is what is looked for). */
    private static String redisCli(List<String> login, Map<String, String> env, String... command)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("redis-cli", "--no-auth-warning", "-h", "127.0.0.1", "-p",
                Integer.toString(stack().redisPort())));
        cmd.addAll(login);
        cmd.addAll(List.of(command));
        Path out = Files.createTempFile("redis-acl", ".out");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            pb.environment().remove("REDISCLI_AUTH");
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(15, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                throw new AssertionError("redis-cli did not answer within 15 s: " + cmd);
            }
            return Files.readString(out, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
