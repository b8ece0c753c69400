package dev.chat.common.security;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.smallrye.mutiny.Uni;

/**
 * The revoked-sessions source in memory, as user-service's table behaves for a reader: a revocation is seen by every
 * answer after it. It can be taken away (every query fails, like PostgreSQL refusing connections) or made to hold
 * its answers (like a frozen database) until released.
 */
final class InMemoryRevokedSessions implements RevokedSessionSource {
    private final Map<UUID, OffsetDateTime> revoked = new ConcurrentHashMap<>();
    private final AtomicInteger queries = new AtomicInteger();
    private final List<CompletableFuture<Void>> held = new ArrayList<>();
    private volatile boolean down;
    private volatile boolean holding;

    void revoke(UUID session) {
        revoke(session, OffsetDateTime.now());
    }

    void revoke(UUID session, OffsetDateTime at) {
        revoked.put(session, at);
    }

    void down(boolean down) {
        this.down = down;
    }

    /** From now on answers wait until {@link #release}. */
    synchronized void hold() {
        holding = true;
    }

    /** Lets every held answer go, and answers at once from now on. */
    synchronized void release() {
        holding = false;
        held.forEach(f -> f.complete(null));
        held.clear();
    }

    int queries() {
        return queries.get();
    }

    @Override
    public Uni<Revocations> since(OffsetDateTime since) {
        queries.incrementAndGet();
        if (down) {
            return Uni.createFrom().failure(new IllegalStateException("source down"));
        }
        Uni<Void> gate;
        synchronized (this) {
            if (holding) {
                CompletableFuture<Void> f = new CompletableFuture<>();
                held.add(f);
                gate = Uni.createFrom().completionStage(f);
            } else {
                gate = Uni.createFrom().voidItem();
            }
        }
        // The answer is read when the gate opens: a frozen database answers as of when it wakes up.
        return gate.map(x -> {
            OffsetDateTime asked = OffsetDateTime.now();
            Map<UUID, OffsetDateTime> answer = new HashMap<>();
            revoked.forEach((id, at) -> {
                if (since == null || !at.isBefore(since)) {
                    answer.put(id, at);
                }
            });
            return new Revocations(asked, answer);
        });
    }
}
