package dev.chat.node.delivery;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.inject.Singleton;

import dev.chat.node.config.TimeSource;
import io.quarkus.scheduler.Scheduled;

/**
 * A token bucket per user on this node: {@code chat.limits.sends-per-second} sustained, {@code send-burst} at
 * once. A refused send gets a rate_limited error saying when to retry; nothing is stored. Per node, so a user
 * spread over n nodes may send n times as much: enough to keep one client from flooding a node.
 *
 * <p>Group sends also spend a second bucket by their size, the delivery rows they write
 * ({@code group-rows-per-second}, {@code group-row-burst}): a group is a write amplifier, so the larger it is the
 * slower its members may send to it. The size is known only once the message is stored, so a send is let through
 * while the bucket is not in debt and charged after; the debt then holds back the next ones.
 */
@Singleton
public class SendLimiter {
    private static final long IDLE_NANOS = 60_000_000_000L;

    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final Map<String, Bucket> groupRows = new ConcurrentHashMap<>();
    private final double perNano;
    private final int burst;
    private final double rowsPerNano;
    private final int rowBurst;
    private final TimeSource time;

    SendLimiter(DeliveryLimits config, TimeSource time) {
        this.perNano = config.sendsPerSecond() / 1e9;
        this.burst = config.sendBurst();
        this.rowsPerNano = config.groupRowsPerSecond() / 1e9;
        this.rowBurst = config.groupRowBurst();
        this.time = time;
    }

    /** 0 when {@code user} may send to a group now (their group rows are not in debt), else ms until they are. */
    public long groupRowsOwed(String user) {
        Bucket b = groupRows.get(user);
        return b == null ? 0 : b.owed(time.nanos(), rowsPerNano, rowBurst);
    }

    /** Charges a stored group send's delivery rows to {@code user}; the bucket may go into debt. */
    public void chargeGroupRows(String user, int rows) {
        groupRows.computeIfAbsent(user, u -> new Bucket(rowBurst, time.nanos())).spend(time.nanos(), rowsPerNano,
                rowBurst, rows);
    }

    /** 0 when {@code user} may send now (a token is taken), else how many ms until one is free. */
    public long acquire(String user) {
        return buckets.computeIfAbsent(user, u -> new Bucket(burst, time.nanos())).take(time, perNano, burst);
    }

    /** Buckets of users idle for a minute are full anyway: dropping them bounds memory. */
    @Scheduled(every = "60s")
    void prune() {
        long now = time.nanos();
        buckets.values().removeIf(b -> b.idleSince(now) > IDLE_NANOS);
        // A bucket idle for a minute is not always full here (a debt of more than a minute's rows): kept until it is.
        groupRows.values().removeIf(b -> b.idleSince(now) > IDLE_NANOS && b.owed(now, rowsPerNano, rowBurst) == 0);
    }

    private static final class Bucket {
        private double tokens;
        private long last;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.last = now;
        }

        synchronized long take(TimeSource time, double perNano, int burst) {
            long now = time.nanos();
            tokens = Math.min(burst, tokens + (now - last) * perNano);
            last = now;
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            return Math.max(1, (long) Math.ceil((1 - tokens) / perNano / 1e6));
        }

        /** 0 when the bucket is not in debt (after refilling to {@code now}), else ms until it is out of it. */
        synchronized long owed(long now, double perNano, int burst) {
            refill(now, perNano, burst);
            return tokens >= 0 ? 0 : Math.max(1, (long) Math.ceil(-tokens / perNano / 1e6));
        }

        synchronized void spend(long now, double perNano, int burst, int n) {
            refill(now, perNano, burst);
            tokens -= n;
        }

        private void refill(long now, double perNano, int burst) {
            tokens = Math.min(burst, tokens + Math.max(0, now - last) * perNano);
            last = now;
        }

        synchronized long idleSince(long now) {
            return now - last;
        }
    }
}
