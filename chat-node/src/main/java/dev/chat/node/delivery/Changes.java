package dev.chat.node.delivery;

import jakarta.inject.Singleton;

import dev.chat.node.config.TimeSource;
import dev.chat.node.protocol.ClientFrame;
import dev.chat.node.protocol.ServerFrames;
import io.smallrye.mutiny.Uni;

/**
 * Edit and delete frames: stored as events in the {@link ChangeLog}, then answered, routed and echoed exactly as a
 * message ({@link Delivery}), under the same send rate limit.
 */
@Singleton
public class Changes {
    private final Delivery delivery;
    private final ChangeLog log;
    private final SendLimiter limiter;
    private final TimeSource time;
    private final long windowMs;
    private final ServerFrames frames;

    Changes(Delivery delivery, ChangeLog log, SendLimiter limiter, TimeSource time, ChangeConfig config,
            ServerFrames frames) {
        this.delivery = delivery;
        this.log = log;
        this.limiter = limiter;
        this.time = time;
        this.windowMs = config.window().toMillis();
        this.frames = frames;
    }

    /** Answers the change frame for its sender: an ack once it is stored, or the error frame of its refusal. */
    public Uni<String> change(String from, ClientFrame.Change change) {
        long start = time.nanos();
        String refused = admit(from, change);
        return refused != null ? Uni.createFrom().item(refused) : store(from, change, start);
    }

    /** Takes the change's token of the send rate when it arrives: the {@code rate_limited} frame, or null. */
    public String admit(String from, ClientFrame.Change change) {
        long wait = limiter.acquire(from);
        return wait > 0 ? frames.rateLimited(change.id(), wait) : null;
    }

    /** Stores an admitted change and answers it; {@code start}: its arrival. */
    public Uni<String> store(String from, ClientFrame.Change change, long start) {
        long now = time.millis();
        String targetFrom = change.targetFrom() == null ? from : change.targetFrom();
        return delivery.stored(from, change.id(), start, log.change(from, change.id(), change.kind().wire(), targetFrom,
                change.target(), change.body(), now, now - windowMs));
    }
}
