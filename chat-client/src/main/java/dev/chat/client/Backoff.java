package dev.chat.client;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The reconnect rule every client here follows: the delay doubles from {@code min} per failed attempt up to
 * {@code max}, and the wait is drawn uniformly from [d/2, d] (jitter, so a crowd whose node died does not come
 * back in one wave). Close codes that ask for an immediate reconnect (1012 service restart, 1001 going away) skip
 * it; see {@link #immediate(int)}.
 */
public record Backoff(long minMillis, long maxMillis) {
    public Backoff {
        if (minMillis < 1 || maxMillis < minMillis) {
            throw new IllegalArgumentException("backoff needs 1 <= min <= max, not " + minMillis + ", " + maxMillis);
        }
    }

    /** The wait before attempt {@code attempt} (1 = after the first failure), in [d/2, d] ms. */
    public long delayMillis(int attempt) {
        long d = minMillis << Math.min(Math.max(attempt - 1, 0), 20);
        d = Math.min(Math.max(d, 1), maxMillis);
        return d / 2 + ThreadLocalRandom.current().nextLong(d / 2 + 1);
    }

    /** Whether a socket closed with {@code code} asks to be reopened at once: a node restarting or draining. */
    public static boolean immediate(int code) {
        return code == 1012 || code == 1001;
    }
}
