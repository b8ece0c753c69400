package dev.chat.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.ResourceLock;

import dev.chat.testing.Poll;

/**
 * scripts/scale on the replicated topology (scripts/up --ha --monitoring): a fourth chat node joins as a supervisord
 * program and a server of the stack's HAProxy, and Prometheus scrapes it; when HAProxy is killed (kill -9, by PID)
 * supervisord starts it again, and the restarted proxy routes to the added node by itself, with no 'scripts/scale
 * sync'; scripts/drain takes the added node and a configuration node out and back through supervisord; 'in' takes
 * the node out of HAProxy, supervisord and Prometheus's targets. The stack is the test's own (no shared --ha stack exists), stopped with
 * scripts/down --purge whatever happens.
 */
@ResourceLock(Lanes.SCENARIOS)
class HaScaleTest {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void anAddedNodeIsBackInTheHaproxySupervisordRestartedAndLeavesWithScaleIn() throws Exception {
        int base = ScriptRun.freePortBase();
        Path run = Files.createDirectories(ScriptRun.ROOT.resolve("system-tests/target/ha-scale-" + base));
        String dir = run.toString();
        try {
            ScriptRun.Result up = ScriptRun.run(List.of("bash", "scripts/up", "--ha", "--monitoring", "--no-install", "--no-build",
                    "--port-base", Integer.toString(base), "--run-dir", dir, "--timeout", "600"), 660);
            assertEquals(0, up.exit(), up.output());

            ScriptRun.Result out = ScriptRun.run(List.of("bash", "scripts/scale", "out", "--run-dir", dir, "--timeout", "300"), 420);
            assertEquals(0, out.exit(), out.output());
            // Its public port is B+38 here (etcd and the Sentinels hold B+14..B+19).
            assertTrue(out.output().contains("chat_nodes/node-4 (127.0.0.1:" + (base + 38) + ","), out.output());
            assertEquals("RUNNING", programState(run, "chat-node-4"), out.output());
            assertEquals("UP", nodeStatus(base, "node-4").orElse("absent"));
            String node4 = "up{job=\"chat-node\",instance=\"127.0.0.1:" + (base + 44) + "\"}";
            Poll.until(Duration.ofSeconds(60), () -> prometheus(base, node4), b -> b.contains("\"1\"]"),
                    b -> "Prometheus (scripts/up --ha --monitoring) does not scrape the added node: " + b);
            // ... and the replicated tier: both user- and presence-services, one Patroni primary (PostgresNoPrimary's figure).
            Poll.until(Duration.ofSeconds(60), () -> prometheus(base, "count(up{job=~\"user-service|presence-service\"} == 1)"),
                    b -> b.contains("\"4\"]"), b -> "Prometheus does not scrape both user- and presence-services: " + b);
            Poll.until(Duration.ofSeconds(60), () -> prometheus(base, "sum(patroni_primary)"), b -> b.contains("\"1\"]"),
                    b -> "Prometheus does not see one Patroni primary: " + b);

            long before = programPid(run, "haproxy");
            ProcessHandle.of(before).ifPresent(ProcessHandle::destroyForcibly);
            long after = Poll.until(Duration.ofSeconds(60), () -> pidOrZero(run, "haproxy"), pid -> pid != 0 && pid != before,
                    pid -> "supervisord did not start HAProxy again after kill -9 of pid " + before);
            Poll.until(Duration.ofSeconds(60), () -> nodeStatus(base, "node-4"), s -> s.equals(Optional.of("UP")),
                    s -> "the HAProxy supervisord restarted (pid " + after + ") does not route to node-4: " + s.orElse("absent"));

            // A drain on the replicated topology: the added node and a configuration node leave and come back
            // through supervisord (scripts/down and scripts/up --only), UP in HAProxy again.
            for (String node : List.of("chat-node-4", "chat-node-2")) {
                long pid = programPid(run, node);
                ScriptRun.Result drain = ScriptRun.run(List.of("bash", "scripts/drain", "--restart", node, "--run-dir", dir,
                        "--timeout", "300"), 420);
                assertEquals(0, drain.exit(), drain.output());
                assertNotEquals(pid, programPid(run, node), node + " was not restarted: " + drain.output());
                assertEquals("UP", nodeStatus(base, "node-" + node.substring(10)).orElse("absent"), drain.output());
            }

            ScriptRun.Result in = ScriptRun.run(List.of("bash", "scripts/scale", "in", "chat-node-4", "--run-dir", dir,
                    "--timeout", "120"), 240);
            assertEquals(0, in.exit(), in.output());
            assertEquals(Optional.empty(), nodeStatus(base, "node-4"));
            assertFalse(supervisorctl(run, "status").contains("chat-node-4"), "supervisord still has chat-node-4");
            assertFalse(Files.readString(run.resolve("haproxy-scaled.cfg")).matches("(?s).*\\n\\s*setenv .*"),
                    "a node is still recorded for HAProxy's next start or reload");
            Poll.until(Duration.ofSeconds(60), () -> prometheus(base, node4), b -> b.contains("\"result\":[]"),
                    b -> "Prometheus still scrapes the node scale took out: " + b);
        } finally {
            ScriptRun.Result down = ScriptRun.run(List.of("bash", "scripts/down", "--run-dir", dir, "--purge"), 240);
            assertEquals(0, down.exit(), down.output());
        }
    }

    /** chat_nodes/SERVER's status in HAProxy's stats, UP only once a check passed (L7OK); empty when HAProxy lacks it. */
    private Optional<String> nodeStatus(int base, String server) {
        String csv;
        try {
            csv = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + (base + 4) + "/stats;csv"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            return Optional.of("no answer from HAProxy's stats (" + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        for (String line : csv.split("\n")) {
            String[] f = line.split(",", -1);
            if (f.length > 36 && f[0].equals("chat_nodes") && f[1].equals(server)) {
                return Optional.of(f[17].equals("UP") && !f[36].equals("L7OK") ? "UP (no check passed yet: " + f[36] + ")" : f[17]);
            }
        }
        return Optional.empty();
    }

    /** Prometheus's answer (scripts/monitoring, B+33) to an instant query. */
    private String prometheus(int base, String promql) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + (base + 33) + "/api/v1/query?query="
                    + java.net.URLEncoder.encode(promql, java.nio.charset.StandardCharsets.UTF_8)))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            return "(no answer from Prometheus: " + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String programState(Path run, String name) {
        String[] f = supervisorctl(run, "status", name).trim().split("\\s+");
        return f.length > 1 ? f[1] : "";
    }

    private static long programPid(Path run, String name) {
        long pid = pidOrZero(run, name);
        assertNotEquals(0, pid, supervisorctl(run, "status", name));
        return pid;
    }

    /** The PID supervisord runs NAME as, 0 unless it is RUNNING. */
    private static long pidOrZero(Path run, String name) {
        String[] f = supervisorctl(run, "status", name).trim().split("\\s+");
        return f.length > 3 && f[1].equals("RUNNING") ? Long.parseLong(f[3].replace(",", "")) : 0;
    }

    private static String supervisorctl(Path run, String... args) {
        try {
            List<String> cmd = new java.util.ArrayList<>(List.of("supervisorctl", "-c", run.resolve("supervisord.conf").toString()));
            cmd.addAll(List.of(args));
            return ScriptRun.run(cmd, 30).output();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
