package dev.chat.loadgen.bench;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One load process's traffic second by second, from the moment it first started sending: messages first sent, and
 * messages shown with their send-to-shown latencies, each counted in the second it happened. It is what the
 * benchmark's chart draws over time; the windows ({@link Engine#mark}) stay the figures of record. Seconds past
 * {@link #MAX_SECONDS} are not counted. Not thread-safe: it belongs to the engine's event loop.
 */
final class PerSecond {
    /** An hour: longer runs are charted for their first hour only. */
    static final int MAX_SECONDS = 3600;

    private long origin = -1;
    private int last = -1;
    private final long[] sent = new long[MAX_SECONDS];
    private final long[] shown = new long[MAX_SECONDS];
    private final Histo[] delivery = new Histo[MAX_SECONDS];

    /** Second 0 begins at {@code now}, the first time this is called; later calls change nothing. */
    void start(long now) {
        if (origin < 0) {
            origin = now;
        }
    }

    /** A message first sent at {@code now}. */
    void sent(long now) {
        int s = second(now);
        if (s >= 0) {
            sent[s]++;
        }
    }

    /** A message shown at {@code now}, {@code latencyNanos} after it was first sent (negative: not known). */
    void shown(long now, long latencyNanos) {
        int s = second(now);
        if (s < 0) {
            return;
        }
        shown[s]++;
        if (latencyNanos >= 0) {
            if (delivery[s] == null) {
                delivery[s] = new Histo();
            }
            delivery[s].recordNanos(latencyNanos);
        }
    }

    /** Seconds from second 0 to {@code nanos} (a {@link System#nanoTime()}); NaN before {@link #start}. */
    double at(long nanos) {
        return origin < 0 ? Double.NaN : (nanos - origin) / 1e9;
    }

    private int second(long now) {
        if (origin < 0 || now < origin) {
            return -1;
        }
        long s = (now - origin) / 1_000_000_000L;
        if (s >= MAX_SECONDS) {
            return -1;
        }
        last = Math.max(last, (int) s);
        return (int) s;
    }

    /**
     * The complete seconds before {@code now} (the one under way is left out: it would read as a drop), each
     * {@code {"sent", "shown", "delivery": histogram}}, with the histograms whole so that processes merge exactly.
     */
    ObjectNode toJson(ObjectMapper json, long now) {
        ObjectNode o = json.createObjectNode();
        ArrayNode a = o.putArray("seconds");
        if (origin < 0) {
            return o;
        }
        int complete = (int) Math.min(MAX_SECONDS, Math.max(0, (now - origin) / 1_000_000_000L));
        for (int s = 0; s < complete; s++) {
            ObjectNode sec = a.addObject().put("sent", sent[s]).put("shown", shown[s]);
            if (delivery[s] != null) {
                sec.set("delivery", delivery[s].toJson(json));
            }
        }
        return o;
    }

    /**
     * The seconds of several processes as one series, second by second (each process counts from its own start;
     * the coordinator starts them within milliseconds of each other): {@code {"t", "sent", "delivered",
     * "deliveryP50", "deliveryP99"}} per second, the percentiles in milliseconds and absent when nothing was shown
     * with a known latency. As long as the shortest process's series.
     */
    static ArrayNode merge(ObjectMapper json, List<JsonNode> parts) {
        int n = Integer.MAX_VALUE;
        for (JsonNode p : parts) {
            n = Math.min(n, p.path("seconds").size());
        }
        ArrayNode out = json.createArrayNode();
        if (parts.isEmpty()) {
            return out;
        }
        for (int s = 0; s < n; s++) {
            long sentSum = 0;
            long shownSum = 0;
            Histo h = new Histo();
            for (JsonNode p : parts) {
                JsonNode sec = p.path("seconds").get(s);
                sentSum += sec.path("sent").asLong();
                shownSum += sec.path("shown").asLong();
                h.merge(Histo.fromJson(sec.path("delivery")));
            }
            ObjectNode o = out.addObject().put("t", s).put("sent", sentSum).put("delivered", shownSum);
            if (h.count() > 0) {
                o.put("deliveryP50", h.percentileMillis(0.5)).put("deliveryP99", h.percentileMillis(0.99));
            }
        }
        return out;
    }
}
