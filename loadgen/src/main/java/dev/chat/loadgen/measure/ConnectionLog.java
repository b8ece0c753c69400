package dev.chat.loadgen.measure;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** When each client's socket opened and dropped, to tell how long a fault kept clients away. */
public final class ConnectionLog {
    public record Event(long at, boolean connected, String reason) {
    }

    /**
     * What a window saw: how many clients lost their socket in it, when the last of them was back for good
     * ({@code allBackAt}, -1 if none was lost, Long.MAX_VALUE if one is still away), the longest
     * drop-to-back time, failed connection attempts, and the reasons sockets dropped.
     */
    public record Outage(int clients, int dropped, long allBackAt, long longestNanos, int failedAttempts,
            List<String> away, Map<String, Integer> reasons) {
        public boolean everyoneBack() {
            return allBackAt != Long.MAX_VALUE;
        }
    }

    private final Map<String, List<Event>> events = new ConcurrentHashMap<>();
    private final Map<String, List<Long>> failures = new ConcurrentHashMap<>();

    public void connected(String client, long at) {
        add(client, new Event(at, true, "open"));
    }

    public void disconnected(String client, long at, String reason) {
        add(client, new Event(at, false, reason));
    }

    public void failed(String client, long at) {
        List<Long> l = failures.computeIfAbsent(client, k -> new ArrayList<>());
        synchronized (l) {
            l.add(at);
        }
    }

    private void add(String client, Event e) {
        List<Event> l = events.computeIfAbsent(client, k -> new ArrayList<>());
        synchronized (l) {
            l.add(e);
        }
    }

    /** A copy of every client's opens and drops so far, in the order they came, for {@link Timeline}. */
    Map<String, List<Event>> snapshot() {
        Map<String, List<Event>> copy = new java.util.TreeMap<>();
        events.forEach((client, l) -> {
            synchronized (l) {
                copy.put(client, new ArrayList<>(l));
            }
        });
        return copy;
    }

    /** The window [from, to]; {@code open} tells whether a client's socket is open now. */
    public Outage window(long from, long to, java.util.function.Predicate<String> open) {
        int dropped = 0;
        long allBack = -1;
        long longest = 0;
        int failed = 0;
        List<String> away = new ArrayList<>();
        Map<String, Integer> reasons = new java.util.TreeMap<>();
        for (Map.Entry<String, List<Event>> me : events.entrySet()) {
            List<Event> l;
            synchronized (me.getValue()) {
                l = new ArrayList<>(me.getValue());
            }
            long firstDrop = -1;
            long lastDrop = -1;
            long backAt = -1;
            for (Event e : l) {
                if (e.at() < from || e.at() > to) {
                    continue;
                }
                if (!e.connected()) {
                    if (firstDrop < 0) {
                        firstDrop = e.at();
                    }
                    lastDrop = e.at();
                    backAt = -1;
                    reasons.merge(shorten(e.reason()), 1, Integer::sum);
                } else if (lastDrop >= 0) {
                    backAt = e.at();
                }
            }
            if (firstDrop < 0) {
                continue;
            }
            dropped++;
            if (backAt < 0 || !open.test(me.getKey())) {
                allBack = Long.MAX_VALUE;
                away.add(me.getKey());
                continue;
            }
            if (allBack != Long.MAX_VALUE) {
                allBack = Math.max(allBack, backAt);
            }
            longest = Math.max(longest, backAt - firstDrop);
        }
        for (List<Long> l : failures.values()) {
            synchronized (l) {
                for (long t : l) {
                    if (t >= from && t <= to) {
                        failed++;
                    }
                }
            }
        }
        return new Outage(events.size(), dropped, allBack, longest, failed, away, reasons);
    }

    private static String shorten(String reason) {
        String r = reason == null ? "?" : reason;
        if (r.startsWith("silent for")) {
            return "silent";
        }
        return r.length() > 60 ? r.substring(0, 60) : r;
    }
}
