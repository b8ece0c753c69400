package dev.chat.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.ResourceLock;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The shortened failover drill of the test command: {@code scripts/drill --short --monitoring} builds its own network
 * namespaces (two proxy hosts with HAProxy and keepalived sharing a virtual IP, the chat stack in its replicated
 * topology, the drill's default: Patroni pair, Redis with Sentinels, two of each API, three nodes under supervisord;
 * a client host, a bridge), kills the active HAProxy, stops keepalived on the master, adds a fourth chat node to both proxies at
 * run time, drains a chat node and takes the added node out again while clients chat through the virtual IP, and
 * exits 0 only when nothing was lost or shown twice. The verdicts are asserted from loadgen's JSON report
 * (report.json in the run dir), which says more: a client over the login rate limit on the killed proxy was still
 * limited by its twin right after the takeover (HAProxy peers), the added node was UP in both proxies, carried
 * sockets, and was gone from both after scale-in; the stack was the replicated one and both proxies routed to, and
 * loadgen read, the second user-service and presence-service; Prometheus scraped every service and both proxies and
 * saw every target up at the end, and both proxies' VRRP transitions reached Alertmanager's webhook receiver (run by
 * loadgen). Whatever happens the drill removes every namespace and process it
 * made; this test checks that too. Needs root (CI runs as root).
 */
@ResourceLock(Lanes.SCENARIOS)
class FailoverDrillTest {
    @Test
    void theDrillAndTheDrainScriptAnswerHelpAndRefuseNonsense() throws Exception {
        for (String script : List.of("scripts/drill", "scripts/drain", "scripts/scale")) {
            ScriptRun.answersHelpAndRefusesUnknownOptions(script);
        }
        ScriptRun.Result fault = ScriptRun.run(List.of("bash", "scripts/drill", "--faults", "haproxy-kill,meteor"), 60);
        assertNotEquals(0, fault.exit());
        assertTrue(fault.output().contains("unknown fault 'meteor'"), fault.output());
        ScriptRun.Result node = ScriptRun.run(List.of("bash", "scripts/drain", "redis"), 60);
        assertNotEquals(0, node.exit());
        assertTrue(node.output().contains("is not a chat node"), node.output());
        ScriptRun.Result scale = ScriptRun.run(List.of("bash", "scripts/scale", "in", "redis"), 60);
        assertNotEquals(0, scale.exit());
        assertTrue(scale.output().contains("is not a chat node name"), scale.output());
        ScriptRun.Result nothing = ScriptRun.run(List.of("bash", "scripts/scale", "--run-dir", "/nonexistent/run", "out"), 60);
        assertNotEquals(0, nothing.exit());
        assertTrue(nothing.output().contains("no stack in /nonexistent/run"), nothing.output());
    }

    @Test
    @Timeout(value = 18, unit = TimeUnit.MINUTES)
    void theShortDrillLosesNothingShowsNothingTwiceAndLeavesNothingBehind() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "the drill needs root (network namespaces)");
        assumeTrue(onPath("keepalived") || Files.isExecutable(Path.of("/usr/sbin/keepalived")), "keepalived is not installed");
        assumeTrue(ScriptRun.run(List.of("ip", "netns", "list"), 30).exit() == 0, "'ip netns' does not work here");
        // A prefix of its own: a drill someone runs by hand (prefix 'chat') is not disturbed.
        String prefix = "dt" + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36, 36 * 36 * 36 * 36), 36);
        ChaosRun run = ChaosRun.run("scripts/drill", "drill-" + prefix, List.of("--short", "--monitoring", "--prefix", prefix,
                "--timeout", "900"), 1020);

        List<String> left = new ArrayList<>();
        for (String line : ScriptRun.run(List.of("ip", "netns", "list"), 30).output().split("\n")) {
            if (line.startsWith(prefix + "-")) {
                left.add(line);
            }
        }
        assertEquals(List.of(), left, "namespaces left behind by the drill");
        run.assertPassed();
        for (String fault : List.of("haproxy-kill", "keepalived-stop", "scale-out", "node-drain", "scale-in")) {
            JsonNode f = run.fault(fault);
            assertTrue(f.path("ok").asBoolean(false), f.toString());
            assertTrue(f.path("every_client_back").asBoolean(false), f.toString());
            assertEquals(0, f.path("lost").asInt(-1), f.toString());
            assertEquals(0, f.path("shown_twice").asInt(-1), f.toString());
        }
        // The VIP moved to the other proxy when its HAProxy died (the time is a figure, never asserted).
        assertTrue(run.fault("haproxy-kill").path("vip_moved").asBoolean(false), run.fault("haproxy-kill").toString());

        // The login limit came over with the takeover: tripped on the proxy that died, still 429 from its twin, over a
        // peers link both proxies reported as TLS.
        assertTrue(run.output().contains("share their stick tables over TLS (show peers: ESTA on both, xprt=SSL)"), run.output());
        JsonNode limit = run.fault("haproxy-kill").path("login_limit");
        assertTrue(limit.path("held").asBoolean(), limit.toString());
        assertEquals(429, limit.path("after_takeover_status").asInt(), limit.toString());
        assertNotEquals(limit.path("tripped_on").asText(), limit.path("after_takeover_proxy").asText(), limit.toString());

        // scale-out: node-4 joined both proxies (it was in neither before); scale-in: it carried the sockets node-drain
        // moved to it (leastconn), and left both.
        JsonNode out = run.fault("scale-out");
        for (String proxy : List.of("proxy1", "proxy2")) {
            assertTrue(out.path("nodes_before").path(proxy).path("node-4").isMissingNode(), out.toString());
            // "UP" (scripts/scale waits for a passed check), or "UP 1/2" should a later check have failed: in rotation.
            assertTrue(out.path("nodes_after").path(proxy).path("node-4").path("status").asText().startsWith("UP"), out.toString());
        }
        JsonNode in = run.fault("scale-in");
        long carried = 0;
        for (String proxy : List.of("proxy1", "proxy2")) {
            carried += in.path("nodes_before").path(proxy).path("node-4").path("sessions").asLong();
            assertTrue(in.path("nodes_after").path(proxy).path("node-4").isMissingNode(), in.toString());
            assertEquals(3, in.path("nodes_after").path(proxy).size(), in.toString());
        }
        assertTrue(carried > 0, "node-4 held no socket before scale-in: " + in);
        assertTrue(in.path("dropped").asInt() > 0 && in.path("everyone_back").asBoolean(), in.toString());

        // No log of the run holds a token or a password, and the services log JSON.
        JsonNode logs = run.report().path("log_hygiene");
        assertTrue(logs.path("ok").asBoolean(false), logs.toString());
        assertTrue(logs.path("json_lines").asInt() > 0, logs.toString());
        assertTrue(run.report().path("metrics").path("node-1").has("sockets_open"), run.report().toString());

        // The replicated topology: both proxies routed to two of each API (await-steady saw every server UP in both),
        // and loadgen read the second instances' own metrics ("-" when one did not answer).
        assertEquals("ha", run.report().path("topology").asText(), run.report().toString());
        assertTrue(run.output().contains("topology ha (scripts/up --ha"), run.output());
        for (String second : List.of("user-service-2", "presence-service-2")) {
            JsonNode m = run.report().path("metrics").path(second);
            assertTrue(m.size() > 0, second + " not read: " + run.report().path("metrics"));
            m.fields().forEachRemaining(e -> assertNotEquals("-", e.getValue().asText(), second + " did not answer: " + m));
        }

        // Monitoring: Prometheus saw every target up at the end, among them both proxies and two of each API; both
        // proxies' VRRP transitions came to loadgen's webhook through Alertmanager.
        JsonNode mon = run.report().path("monitoring");
        assertTrue(mon.path("ok").asBoolean(false), mon.toString());
        Map<String, Integer> jobs = new TreeMap<>();
        for (JsonNode t : mon.path("prometheus").path("targets")) {
            assertEquals("up", t.path("health").asText(), t.toString());
            jobs.merge(t.path("job").asText(), 1, Integer::sum);
        }
        // haproxy: the stack's own (PostgreSQL's listeners) and the pair.
        assertEquals(3, jobs.getOrDefault("haproxy", 0), jobs.toString());
        assertEquals(2, jobs.getOrDefault("user-service", 0), jobs.toString());
        assertEquals(2, jobs.getOrDefault("presence-service", 0), jobs.toString());
        assertEquals(3, jobs.getOrDefault("chat-node", 0), jobs.toString());
        JsonNode vrrp = mon.path("alerts").path("vrrp_transitions");
        assertTrue(vrrp.has("proxy1") && vrrp.has("proxy2"), mon.toString());
        assertTrue(run.output().contains("cleaned up: namespaces"), run.output());
    }

    private static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }
}
