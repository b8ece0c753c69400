package dev.chat.loadgen.report;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What Prometheus says of its scrape targets (its HTTP API, {@code GET /api/v1/targets?state=active}) and whether that
 * is a monitored stack: every active target answered its last scrape ({@code health "up"}) and every address the run
 * expects (both proxies of a keepalived pair, say) is among them. A target that was never scraped yet
 * ({@code "unknown"}) is not up: nobody has seen it answer.
 */
public final class ScrapeTargets {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ScrapeTargets() {
    }

    /** One active target: its job, its address ({@code instance} label), last scrape's health and error. */
    public record Target(String job, String instance, String health, String lastError) {
        public boolean up() {
            return "up".equals(health);
        }
    }

    /**
     * The verdict: {@code ok} when there is at least one target, every target is up and none of {@code expected} is
     * missing; {@code down} names the targets that are not up ("job instance: error").
     */
    public record Verdict(boolean ok, List<Target> targets, List<String> down, List<String> missing) {
    }

    /**
     * The active targets of an answer of {@code /api/v1/targets}; an empty list when the text is no such answer
     * (Prometheus did not answer, or answered an error), which {@link #judge} then refuses.
     */
    public static List<Target> parse(String body) {
        List<Target> out = new ArrayList<>();
        if (body == null || body.isBlank()) {
            return out;
        }
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (java.io.IOException e) {
            return out;
        }
        if (!"success".equals(root.path("status").asText())) {
            return out;
        }
        for (JsonNode t : root.path("data").path("activeTargets")) {
            out.add(new Target(t.path("labels").path("job").asText(t.path("scrapePool").asText("")),
                    t.path("labels").path("instance").asText(""), t.path("health").asText("unknown"),
                    t.path("lastError").asText("")));
        }
        return out;
    }

    /** Judges {@code targets} against the addresses ({@code instance} labels) the run expects to be scraped. */
    public static Verdict judge(List<Target> targets, List<String> expected) {
        List<String> down = new ArrayList<>();
        for (Target t : targets) {
            if (!t.up()) {
                down.add(t.job() + " " + t.instance() + ": " + t.health() + (t.lastError().isEmpty() ? "" : " (" + t.lastError() + ")"));
            }
        }
        List<String> missing = new ArrayList<>();
        for (String e : expected) {
            if (targets.stream().noneMatch(t -> t.instance().equals(e))) {
                missing.add(e);
            }
        }
        return new Verdict(!targets.isEmpty() && down.isEmpty() && missing.isEmpty(), List.copyOf(targets), down, missing);
    }
}
