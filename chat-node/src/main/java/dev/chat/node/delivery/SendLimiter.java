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
 */
@Singleton
public class SendLimiter {
    private static final long IDLE_NANOS = 60_000_000_000L;

    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final double perNano;
    private final int burst;
    private final TimeSource time;

    SendLimiter(DeliveryLimits config, TimeSource time) {
        this.perNano = config.sendsPerSecond() / 1e9;
        this.burst = config.sendBurst();
        this.time = time;
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

        synchronized long idleSince(long now) {
            return now - last;
        }
    }
}
