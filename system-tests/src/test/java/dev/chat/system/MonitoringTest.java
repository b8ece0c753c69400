package dev.chat.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

import dev.chat.system.Accounts.Account;
import dev.chat.system.ScriptRun.Result;
import dev.chat.testing.ChatClient;
import dev.chat.testing.Poll;

/**
 * Real Prometheus and Alertmanager (scripts/monitoring, what scripts/up --monitoring starts) on the shared stack:
 * a chat node killed with SIGKILL fires ChatNodeDown, which reaches an Alertmanager webhook receiver (this test's
 * HTTP server) within the bound below; keepalived's notify.sh posts a VRRP transition to the same receiver.
 * The killed node is started again before the test ends (other tests share the stack).
 */
@ResourceLock(Lanes.SHARED_STACK)
class MonitoringTest {
    /** for: 15s in the rule, plus scrapes and evaluations every 2 s, Alertmanager's 1-s group wait and a busy machine. */
    private static final Duration ALERT_BOUND = Duration.ofSeconds(90);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ConcurrentLinkedQueue<String> RECEIVED = new ConcurrentLinkedQueue<>();
    private static HttpServer receiver;
    private static String webhook;

    private static LocalStack stack() {
        return LocalStack.shared();
    }

    @BeforeAll
    static void startMonitoring() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        receiver.createContext("/alerts", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                RECEIVED.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        receiver.start();
        webhook = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/alerts";
        Result r = ScriptRun.run(List.of("bash", "scripts/monitoring", "start", "--run-dir", stack().runDir().toString(),
                "--webhook", webhook, "--timeout", "120"), 180);
        assertEquals(0, r.exit(), r.output());
    }

    @AfterAll
    static void stopMonitoring() throws Exception {
        try {
            if (!stack().isRunning("chat-node-3")) {
                stack().start("chat-node-3");
            }
            ScriptRun.run(List.of("bash", "scripts/monitoring", "stop", "--run-dir", stack().runDir().toString()), 60);
        } finally {
            if (receiver != null) {
                receiver.stop(0);
            }
        }
    }

    @Test
    void aKilledChatNodeFiresChatNodeDownAtTheWebhook() throws Exception {
        // Prometheus scrapes all three nodes first (else "down" could be "never seen").
        Poll.until(Duration.ofSeconds(60), () -> query("sum(up{job=\"chat-node\"})"), b -> b.contains("\"3\""),
                b -> "Prometheus does not see 3 chat nodes up: " + b);
        String instance = "127.0.0.1:" + stack().managementPort("chat-node-3");
        assertTrue(RECEIVED.stream().noneMatch(b -> b.contains("ChatNodeDown")), "an alert before the fault: " + RECEIVED);

        Instant killed = Instant.now();
        stack().kill9("chat-node-3");
        String body = Poll.until(ALERT_BOUND,
                () -> RECEIVED.stream().filter(b -> b.contains("\"alertname\":\"ChatNodeDown\"")).findFirst().orElse(""),
                b -> !b.isEmpty(), b -> "no ChatNodeDown at the webhook within " + ALERT_BOUND + "; received: " + RECEIVED
                        + "\nPrometheus alerts: " + alerts());
        System.out.printf("ChatNodeDown reached the webhook %d ms after kill -9%n",
                Duration.between(killed, Instant.now()).toMillis());
        assertTrue(body.contains("\"status\":\"firing\""), body);
        assertTrue(body.contains("\"instance\":\"" + instance + "\""), "the alert names the killed node: " + body);
        assertTrue(body.contains("\"severity\":\"critical\""), body);

        // Back up, the alert resolves (send_resolved) and no other node was reported down.
        stack().start("chat-node-3");
        Poll.until(ALERT_BOUND, () -> RECEIVED.stream().filter(b -> b.contains("\"alertname\":\"ChatNodeDown\"")
                && b.contains("\"status\":\"resolved\"")).findFirst().orElse(""), b -> !b.isEmpty(),
                b -> "ChatNodeDown did not resolve: " + RECEIVED);
        assertTrue(RECEIVED.stream().filter(b -> b.contains("ChatNodeDown")).allMatch(b -> b.contains(instance)),
                "only the killed node was reported: " + RECEIVED);
    }

    /**
     * The Grafana dashboard (monitoring/grafana/chat-system.json) is checked against the live Prometheus: every
     * panel's query is valid PromQL there, and every panel outside the rows for the proxy pair and the replicated
     * data tier (whose exporters this stack does not run) returns data once one message has gone through, so a
     * renamed metric or a typo in a query fails here instead of showing an empty panel.
     */
    @Test
    void everyDashboardQueryAnswersFromTheLivePrometheus() throws Exception {
        Account alice = Accounts.create(stack(), "dash");
        Account bob = Accounts.create(stack(), "dash");
        URI ws = URI.create(stack().wsUrl());
        try (ChatClient a = ChatClient.connect(ws, alice.token()); ChatClient b = ChatClient.connect(ws, bob.token())) {
            String id = UUID.randomUUID().toString();
            a.sendMessage(id, bob.name(), "for the dashboard");
            a.await(ChatClient.frame("ack", id), Duration.ofSeconds(30));
            b.await(ChatClient.frame("msg", id), Duration.ofSeconds(30));
        }
        JsonNode dashboard = new ObjectMapper().readTree(ScriptRun.ROOT.resolve("monitoring/grafana/chat-system.json").toFile());
        Set<Integer> ids = new HashSet<>();
        String row = "";
        int checked = 0;
        for (JsonNode panel : dashboard.get("panels")) {
            assertTrue(ids.add(panel.get("id").asInt()), "panel ids are unique: " + panel.get("id"));
            if (panel.get("type").asText().equals("row")) {
                row = panel.get("title").asText();
                continue;
            }
            boolean mayBeEmpty = row.contains("keepalived") || row.contains("Patroni");
            for (JsonNode target : panel.get("targets")) {
                String expr = target.get("expr").asText();
                String title = panel.get("title").asText() + ": " + expr;
                // A rate over a counter needs two scrapes of it (2 s apart) after the message: poll, bounded.
                String answer = Poll.until(Duration.ofSeconds(60), () -> query(expr),
                        body -> body.contains("\"status\":\"success\"") && (mayBeEmpty || !body.contains("\"result\":[]")),
                        body -> "the dashboard's query gets no data from the live Prometheus (" + title + "): " + body);
                assertTrue(answer.contains("\"status\":\"success\""), title + ": " + answer);
                checked++;
            }
        }
        assertTrue(checked >= 15, "the dashboard's queries were all checked: " + checked);
    }

    @Test
    void theScriptAnswersHelpAndRefusesUnknownOptions() throws Exception {
        ScriptRun.answersHelpAndRefusesUnknownOptions("scripts/monitoring");
        // What scripts/drill --monitoring passes: an address to listen on and more HAProxies to scrape, checked first.
        Result target = ScriptRun.run(List.of("bash", "scripts/monitoring", "start", "--haproxy-target", "10.0.0.11"), 60);
        assertNotEquals(0, target.exit());
        assertTrue(target.output().contains("--haproxy-target must be HOST:PORT, not '10.0.0.11'"), target.output());
        Result listen = ScriptRun.run(List.of("bash", "scripts/monitoring", "start", "--listen", "everywhere"), 60);
        assertNotEquals(0, listen.exit());
        assertTrue(listen.output().contains("--listen must be an IPv4 address, not 'everywhere'"), listen.output());
    }

    @Test
    void keepalivedsNotifyScriptPostsTheTransitionToTheSameReceiver() throws Exception {
        Path dir = Files.createTempDirectory(Files.createDirectories(ScriptRun.ROOT.resolve("system-tests/target")), "vrrp-");
        String am = "http://127.0.0.1:" + (stack().portBase() + 34);
        Result r = ScriptRun.run(List.of("bash", "keepalived/notify.sh", "--log", dir.resolve("t.log").toString(),
                "--host", "lb-test", "--metrics-file", dir.resolve("vrrp.prom").toString(), "--alertmanager", am,
                "INSTANCE", "chat_vip", "MASTER", "150"), 60);
        assertEquals(0, r.exit(), r.output());
        String body = Poll.until(ALERT_BOUND,
                () -> RECEIVED.stream().filter(b -> b.contains("\"alertname\":\"VrrpTransition\"")).findFirst().orElse(""),
                b -> !b.isEmpty(), b -> "no VrrpTransition at the webhook; received: " + RECEIVED);
        assertTrue(body.contains("\"host\":\"lb-test\"") && body.contains("\"state\":\"MASTER\""), body);
        String metrics = Files.readString(dir.resolve("vrrp.prom"));
        assertTrue(metrics.contains("chat_vrrp_master{host=\"lb-test\",vrrp=\"chat_vip\"} 1"), metrics);
        assertTrue(metrics.contains("chat_vrrp_transitions_total{host=\"lb-test\",vrrp=\"chat_vip\"} 1"), metrics);
    }

    private static String query(String promql) {
        return get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    }

    private static String alerts() {
        return get("/api/v1/alerts");
    }

    private static String get(String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + (stack().portBase() + 33) + path))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            return "(" + e + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
