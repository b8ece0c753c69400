package dev.chat.loadgen.measure;

import java.util.Arrays;
import java.util.Locale;

/**
 * How long sends waited for their first answer: from a write of a send frame to the first frame the server
 * answered it with, an ack or an error frame ({@code unavailable}, {@code rate_limited}, ...). A send written
 * again before any answer keeps waiting from its first unanswered write; a send whose socket dropped before any
 * answer ends its wait at the drop, counted as unanswered (the server left it hanging until the client gave the
 * socket up). This is what "answered within 3 s, never left hanging" is judged on; the ledger's send-to-ack time
 * is another figure (it includes the retries after an {@code unavailable}).
 */
public final class AnswerWaits {
    /** The waits of one window. {@code longestNanos} is 0 when there was none. */
    public record Window(int waits, int answered, int unanswered, long longestNanos, double p99Millis) {
        public double longestSeconds() {
            return longestNanos / 1e9;
        }
    }

    // Triples (written, ended, answered ? 1 : 0), times in System.nanoTime().
    private long[] values = new long[3 * 1024];
    private int size;

    /** One wait that ended: answered by a frame, or not (its socket dropped first). */
    public synchronized void record(long writtenAt, long endedAt, boolean answered) {
        if (size + 3 > values.length) {
            values = Arrays.copyOf(values, values.length * 2);
        }
        values[size++] = writtenAt;
        values[size++] = endedAt;
        values[size++] = answered ? 1 : 0;
    }

    /**
     * The waits that overlap {@code [from, to]} (written by {@code to}, ended at or after {@code from}), plus the
     * ones still open: {@code openSince} are the start times of waits without an end yet, measured up to
     * {@code now} and counted as unanswered.
     */
    public synchronized Window window(long from, long to, long[] openSince, long now) {
        int waits = 0;
        int answered = 0;
        long longest = 0;
        long[] durations = new long[size / 3 + openSince.length];
        for (int i = 0; i < size; i += 3) {
            long w = values[i];
            long e = values[i + 1];
            if (w <= to && e >= from) {
                long d = Math.max(0, e - w);
                durations[waits++] = d;
                longest = Math.max(longest, d);
                if (values[i + 2] == 1) {
                    answered++;
                }
            }
        }
        for (long since : openSince) {
            if (since <= to) {
                long d = Math.max(0, now - since);
                durations[waits++] = d;
                longest = Math.max(longest, d);
            }
        }
        double p99 = Double.NaN;
        if (waits > 0) {
            long[] sorted = Arrays.copyOf(durations, waits);
            Arrays.sort(sorted);
            p99 = sorted[Math.max(0, (int) Math.ceil(0.99 * waits) - 1)] / 1e6;
        }
        return new Window(waits, answered, waits - answered, longest, p99);
    }

    /** "longest 2.13 s, p99 2050.0 ms over 412 waits (0 unanswered)". */
    public static String describe(Window w) {
        return String.format(Locale.ROOT, "longest %.2f s, p99 %.1f ms over %d writes (%d never answered)",
                w.longestSeconds(), w.p99Millis(), w.waits(), w.unanswered());
    }
}
