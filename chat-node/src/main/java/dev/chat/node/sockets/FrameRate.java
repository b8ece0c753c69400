package dev.chat.node.sockets;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import dev.chat.node.config.TimeSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.websockets.next.UserData;
import io.quarkus.websockets.next.WebSocketConnection;

/**
 * A token bucket per socket for every frame it sends, whatever its type (sends, acks, pings, typing, reauth,
 * binary, malformed): {@code chat.limits.frames-per-second} sustained, {@code frame-burst} at once. The bucket
 * lives in the socket's own {@link UserData}, so it goes when the socket goes and costs nothing to prune.
 *
 * <p>A frame over the rate is refused ({@code rate_limited}, with when to try again) and not handled. A client
 * that ignores the refusals and sends {@code frame-burst} more frames in a row, none of them within its rate, is
 * flooding: the socket is closed (1008, {@code protocol.CloseCode#FRAME_FLOOD}). Sends have a tighter limit of
 * their own on top ({@code delivery.SendLimiter}).
 */
@Singleton
public class FrameRate {
    private static final UserData.TypedKey<Bucket> BUCKET = new UserData.TypedKey<>("chat.frame-bucket");

    private final double perNano;
    private final int burst;
    private final TimeSource time;
    private final Counter floods;

    @Inject
    FrameRate(SocketLimits config, TimeSource time, MeterRegistry registry) {
        this.perNano = config.framesPerSecond() / 1e9;
        this.burst = config.frameBurst();
        this.time = time;
        this.floods = Counter.builder("chat.sockets.floods.cut").description("sockets closed for flooding frames")
                .register(registry);
    }

    /** Counts a socket closed for flooding (its {@link Verdict.Outcome#FLOOD}): the metric operators watch. */
    public void flooded() {
        floods.increment();
    }

    /** What becomes of one frame: handled, refused, or the last straw of a flood. */
    public record Verdict(Outcome outcome, long retryAfterMs) {
        public enum Outcome {
            /** Within the rate: handle it. */
            ACCEPTED,
            /** Over the rate: answer {@code rate_limited} with {@link #retryAfterMs()}, handle nothing. */
            REFUSED,
            /** Over the rate with the refusals' budget spent too: close the socket. */
            FLOOD
        }

        static final Verdict ACCEPT = new Verdict(Outcome.ACCEPTED, 0);
    }

    /** Takes a token for one frame of {@code connection}; never blocks. */
    public Verdict take(WebSocketConnection connection) {
        UserData data = connection.userData();
        Bucket bucket = data.get(BUCKET);
        if (bucket == null) {
            // Frames of one socket are handled one after another, so two buckets are never made for one socket.
            bucket = new Bucket(burst, time.nanos());
            data.put(BUCKET, bucket);
        }
        return bucket.take(time.nanos(), perNano, burst);
    }

    /**
     * Two buckets of one size and rate: frames handled, and refusals tolerated. A client going a little over its
     * rate (twice it, say) is refused the excess and never closed; one that goes on at many times its rate, deaf
     * to its refusals, empties the second bucket within seconds and is closed. Guarded by itself: a socket's
     * frames are handled in order, but not always on one thread.
     */
    static final class Bucket {
        private double tokens;
        private double refusals;
        private long last;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.refusals = tokens;
            this.last = now;
        }

        synchronized Verdict take(long now, double perNano, int burst) {
            double earned = Math.max(0, now - last) * perNano;
            last = now;
            tokens = Math.min(burst, tokens + earned);
            refusals = Math.min(burst, refusals + earned);
            if (tokens >= 1) {
                tokens -= 1;
                return Verdict.ACCEPT;
            }
            long retryAfterMs = Math.max(1, (long) Math.ceil((1 - tokens) / perNano / 1e6));
            if (refusals < 1) {
                return new Verdict(Verdict.Outcome.FLOOD, retryAfterMs);
            }
            refusals -= 1;
            return new Verdict(Verdict.Outcome.REFUSED, retryAfterMs);
        }
    }
}
