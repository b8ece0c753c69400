package dev.chat.common.security;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

import io.smallrye.mutiny.Uni;

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
 * <p>Counters {@link #checks()} and {@link #queries()} show the ratio; the services export them as metrics.
 */
public final class RevokedSessionView {
    private final RevokedSessionSource source;
    private final long maxStalenessNanos;
    private final Duration timeout;
    private final Duration keep;
    private final LongSupplier nanoTime;

    private final Map<UUID, OffsetDateTime> revoked = new ConcurrentHashMap<>();
    private final AtomicReference<Flight> flight = new AtomicReference<>();
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
     * when that refresh fails or takes longer than {@code timeout}.
     */
    public Uni<Boolean> isRevoked(UUID session) {
        checks.incrementAndGet();
        long now = nanoTime.getAsLong();
        if (fresh(now)) {
            return Uni.createFrom().item(revoked.containsKey(session));
        }
        return refresh(now).map(x -> revoked.containsKey(session));
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
     * A refresh that started no earlier than {@code maxStaleness} before {@code now}: the latest one (in flight,
     * or done, or failed) if it is that recent, else a new one. A refresh started before the caller is good enough
     * for the bound, as long as it started within it.
     */
    private Uni<Void> refresh(long now) {
        while (true) {
            Flight current = flight.get();
            if (current != null && now - current.started < maxStalenessNanos) {
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

    private synchronized void apply(long started, RevokedSessionSource.Revocations answer) {
        revoked.putAll(answer.revoked());
        if (answer.asked() != null && (asked == null || answer.asked().isAfter(asked))) {
            asked = answer.asked();
        }
        if (asked != null) {
            OffsetDateTime forget = asked.minus(keep);
            revoked.values().removeIf(at -> at.isBefore(forget));
        }
        // After the entries: a caller that sees the new freshFrom sees them too (volatile write, then read).
        if (!loaded || started - freshFrom > 0) {
            freshFrom = started;
        }
        loaded = true;
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
                    .invoke(answer -> apply(started, answer))
                    .onFailure().invoke(e -> failures.incrementAndGet())
                    .replaceWithVoid()
                    .memoize().indefinitely();
        }
    }
}
