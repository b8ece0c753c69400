package dev.chat.system;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * Every Java service of a test stack runs with scripts/up's shipped JVM flags followed by the test stacks' own
 * ({@link ScriptEnvironment#SERVICES_EXTRA_JVM_FLAGS}, through {@code CHAT_JAVA_EXTRA_OPTS}): added to the shipped
 * flags, never in their place. Read from /proc of the live processes.
 */
@ResourceLock(Lanes.SHARED_STACK)
class StackJvmFlagsTest {
    /** scripts/up's DEFAULT_JAVA_OPTS, then the test stacks' flag. */
    private static final List<String> FLAGS = List.of("-Xms32m", "-Xmx256m", "-XX:+UseSerialGC",
            "-XX:+ExitOnOutOfMemoryError", ScriptEnvironment.SERVICES_EXTRA_JVM_FLAGS);

    @Test
    void theServicesRunWithTheShippedFlagsAndThenTheTestStacksOwn() throws Exception {
        LocalStack stack = LocalStack.shared();
        for (String service : List.of("user-service", "presence-service", "chat-node-1", "chat-node-2", "chat-node-3")) {
            long pid = stack.pid(service);
            List<String> args = Arrays.asList(Files.readString(Path.of("/proc/" + pid + "/cmdline"),
                    StandardCharsets.UTF_8).split("\0"));
            int jar = args.indexOf("-jar");
            assertEquals(FLAGS, args.subList(1, jar), service + " (pid " + pid + "): " + args);
        }
    }
}
