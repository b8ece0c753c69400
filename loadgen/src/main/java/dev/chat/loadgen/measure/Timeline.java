package dev.chat.loadgen.measure;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A run's figures second by second, for a chart a person looks at: clients connected at the end of each second,
 * sends acked and messages shown in it, the p99 of send-to-shown of the messages shown in it, each fault as a band,
 * and who answered on the virtual IP. Built once at the end of a run from what the run already recorded (the
 * {@link Ledger}, the {@link ConnectionLog}, the {@link VipProbe}), so measuring it costs the clients nothing.
 * Times are seconds since the run's start.
 */
public record Timeline(String title, List<Second> seconds, List<Band> bands, List<Owner> owners) {
    /** Second {@code at} ({@code [at, at+1)}); {@code p99Millis} is NaN when nothing was shown in it. */
    public record Second(int at, int connected, int acked, int delivered, double p99Millis) {
    }

    /** A fault from {@code from} to {@code to} seconds. */
    public record Band(String name, double from, double to) {
    }

    /** {@code proxy} answered on the virtual IP from {@code from} to {@code to} seconds; null: nobody answered. */
    public record Owner(double from, double to, String proxy) {
    }

    public Timeline {
        seconds = List.copyOf(seconds);
        bands = List.copyOf(bands);
        owners = List.copyOf(owners);
    }

    /** How long the timeline runs, seconds (at least 1). */
    public int length() {
        return Math.max(1, seconds.size());
    }

    /**
     * The timeline of a run that started at {@code start} and ends at {@code end} ({@link System#nanoTime()}):
     * every second of it, with the given fault bands (seconds since start) and, when {@code vip} is not null, the
     * owners of the virtual IP as its probe saw them.
     */
    public static Timeline of(String title, long start, long end, Ledger ledger, ConnectionLog log, List<Band> bands,
            VipProbe vip) {
        int n = (int) Math.max(1, (end - start + 999_999_999L) / 1_000_000_000L);
        int[] acked = new int[n];
        int[] delivered = new int[n];
        long[][] waits = new long[n][];
        int[] waitCount = new int[n];
        for (Ledger.Entry e : ledger.entries()) {
            long a = e.ackedAt;
            int s = second(a, start, n);
            if (a >= 0 && s >= 0) {
                acked[s]++;
            }
            long shown = e.shownAt;
            s = second(shown, start, n);
            if (shown >= 0 && s >= 0) {
                delivered[s]++;
                if (waits[s] == null) {
                    waits[s] = new long[16];
                } else if (waitCount[s] == waits[s].length) {
                    waits[s] = Arrays.copyOf(waits[s], waitCount[s] * 2);
                }
                waits[s][waitCount[s]++] = shown - e.sentAt;
            }
        }
        int[] connected = connectedPerSecond(log, start, n);
        List<Second> seconds = new ArrayList<>(n);
        for (int s = 0; s < n; s++) {
            double p99 = Double.NaN;
            if (waitCount[s] > 0) {
                long[] sorted = Arrays.copyOf(waits[s], waitCount[s]);
                Arrays.sort(sorted);
                p99 = sorted[Math.max(0, (int) Math.ceil(0.99 * sorted.length) - 1)] / 1e6;
            }
            seconds.add(new Second(s, connected[s], acked[s], delivered[s], p99));
        }
        return new Timeline(title, seconds, bands, vip == null ? List.of() : owners(vip.snapshot(), start, n));
    }

    /** The second {@code at} falls in, or -1 outside the run. */
    private static int second(long at, long start, int n) {
        if (at < start) {
            return -1;
        }
        long s = (at - start) / 1_000_000_000L;
        return s < n ? (int) s : -1;
    }

    /** Clients whose socket was open at the end of each second (the last event by then was an open). */
    private static int[] connectedPerSecond(ConnectionLog log, long start, int n) {
        int[] counts = new int[n];
        for (Map.Entry<String, List<ConnectionLog.Event>> client : log.snapshot().entrySet()) {
            List<ConnectionLog.Event> events = new ArrayList<>(client.getValue());
            events.sort(java.util.Comparator.comparingLong(ConnectionLog.Event::at));
            int i = 0;
            boolean open = false;
            for (int s = 0; s < n; s++) {
                long boundary = start + (s + 1) * 1_000_000_000L;
                while (i < events.size() && events.get(i).at() < boundary) {
                    open = events.get(i).connected();
                    i++;
                }
                if (open) {
                    counts[s]++;
                }
            }
        }
        return counts;
    }

    /** Runs of the same answer, from the probe's samples in start order. */
    private static List<Owner> owners(List<VipProbe.Sample> samples, long start, int n) {
        List<Owner> owners = new ArrayList<>();
        String who = null;
        double from = -1;
        for (VipProbe.Sample s : samples) {
            double at = Math.max(0, (s.at() - start) / 1e9);
            if (at > n) {
                break;
            }
            if (from < 0) {
                who = s.proxy();
                from = at;
            } else if (!java.util.Objects.equals(who, s.proxy())) {
                owners.add(new Owner(from, at, who));
                who = s.proxy();
                from = at;
            }
        }
        if (from >= 0) {
            owners.add(new Owner(from, n, who));
        }
        return owners;
    }
}
