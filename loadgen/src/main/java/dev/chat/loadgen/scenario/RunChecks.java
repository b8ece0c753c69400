package dev.chat.loadgen.scenario;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.chat.loadgen.measure.Ledger;
import dev.chat.loadgen.report.LogHygiene;
import dev.chat.loadgen.report.PromText;
import picocli.CommandLine.Option;

/**
 * The checks of a run's end that look past the clients: what each service's own metrics say, and whether any log
 * holds a token or a password. The controller names where to look; the reading and the verdict are here.
 */
public final class RunChecks {
    /** The metrics each kind of component shows, by the prefix of its name. */
    private static final Map<String, List<String>> SHOWN = new LinkedHashMap<>();

    static {
        SHOWN.put("node-", List.of("chat_sockets_open", "chat_messages_accepted_total", "chat_messages_duplicates_total",
                "chat_messages_pushed_total", "chat_messages_redelivered_total", "chat_redis_errors_total",
                "chat_db_errors_total", "chat_node_heartbeats_total"));
        SHOWN.put("presence-service", List.of("chat_presence_nodes_live", "chat_presence_nodes_stale", "chat_presence_sockets",
                "chat_presence_evictions_total"));
        SHOWN.put("user-service", List.of("chat_users_accounts_created_total", "chat_users_logins_total"));
        SHOWN.put("haproxy", List.of("haproxy_frontend_connections_total{proxy=\"chat\"}",
                "haproxy_frontend_current_sessions{proxy=\"chat\"}"));
    }

    @Option(names = "--metrics", paramLabel = "NAME=URL",
            description = "at the end, read this component's Prometheus metrics (NAME: node-N, presence-service, user-service, haproxy...)")
    List<String> metrics = new ArrayList<>();

    @Option(names = "--check-logs", paramLabel = "DIR",
            description = "at the end, every *.log in DIR must hold no token, no password (--secrets-dir) and no client password")
    List<Path> logDirs = new ArrayList<>();

    @Option(names = "--secrets-dir", paramLabel = "DIR", description = "the secrets (files named *password) that no log may hold")
    Path secretsDir;

    /** How long one fetch of a metrics or monitoring page may take, its body included. */
    static final Duration FETCH_WITHIN = Duration.ofSeconds(3);

    /** Prints the metrics block and adds it to {@code report} as "metrics". Never fails the run. */
    void metrics(ObjectNode report, Consumer<String> say) {
        if (metrics.isEmpty()) {
            return;
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(FETCH_WITHIN).build();
        ObjectNode json = report.putObject("metrics");
        say.accept("");
        say.accept("metrics (Prometheus, each component's own; a restarted process counts from zero):");
        for (String m : metrics) {
            int eq = m.indexOf('=');
            String name = eq > 0 ? m.substring(0, eq) : m;
            String text = eq > 0 ? fetch(http, m.substring(eq + 1)) : "";
            List<String> shown = shown(name);
            ObjectNode values = json.putObject(name);
            List<String> parts = new ArrayList<>();
            for (String metric : shown) {
                String v = PromText.sum(text, metric);
                String label = metric.replaceFirst("\\{.*", "")
                        .replaceFirst("^(chat_(messages_|users_|presence_)?|haproxy_frontend_)", "").replaceFirst("_total$", "");
                parts.add(label + " " + v);
                values.put(label, v);
            }
            say.accept("  " + name + ": " + String.join(", ", parts));
        }
    }

    /**
     * The run's message totals as the JSON report's {@code totals} object, the same fields for every scenario (the
     * chaos and drill tests read them through {@code ChaosRun}); returned, for a scenario's own fields.
     */
    static ObjectNode putTotals(ObjectNode report, Ledger.Counts all, long misrouted, long clientsOpen) {
        ObjectNode totals = report.putObject("totals");
        totals.put("sent", all.sent());
        totals.put("acked", all.acked());
        totals.put("delivered", all.delivered());
        totals.put("lost", all.lost());
        totals.put("shown_twice", all.shownTwice());
        totals.put("unacked", all.unacked());
        totals.put("misrouted", misrouted);
        totals.put("clients_open", clientsOpen);
        return totals;
    }

    private static List<String> shown(String name) {
        for (Map.Entry<String, List<String>> e : SHOWN.entrySet()) {
            if (name.startsWith(e.getKey())) {
                return e.getValue();
            }
        }
        return List.of();
    }

    /** The body of a 200 answer from {@code url} within 3 s; "" otherwise. */
    static String fetch(String url) {
        return fetch(HttpClient.newBuilder().connectTimeout(FETCH_WITHIN).build(), url);
    }

    /**
     * The body of a 200 answer, or "" for anything else, within {@link #FETCH_WITHIN} whatever the server does. The
     * request's own timeout ends at the answer's headers: a body that stalls after them held a chaos run's clients
     * past their deadline once (ChaosTest, "the clients did not finish in time" after the first node's metrics).
     */
    private static String fetch(HttpClient http, String url) {
        CompletableFuture<HttpResponse<String>> answer;
        try {
            answer = http.sendAsync(HttpRequest.newBuilder(URI.create(url)).timeout(FETCH_WITHIN).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (RuntimeException e) {
            return "";
        }
        try {
            HttpResponse<String> r = answer.get(FETCH_WITHIN.toMillis(), TimeUnit.MILLISECONDS);
            return r.statusCode() == 200 ? r.body() : "";
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            answer.cancel(true);
            return "";
        } catch (InterruptedException e) {
            answer.cancel(true);
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /**
     * Scans the logs when --check-logs was given: prints one line, adds "log_hygiene" to {@code report}; true when
     * clean or not asked for.
     */
    boolean logHygiene(ObjectNode report, Consumer<String> say, List<String> forbidden) {
        if (logDirs.isEmpty()) {
            return true;
        }
        ObjectNode json = report.putObject("log_hygiene");
        LogHygiene.Result r;
        try {
            r = LogHygiene.scan(logDirs, LogHygiene.secretsIn(secretsDir), forbidden);
        } catch (IOException e) {
            json.put("ok", false);
            json.put("error", e.toString());
            say.accept("log hygiene: FAIL: cannot read the logs: " + e.getMessage());
            return false;
        }
        json.put("ok", r.clean());
        json.put("files", r.files());
        json.put("json_lines", r.jsonLines());
        r.findings().forEach(json.putArray("findings")::add);
        say.accept(r.clean()
                ? "log hygiene: " + r.jsonLines() + " JSON log lines of the services and every other log (" + r.files()
                        + " files) checked: no token, no password"
                : "log hygiene: FAIL: secrets in logs: " + String.join(", ", r.findings()));
        return r.clean();
    }
}
