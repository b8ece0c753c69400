package dev.chat.loadgen.scenario;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.chat.loadgen.measure.AlertWebhook;
import dev.chat.loadgen.report.AlertPosts;
import dev.chat.loadgen.report.ScrapeTargets;
import picocli.CommandLine.Option;

/**
 * The monitoring checks of a run's end, when the controller started Prometheus and Alertmanager beside the stack
 * (scripts/drill --monitoring): through Prometheus's HTTP API, every scrape target answered (each service, both
 * proxies of the pair: --expect-target names the addresses that must be among them); through a webhook receiver of
 * this process (--alert-webhook, Alertmanager's receiver), the VRRP transitions of each proxy named by
 * --expect-vrrp-alert arrived as alerts. Both wait a bounded time (--monitoring-wait) for what they expect, since a
 * node restarted by the last fault may not have been scraped again yet; then they judge. Nothing is checked when
 * neither --prometheus nor --alert-webhook is given.
 */
public final class MonitoringChecks {
    @Option(names = "--prometheus", paramLabel = "URL",
            description = "at the end, Prometheus's HTTP API (/api/v1/targets) must say every target is up")
    URI prometheus;

    @Option(names = "--expect-target", paramLabel = "HOST:PORT",
            description = "a scrape target (instance) that must be among Prometheus's active targets (repeatable)")
    List<String> expectedTargets = new ArrayList<>();

    @Option(names = "--alert-webhook", paramLabel = "HOST:PORT",
            description = "receive Alertmanager's webhook posts here for the whole run (its receiver's URL is http://HOST:PORT/)")
    String alertWebhook;

    @Option(names = "--expect-vrrp-alert", paramLabel = "HOST",
            description = "a host whose VRRP transition (alert VrrpTransition, keepalived/notify.sh) must reach the webhook (repeatable)")
    List<String> expectedVrrpHosts = new ArrayList<>();

    @Option(names = "--monitoring-wait", defaultValue = "30", paramLabel = "S",
            description = "bound on the end's wait for every target up and every expected alert (default: ${DEFAULT-VALUE} s)")
    long waitSeconds;

    private AlertWebhook webhook;

    /** Starts the webhook receiver when asked for; fails when its address cannot be bound. */
    void start() throws IOException {
        if (alertWebhook != null) {
            int colon = alertWebhook.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("--alert-webhook must be HOST:PORT, not '" + alertWebhook + "'");
            }
            webhook = AlertWebhook.listen(alertWebhook.substring(0, colon), Integer.parseInt(alertWebhook.substring(colon + 1)));
        }
    }

    /**
     * Waits (bounded) until the checks pass, then prints them and adds "monitoring" to {@code report}: {@code ok},
     * Prometheus's targets (job, instance, health) with what was down or missing, and the VRRP transitions the webhook
     * received per host. True when they pass or none was asked for.
     */
    boolean judge(ObjectNode report, Consumer<String> say) {
        if (prometheus == null && webhook == null) {
            return true;
        }
        long deadline = System.nanoTime() + waitSeconds * 1_000_000_000L;
        ScrapeTargets.Verdict targets;
        Map<String, List<String>> vrrp;
        List<String> vrrpMissing;
        while (true) {
            targets = prometheus == null ? null
                    : ScrapeTargets.judge(ScrapeTargets.parse(RunChecks.fetch(prometheus.resolve("/api/v1/targets?state=active").toString())),
                            expectedTargets);
            vrrp = AlertPosts.vrrpTransitions(received());
            vrrpMissing = new ArrayList<>();
            for (String h : expectedVrrpHosts) {
                if (!vrrp.containsKey(h)) {
                    vrrpMissing.add(h);
                }
            }
            if ((targets == null || targets.ok()) && vrrpMissing.isEmpty() || System.nanoTime() > deadline) {
                break;
            }
            Sleep.millis(500);
        }
        if (webhook != null) {
            webhook.close();
        }
        boolean ok = (targets == null || targets.ok()) && vrrpMissing.isEmpty() && (webhook != null || expectedVrrpHosts.isEmpty());
        ObjectNode json = report.putObject("monitoring");
        json.put("ok", ok);
        say.accept("");
        if (targets != null) {
            ObjectNode p = json.putObject("prometheus");
            p.put("url", prometheus.toString());
            p.put("ok", targets.ok());
            ArrayNode list = p.putArray("targets");
            for (ScrapeTargets.Target t : targets.targets()) {
                list.addObject().put("job", t.job()).put("instance", t.instance()).put("health", t.health());
            }
            targets.down().forEach(p.putArray("down")::add);
            targets.missing().forEach(p.putArray("missing")::add);
            say.accept(String.format("monitoring: Prometheus scrapes %d targets: %s", targets.targets().size(),
                    targets.ok() ? "every one up (expected among them: " + String.join(", ", expectedTargets) + ")"
                            : "FAIL: " + (targets.targets().isEmpty() ? "no answer or no target" : "")
                                    + (targets.down().isEmpty() ? "" : " down: " + String.join("; ", targets.down()))
                                    + (targets.missing().isEmpty() ? "" : " missing: " + String.join(", ", targets.missing()))));
            say.accept("   targets by job: " + byJob(targets.targets()));
        }
        if (webhook != null || !expectedVrrpHosts.isEmpty()) {
            ObjectNode a = json.putObject("alerts");
            a.put("webhook", alertWebhook);
            a.put("posts", webhook == null ? 0 : webhook.posts().size());
            ArrayNode names = a.putArray("alertnames");
            received().stream().map(AlertPosts.Alert::name).distinct().sorted().forEach(names::add);
            ObjectNode hosts = a.putObject("vrrp_transitions");
            vrrp.forEach((h, states) -> states.forEach(hosts.putArray(h)::add));
            vrrpMissing.forEach(a.putArray("vrrp_missing")::add);
            a.put("ok", vrrpMissing.isEmpty() && webhook != null);
            say.accept(String.format("monitoring: Alertmanager's webhook got %d posts (alerts %s); VRRP transitions by host %s%s",
                    webhook == null ? 0 : webhook.posts().size(), names, vrrp, vrrpMissing.isEmpty() ? "" : "; FAIL: none from " + vrrpMissing));
        }
        return ok;
    }

    /** Every alert the webhook received so far, in order of arrival. */
    private List<AlertPosts.Alert> received() {
        List<AlertPosts.Alert> all = new ArrayList<>();
        if (webhook != null) {
            webhook.posts().forEach(body -> all.addAll(AlertPosts.parse(body)));
        }
        return all;
    }

    /** "chat-node 3, haproxy 3, ...": how many targets each job has. */
    private static String byJob(List<ScrapeTargets.Target> targets) {
        Map<String, Integer> jobs = new TreeMap<>();
        targets.forEach(t -> jobs.merge(t.job(), 1, Integer::sum));
        List<String> parts = new ArrayList<>();
        jobs.forEach((j, n) -> parts.add(j + " " + n));
        return String.join(", ", parts);
    }
}
