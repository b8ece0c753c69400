package dev.chat.loadgen.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the probes through the entry point got while a fault lasted: per kind (new socket, login, presence) how
 * often each status came back. A status 0 means no answer within the probe's bound. Thread-safe.
 */
public final class ProbeTally {
    /** The kinds in the order they are told, with the names the summary uses. */
    private static final Map<String, String> KINDS = new LinkedHashMap<>();

    static {
        KINDS.put("upgrade", "new socket");
        KINDS.put("login", "login");
        KINDS.put("presence", "presence");
    }

    private final Map<String, Map<Integer, Integer>> counts = new TreeMap<>();
    private int rounds;

    /** One round of probes: the status of each kind (0: no answer). */
    public synchronized void round(int upgrade, int login, int presence) {
        add("upgrade", upgrade);
        add("login", login);
        add("presence", presence);
        rounds++;
    }

    private void add(String kind, int status) {
        counts.computeIfAbsent(kind, k -> new TreeMap<>()).merge(status, 1, Integer::sum);
    }

    public synchronized int rounds() {
        return rounds;
    }

    /**
     * E.g. {@code new socket: 101 (open) x3, no answer x1; login: 200 x4; presence: 200 x4}: statuses in
     * ascending order, 0 first as "no answer".
     */
    public synchronized String summary() {
        List<String> parts = new ArrayList<>();
        KINDS.forEach((kind, label) -> {
            List<String> s = new ArrayList<>();
            counts.getOrDefault(kind, Map.of()).forEach((code, n) -> s.add(label(code) + " x" + n));
            parts.add(label + ": " + String.join(", ", s));
        });
        return String.join("; ", parts);
    }

    private static String label(int code) {
        return code == 0 ? "no answer" : code == 101 ? "101 (open)" : Integer.toString(code);
    }
}
