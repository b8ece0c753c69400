package dev.chat.loadgen.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The alerts in what Alertmanager posts to a webhook receiver (its webhook JSON, version 4: {@code {"status": ...,
 * "alerts": [{"status": "firing", "labels": {"alertname": ...}}, ...]}}), and which hosts' VRRP transitions
 * (keepalived/notify.sh's alert {@code VrrpTransition}, label {@code host}) came through that way.
 */
public final class AlertPosts {
    private static final ObjectMapper JSON = new ObjectMapper();

    private AlertPosts() {
    }

    /** One alert of a post: its name, its status ("firing" or "resolved") and every label. */
    public record Alert(String name, String status, Map<String, String> labels) {
    }

    /** The alerts of one post; none when the body is not a webhook post (it is then ignored, not an error). */
    public static List<Alert> parse(String body) {
        List<Alert> out = new ArrayList<>();
        JsonNode root;
        try {
            root = JSON.readTree(body == null ? "" : body);
        } catch (java.io.IOException e) {
            return out;
        }
        if (root == null) {
            return out;
        }
        for (JsonNode a : root.path("alerts")) {
            Map<String, String> labels = new LinkedHashMap<>();
            a.path("labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
            out.add(new Alert(labels.getOrDefault("alertname", ""), a.path("status").asText(""), labels));
        }
        return out;
    }

    /** host -> the VRRP states of its {@code VrrpTransition} alerts received (each state once, in order of arrival). */
    public static Map<String, List<String>> vrrpTransitions(List<Alert> alerts) {
        Map<String, List<String>> out = new TreeMap<>();
        for (Alert a : alerts) {
            if ("VrrpTransition".equals(a.name())) {
                List<String> states = out.computeIfAbsent(a.labels().getOrDefault("host", "?"), h -> new ArrayList<>());
                String s = a.labels().getOrDefault("state", "?");
                if (!states.contains(s)) {
                    states.add(s);
                }
            }
        }
        return out;
    }
}
