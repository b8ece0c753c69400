package dev.chat.node.postgres;

import java.time.Duration;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.smallrye.mutiny.Uni;

/**
 * Bounds the node's PostgreSQL calls and remembers when one last succeeded. The reactive client has no statement
 * timeout of its own, and a database that stops answering without closing its connections (frozen, cut off, a
 * primary left behind by a failover) would otherwise leave a send unanswered and the sweep and the probe skipping
 * behind a call that never ends. A call past the bound fails with {@link StoreUnavailable}, which callers answer as
 * {@code unavailable} (the client retries with the same ID). The statement itself may still complete later: an
 * append that commits after its sender was told {@code unavailable} is found as a duplicate on the retry and acked.
 */
@Singleton
public class PostgresCalls implements StoreSilence {
    private final Duration timeout;
    /** System.nanoTime() of the last successful call; 0 before the first. */
    private volatile long lastSuccessAt;

    @Inject
    PostgresCalls(@ConfigProperty(name = "chat.postgres.call-timeout", defaultValue = "2s") Duration timeout) {
        this.timeout = timeout;
    }

    public static PostgresCalls within(Duration timeout) {
        return new PostgresCalls(timeout);
    }

    /**
     * Answers within the bound: {@code call}'s item or failure, or {@link StoreUnavailable} when it gave none. An item
     * counts as the database having answered ({@link StoreSilence}): {@code call} must not turn a database failure
     * into an item (a refusal as a value) inside the bound, or a database that refuses everything passes for a slow one.
     */
    public <T> Uni<T> bounded(Uni<T> call) {
        return call.ifNoItem().after(timeout).failWith(() -> new StoreUnavailable(timeout))
                .invoke(() -> lastSuccessAt = System.nanoTime());
    }

    @Override
    public long sinceLastSuccessMillis() {
        long at = lastSuccessAt;
        return at == 0 ? -1 : (System.nanoTime() - at) / 1_000_000;
    }

    /** PostgreSQL gave no answer within the bound. */
    public static final class StoreUnavailable extends RuntimeException {
        StoreUnavailable(Duration timeout) {
            super("no answer from PostgreSQL within " + timeout.toMillis() + " ms", null, false, false);
        }
    }
}
