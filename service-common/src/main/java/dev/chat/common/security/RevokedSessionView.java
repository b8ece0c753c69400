package dev.chat.common.security;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * A service's in-memory copy of the revoked sessions, so that checking a token costs no query: at most one query
 * to the {@link RevokedSessionSource} per {@code maxStaleness} however many requests come, and none while no
 * request comes (it is refreshed on demand, not on a timer).
 *
 * <p><b>Staleness bound.</b> A revocation that committed at time t is seen by every {@link #isRevoked} call that
 * starts after t + {@code maxStaleness}: the view answers from memory only while its last successful refresh
 * <em>started</em> less than {@code maxStaleness} ago, and a refresh started after t sees t's commit. Older than
 * that, the call waits for a refresh (one shared by every call that waits, at most {@code timeout} long).
 *
 * <p><b>When the source does not answer</b> (PostgreSQL away) within {@code timeout}, a call that needs a refresh
 * fails (the check turns that into 503 {@code unavailable}, as before this view existed); calls within
 * {@code maxStaleness} of the last good refresh are still answered from memory, which is within the bound. A
 * failure is shared like an answer: callers within {@code maxStaleness} of a failed refresh's start get its failure
 * without a query of their own, so while the source is away there is at most one query per {@code maxStaleness}
 * (or per {@code timeout} when the source hangs), never one per request.
 *
 * <p><b>Size.</b> Refreshes are incremental (the sessions revoked since the previous answer); an entry is forgotten
 * {@code keep} after its revocation (user-service keeps revoked rows one hour, access tokens live 10 minutes), so
 * the view holds at most the revocations of the last {@code keep}.
 *
 * <p><b>Listeners.</b> A holder of something that must end with its session (chat-node's sockets) registers a
 * {@link Listener}: after every successful refresh, whoever asked for it, it is told the sessions that refresh added
 * to the view. A node refreshes the one view for its REST checks and for its sockets ({@link #refreshedWithin}), so
 * the two share their queries. Since refreshes are incremental from the source's last answer, a refresh after the
 * source was away reports every revocation made meanwhile.
 *
 * <p>Counters {@link #checks()} and {@link #queries()} show the ratio; the services export them as metrics.
 */
public final class RevokedSessionView {
    /** Told of the sessions each successful refresh added to the view (the ones revoked since the one before). */
    @FunctionalInterface
    public interface Listener {
        /**
         * Called once per refresh that added any, on the thread that completed the refresh, with a set that is never
         * empty; must not block. Its failure is the listener's own: the refresh and the other listeners go on.
         */
        void revoked(Set<UUID> sessions);
    }


    private final RevokedSessionSource source;
    private final long maxStalenessNanos;
    private final Duration timeout;
    private final Duration keep;
    private final LongSupplier nanoTime;

    private final Map<UUID, OffsetDateTime> revoked = new ConcurrentHashMap<>();
    private final AtomicReference<Flight> flight = new AtomicReference<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicLong checks = new AtomicLong();
    private final AtomicLong queries = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    /** The source's clock at its latest answer: the next refresh asks from there. Guarded by this. */
    private OffsetDateTime asked;
    /** Whether any refresh succeeded, and when (nanoTime) the latest successful one started. */
    private volatile boolean loaded;
    private volatile long freshFrom;

    /**
     * @param maxStaleness the bound: how old the answer of a call may be (see the class's doc); positive
     * @param timeout how long a call waits for a refresh before it fails
     * @param keep how long a revoked session stays in the view after its revocation: at least the tokens' lifetime
     * @param nanoTime the clock of {@code maxStaleness} ({@code System::nanoTime}; a test's own clock in tests)
     */
    public RevokedSessionView(RevokedSessionSource source, Duration maxStaleness, Duration timeout, Duration keep,
            LongSupplier nanoTime) {
        if (maxStaleness.isNegative() || maxStaleness.isZero()) {
            throw new IllegalArgumentException("maxStaleness must be positive: " + maxStaleness);
        }
        this.source = source;
        this.maxStalenessNanos = maxStaleness.toNanos();
        this.timeout = timeout;
        this.keep = keep;
        this.nanoTime = nanoTime;
    }

    /**
     * Whether {@code session} was revoked, as of at most {@code maxStaleness} before this call. Answers from memory
     * (no query) while the view is fresh; otherwise after one refresh shared with every concurrent caller. Fails
     * when that refresh fails or takes longer than {@code timeout}. The answer (or failure) comes on the caller's
     * Vert.x context when it called from one: a shared refresh completes on the context of whoever started it (a
     * socket's check, another request), and a request of Quarkus REST that went on there found its CDI request
     * context inactive and answered 500 (seen in WebGroupsTest: PUT .../read and DELETE .../members/carol).
     */
    public Uni<Boolean> isRevoked(UUID session) {
        checks.incrementAndGet();
        long now = nanoTime.getAsLong();
        if (fresh(now)) {
            return Uni.createFrom().item(revoked.containsKey(session));
        }
        return refresh(now, maxStalenessNanos).map(x -> revoked.containsKey(session))
                .emitOn(onContext(Vertx.currentContext()));
    }

    /** Runs each task on {@code caller}, at once when already there; at once when there is no caller context. */
    private static Executor onContext(Context caller) {
        if (caller == null) {
            return Runnable::run;
        }
        return task -> {
            if (Vertx.currentContext() == caller) {
                task.run();
            } else {
                caller.runOnContext(x -> task.run());
            }
        };
    }

    /**
     * Completes once a refresh that started at most {@code maxAge} before this call has succeeded: at once when the
     * latest successful one is that recent, else the latest refresh in flight if it started that recently, else a
     * new one (each shared with every concurrent caller). Fails as {@link #isRevoked} does. A caller that needs to
     * see every revocation committed before it calls passes {@code Duration.ZERO}; the {@link Listener}s hear of
     * what the refresh added before this completes.
     */
    public Uni<Void> refreshedWithin(Duration maxAge) {
        long now = nanoTime.getAsLong();
        long age = maxAge.toNanos();
        if (loaded && now - freshFrom < age) {
            return Uni.createFrom().voidItem();
        }
        return refresh(now, age);
    }

    /** From now on, {@code listener} hears of every session a successful refresh adds to the view. */
    public void listen(Listener listener) {
        listeners.add(listener);
    }

    /** Checks answered so far (every call of {@link #isRevoked}). */
    public long checks() {
        return checks.get();
    }

    /** Queries sent to the source so far (each refresh is one). */
    public long queries() {
        return queries.get();
    }

    /** Refreshes that failed or timed out so far. */
    public long failures() {
        return failures.get();
    }

    /** Sessions held now. */
    public int size() {
        return revoked.size();
    }

    private boolean fresh(long now) {
        return loaded && now - freshFrom < maxStalenessNanos;
    }

    /**
     * A refresh that started less than {@code maxAgeNanos} before {@code now}: the latest one (in flight, or done,
     * or failed) if it is that recent, else a new one. A refresh started before the caller is good enough for the
     * bound, as long as it started within it.
     */
    private Uni<Void> refresh(long now, long maxAgeNanos) {
        while (true) {
            Flight current = flight.get();
            if (current != null && now - current.started < maxAgeNanos) {
                return current.result;
            }
            Flight mine = new Flight(nanoTime.getAsLong());
            if (flight.compareAndSet(current, mine)) {
                return mine.result;
            }
        }
    }

    private synchronized OffsetDateTime askedSoFar() {
        return asked;
    }

    /** Takes an answer in; returns the sessions it added (none already held). */
    private synchronized Set<UUID> apply(long started, RevokedSessionSource.Revocations answer) {
        Set<UUID> added = new HashSet<>();
        answer.revoked().forEach((id, at) -> {
            if (revoked.put(id, at) == null) {
                added.add(id);
            }
        });
        if (answer.asked() != null && (asked == null || answer.asked().isAfter(asked))) {
            asked = answer.asked();
        }
        if (asked != null) {
            OffsetDateTime forget = asked.minus(keep);
            revoked.values().removeIf(at -> at.isBefore(forget));
            // One forgotten at once (older than keep) was not added: nothing of it is still alive to end.
            added.retainAll(revoked.keySet());
        }
        // After the entries: a caller that sees the new freshFrom sees them too (volatile write, then read).
        if (!loaded || started - freshFrom > 0) {
            freshFrom = started;
        }
        loaded = true;
        return added;
    }

    /** Outside the lock: a listener closing sockets must not hold up the next refresh's answer. */
    private void tell(Set<UUID> added) {
        if (added.isEmpty()) {
            return;
        }
        Set<UUID> sessions = Set.copyOf(added);
        for (Listener l : listeners) {
            try {
                l.revoked(sessions);
            } catch (RuntimeException e) {
                // The listener's own failure (see Listener): the view and the other listeners are not its to stop.
            }
        }
    }

    /** One refresh: started at {@code started}, its result shared by every caller (memoized). */
    private final class Flight {
        final long started;
        final Uni<Void> result;

        Flight(long started) {
            this.started = started;
            this.result = Uni.createFrom().deferred(() -> {
                        queries.incrementAndGet();
                        return source.since(askedSoFar());
                    })
                    .ifNoItem().after(timeout).fail()
                    .invoke(answer -> tell(apply(started, answer)))
                    .onFailure().invoke(e -> failures.incrementAndGet())
                    .replaceWithVoid()
                    .memoize().indefinitely();
        }
    }
}
