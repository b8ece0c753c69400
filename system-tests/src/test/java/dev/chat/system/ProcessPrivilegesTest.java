package dev.chat.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * Least privilege for the processes of the stack scripts/up starts as root (scripts/lib/common.sh, "least
 * privilege"): no component runs as root (each Java service as a system user of its own, Redis as redis,
 * PostgreSQL as postgres, HAProxy after it has bound its ports as haproxy), read from /proc of the live processes;
 * the JWT signing key the services read is mode 400 and owned by user-service's user, and a read of it as
 * chat-node's or presence-service's user fails while the public key reads fine. Skipped when the tests do not
 * run as root (then scripts/up runs everything as the invoking user, as documented).
 */
@ResourceLock(Lanes.SHARED_STACK)
class ProcessPrivilegesTest {
    /** The user each component must run as, by its name in the run dir's pids folder. */
    private static final Map<String, String> OWNERS = Map.of("postgres", "postgres", "redis", "redis",
            "user-service", "chat-users", "presence-service", "chat-presence", "chat-node-1", "chat-node",
            "chat-node-2", "chat-node", "chat-node-3", "chat-node", "haproxy", "haproxy");

    @BeforeAll
    static void onlyAsRoot() throws Exception {
        Assumptions.assumeTrue("root".equals(run(List.of("id", "-un")).output().strip()),
                "scripts/up drops privileges only when run as root");
    }

    private static LocalStack stack() {
        return ChatThroughProxyTest.stack();
    }

    @Test
    void noComponentRunsAsRoot() throws Exception {
        for (var e : OWNERS.entrySet()) {
            long pid = stack().pid(e.getKey());
            String uid = uids(pid);
            String expected = run(List.of("id", "-u", e.getValue())).output().strip();
            // real, effective, saved and filesystem uid: all the service user's, none of them 0
            assertEquals(expected + " " + expected + " " + expected + " " + expected, uid,
                    e.getKey() + " (pid " + pid + ") runs with uids " + uid + ", not all " + e.getValue() + "'s");
        }
    }

    @Test
    void onlyUserServicesUserCanReadTheSigningKey() throws Exception {
        Path keys = serviceFolder().resolve("keys");
        Path signing = keys.resolve("jwt-private.pem");
        assertEquals("r--------", PosixFilePermissions.toString(Files.getPosixFilePermissions(signing, LinkOption.NOFOLLOW_LINKS)));
        assertEquals("chat-users", Files.getOwner(signing, LinkOption.NOFOLLOW_LINKS).getName());
        // The key the running user-service signs with is this file (its environment names it).
        String env = Files.readString(Path.of("/proc/" + stack().pid("user-service") + "/environ"), StandardCharsets.ISO_8859_1);
        assertTrue(env.contains("SMALLRYE_JWT_SIGN_KEY_LOCATION=" + signing + "\0"), "user-service signs with another key file");

        for (String user : List.of("chat-node", "chat-presence")) {
            ScriptRun.Result r = asUser(user, "cat", signing.toString());
            assertNotEquals(0, r.exit(), user + " read the signing key");
            assertTrue(r.output().contains("Permission denied"), user + ": " + r.output());
            ScriptRun.Result pub = asUser(user, "cat", keys.resolve("jwt-public.pem").toString());
            assertEquals(0, pub.exit(), user + " cannot read the public key: " + pub.output());
            assertTrue(pub.output().contains("BEGIN PUBLIC KEY"), pub.output());
            // The secrets folder itself (the originals, the passwords) is root's alone.
            ScriptRun.Result secrets = asUser(user, "cat", stack().runDir().resolve("secrets/jwt-private.pem").toString());
            assertNotEquals(0, secrets.exit(), user + " read the original signing key");
        }
        ScriptRun.Result signer = asUser("chat-users", "cat", signing.toString());
        assertEquals(0, signer.exit(), "user-service's user cannot read its own key: " + signer.output());
    }

    /** Where scripts/up put the unprivileged processes' folder (the run dir, or one of its own under /var/lib). */
    private static Path serviceFolder() throws IOException {
        return Path.of(Files.readString(stack().runDir().resolve("svc.location")).strip());
    }

    /** "real effective saved filesystem" uids of a process, from /proc/PID/status. */
    private static String uids(long pid) throws IOException {
        return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream().filter(l -> l.startsWith("Uid:"))
                .map(l -> l.substring(4).strip().replaceAll("\\s+", " ")).findFirst().orElseThrow();
    }

    private static ScriptRun.Result asUser(String user, String... cmd) throws Exception {
        List<String> argv = new java.util.ArrayList<>(List.of("setpriv", "--reuid=" + user, "--regid=" + user,
                "--init-groups", "--"));
        argv.addAll(List.of(cmd));
        return run(argv);
    }

    private static ScriptRun.Result run(List<String> argv) throws Exception {
        return ScriptRun.run(argv, 20);
    }
}
