package dev.chat.loadgen.bench;

import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Durations in microseconds, in log-linear buckets (64 per power of two: at most 1.6 % off), so that millions of
 * samples cost a few kilobytes and histograms of several load processes merge exactly. The maximum is kept exact.
 * Not thread-safe: each histogram belongs to one thread; merge copies.
 */
public final class Histo {
    private static final int SUB_BITS = 6;
    private static final int SUB = 1 << SUB_BITS;
    private static final int BUCKETS = (64 - SUB_BITS + 1) * SUB;

    private final long[] counts = new long[BUCKETS];
    private long n;
    private long max;
    private double sum;

    public void recordNanos(long nanos) {
        record(Math.max(0, nanos / 1000));
    }

    public void record(long micros) {
        long v = Math.max(0, micros);
        counts[index(v)]++;
        n++;
        sum += v;
        if (v > max) {
            max = v;
        }
    }

    static int index(long v) {
        if (v < SUB) {
            return (int) v;
        }
        int e = 63 - Long.numberOfLeadingZeros(v);
        int sub = (int) ((v >>> (e - SUB_BITS)) & (SUB - 1));
        return (e - SUB_BITS + 1) * SUB + sub;
    }

    /** The middle of bucket {@code i}, in microseconds. */
    static double value(int i) {
        if (i < SUB) {
            return i;
        }
        int e = i / SUB + SUB_BITS - 1;
        int sub = i % SUB;
        long lower = (long) (SUB + sub) << (e - SUB_BITS);
        long width = 1L << (e - SUB_BITS);
        return lower + (width - 1) / 2.0;
    }

    public long count() {
        return n;
    }

    public void merge(Histo o) {
        for (int i = 0; i < BUCKETS; i++) {
            counts[i] += o.counts[i];
        }
        n += o.n;
        sum += o.sum;
        max = Math.max(max, o.max);
    }

    /** The q-quantile (0..1) in milliseconds; NaN when empty. The top quantile is the exact maximum. */
    public double percentileMillis(double q) {
        if (n == 0) {
            return Double.NaN;
        }
        long rank = Math.max(1, (long) Math.ceil(q * n));
        if (rank >= n) {
            return max / 1000.0;
        }
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Math.min(value(i), max) / 1000.0;
            }
        }
        return max / 1000.0;
    }

    public double maxMillis() {
        return n == 0 ? Double.NaN : max / 1000.0;
    }

    public double meanMillis() {
        return n == 0 ? Double.NaN : sum / n / 1000.0;
    }

    /** "p50 1.23 ms, p90 ..., p99 ..., p99.9 ..., max ... (n=...)". */
    public String summary() {
        if (n == 0) {
            return "(no samples)";
        }
        return String.format(Locale.ROOT, "p50 %s  p90 %s  p99 %s  p99.9 %s  max %s ms  (n=%d)", fmt(percentileMillis(0.5)),
                fmt(percentileMillis(0.9)), fmt(percentileMillis(0.99)), fmt(percentileMillis(0.999)), fmt(maxMillis()), n);
    }

    static String fmt(double ms) {
        if (Double.isNaN(ms)) {
            return "-";
        }
        if (ms < 10) {
            return String.format(Locale.ROOT, "%.2f", ms);
        }
        if (ms < 100) {
            return String.format(Locale.ROOT, "%.1f", ms);
        }
        return String.format(Locale.ROOT, "%.0f", ms);
    }

    public ObjectNode toJson(ObjectMapper json) {
        ObjectNode o = json.createObjectNode();
        o.put("n", n).put("max", max).put("sum", sum);
        ArrayNode b = o.putArray("b");
        for (int i = 0; i < BUCKETS; i++) {
            if (counts[i] != 0) {
                b.add(i).add(counts[i]);
            }
        }
        return o;
    }

    public static Histo fromJson(JsonNode o) {
        Histo h = new Histo();
        if (o == null || o.isNull() || o.isMissingNode()) {
            return h;
        }
        h.n = o.path("n").asLong();
        h.max = o.path("max").asLong();
        h.sum = o.path("sum").asDouble();
        JsonNode b = o.path("b");
        for (int i = 0; i + 1 < b.size(); i += 2) {
            h.counts[b.get(i).asInt()] += b.get(i + 1).asLong();
        }
        return h;
    }

    /** The quantiles of {@link #curveJson}: from the median out to the tail, where latency charts look. */
    static final double[] CURVE = {0.5, 0.75, 0.9, 0.95, 0.99, 0.995, 0.999, 0.9995, 0.9999};

    /**
     * The latency by quantile, for charts: {@code [[q, ms], ...]} at each of {@link #CURVE} whose rank a sample
     * fills on its own (no 99.99th percentile from 500 samples), then {@code [1, max]}; empty when empty.
     */
    public ArrayNode curveJson(ObjectMapper json) {
        ArrayNode a = json.createArrayNode();
        if (n == 0) {
            return a;
        }
        for (double q : CURVE) {
            if (n * (1 - q) >= 1) {
                a.addArray().add(q).add(percentileMillis(q));
            }
        }
        a.addArray().add(1.0).add(maxMillis());
        return a;
    }

    /** Percentiles as JSON, for the machine-readable summary. */
    public ObjectNode percentilesJson(ObjectMapper json) {
        ObjectNode o = json.createObjectNode();
        o.put("n", n);
        if (n > 0) {
            o.put("p50", percentileMillis(0.5)).put("p90", percentileMillis(0.9)).put("p99", percentileMillis(0.99))
                    .put("p999", percentileMillis(0.999)).put("max", maxMillis()).put("mean", meanMillis());
        }
        return o;
    }
}
