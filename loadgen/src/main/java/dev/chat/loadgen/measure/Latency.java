package dev.chat.loadgen.measure;

import java.util.Arrays;

/** Durations in nanoseconds, kept whole (a drill or a benchmark records at most a few million). */
public final class Latency {
    private long[] values = new long[1024];
    private int size;

    public synchronized void record(long nanos) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = nanos;
    }

    public synchronized int count() {
        return size;
    }

    /** The q-quantile (0..1) in milliseconds, or NaN when empty. */
    public synchronized double percentileMillis(double q) {
        if (size == 0) {
            return Double.NaN;
        }
        long[] sorted = Arrays.copyOf(values, size);
        Arrays.sort(sorted);
        int i = (int) Math.ceil(q * size) - 1;
        return sorted[Math.max(0, Math.min(size - 1, i))] / 1e6;
    }

    /**
     * The q-quantile (0..1) in milliseconds of the values recorded from the {@code from}-th on (values are kept in
     * the order they were recorded, so {@code from} = an earlier {@link #count()} gives a time window), or NaN when
     * there are none.
     */
    public synchronized double percentileMillisSince(int from, double q) {
        int start = Math.max(0, Math.min(from, size));
        if (start == size) {
            return Double.NaN;
        }
        long[] sorted = Arrays.copyOfRange(values, start, size);
        Arrays.sort(sorted);
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }

    public synchronized double maxMillis() {
        long max = 0;
        for (int i = 0; i < size; i++) {
            max = Math.max(max, values[i]);
        }
        return size == 0 ? Double.NaN : max / 1e6;
    }

    /** "p50 12.3 ms, p99 45.6 ms, max 78.9 ms (n=1000)". */
    public String summary() {
        return String.format(java.util.Locale.ROOT, "p50 %.1f ms, p99 %.1f ms, max %.1f ms (n=%d)",
                percentileMillis(0.50), percentileMillis(0.99), maxMillis(), count());
    }
}
