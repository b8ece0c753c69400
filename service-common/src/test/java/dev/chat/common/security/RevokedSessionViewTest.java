package dev.chat.common.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import dev.chat.testing.Poll;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.impl.ContextInternal;

/**
 * The in-memory view of revoked sessions against an in-memory source: a revocation is seen within the staleness
 * bound, a request costs no query while the view is fresh, concurrent requests share one query, and a source that is
 * away fails checks (503 in the services) without a query per request. Listeners (chat-node's sockets) hear of each
 * newly revoked session once, from whichever refresh learnt of it, including one after the source was away.
 */
class RevokedSessionViewTest {
    private static final Duration STALENESS = Duration.ofSeconds(1);
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final Duration AWAIT = Duration.ofSeconds(10);

    private final InMemoryRevokedSessions source = new InMemoryRevokedSessions();
    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final RevokedSessionView view = new RevokedSessionView(source, STALENESS, TIMEOUT, Duration.ofHours(1),
            clock::get);

    private boolean revoked(UUID session) {
        return view.isRevoked(session).await().atMost(AWAIT);
    }

    @Test
    void aRevocationIsRefusedOnceTheBoundHasPassedSinceItAndNotAnsweredFromAQueryBefore() {
        UUID session = UUID.randomUUID();
        assertFalse(revoked(session));
        source.revoke(session);
        // Within the bound the view may answer from memory: it did not ask again.
        clock.addAndGet(STALENESS.toNanos() - 1);
        assertFalse(revoked(session), "answered from memory within the bound");
        assertEquals(1, source.queries());
        // At the bound it must have asked.
        clock.addAndGet(1);
        assertTrue(revoked(session), "refused once the bound has passed since the revocation");
        assertEquals(2, source.queries());
    }

    @Test
    void queriesAreFarFewerThanChecks() {
        List<UUID> sessions = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            sessions.add(UUID.randomUUID());
        }
        source.revoke(sessions.get(0));
        int refused = 0;
        // 10,000 requests, one a millisecond: 10 s of a busy service.
        for (int i = 0; i < 10_000; i++) {
            clock.addAndGet(Duration.ofMillis(1).toNanos());
            if (revoked(sessions.get(i % sessions.size()))) {
                refused++;
            }
        }
        assertEquals(100, refused, "every request with the revoked session, and only those, refused");
        assertEquals(10_000, view.checks());
        assertEquals(source.queries(), view.queries());
        assertTrue(view.queries() <= 11, "one query per second of requests at most, got " + view.queries());
    }

    @Test
    void concurrentRequestsOfAStaleViewShareOneQuery() {
        UUID session = UUID.randomUUID();
        source.revoke(session);
        source.hold();
        List<Uni<Boolean>> waiting = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            waiting.add(view.isRevoked(session).memoize().indefinitely());
            waiting.get(i).subscribe().with(x -> {
            }, e -> {
            });
        }
        assertEquals(1, source.queries(), "fifty requests while the view was being filled, one query");
        source.release();
        for (Uni<Boolean> answer : waiting) {
            assertTrue(answer.await().atMost(AWAIT));
        }
        assertEquals(1, source.queries());
    }

    @Test
    void whileTheSourceIsAwayAStaleViewFailsWithoutAQueryPerRequest() {
        UUID live = UUID.randomUUID();
        UUID gone = UUID.randomUUID();
        source.revoke(gone);
        assertFalse(revoked(live));
        source.down(true);
        // Within the bound: answered from the last good refresh, no query.
        clock.addAndGet(STALENESS.toNanos() / 2);
        assertTrue(revoked(gone));
        assertFalse(revoked(live));
        assertEquals(1, source.queries());
        // Past it: every check fails (the services answer 503), with one query for all of them.
        clock.addAndGet(STALENESS.toNanos());
        for (int i = 0; i < 100; i++) {
            assertThrows(IllegalStateException.class, () -> revoked(live));
        }
        assertEquals(2, source.queries());
        assertEquals(1, view.failures());
        // Back: the next check past the bound asks again and answers.
        source.down(false);
        clock.addAndGet(STALENESS.toNanos());
        assertFalse(revoked(live));
        assertTrue(revoked(gone));
        assertEquals(3, source.queries());
    }

    @Test
    void aSourceThatDoesNotAnswerFailsTheCheckAfterTheTimeout() {
        RevokedSessionView quick = new RevokedSessionView(source, STALENESS, Duration.ofMillis(100),
                Duration.ofHours(1), clock::get);
        source.hold();
        try {
            assertThrows(io.smallrye.mutiny.TimeoutException.class,
                    () -> quick.isRevoked(UUID.randomUUID()).await().atMost(AWAIT));
            assertEquals(1, quick.failures());
        } finally {
            source.release();
        }
    }

    @Test
    void revocationsOlderThanKeepAreForgotten() {
        UUID old = UUID.randomUUID();
        UUID recent = UUID.randomUUID();
        source.revoke(old, OffsetDateTime.now().minusHours(2));
        source.revoke(recent);
        assertTrue(revoked(recent));
        assertFalse(revoked(old), "older than keep: its tokens have long expired");
        assertEquals(1, view.size());
    }

    @Test
    void onTheRealClockARevocationIsRefusedWithinTheBound() {
        RevokedSessionView real = new RevokedSessionView(source, Duration.ofMillis(300), TIMEOUT, Duration.ofHours(1),
                System::nanoTime);
        UUID session = UUID.randomUUID();
        assertFalse(real.isRevoked(session).await().atMost(AWAIT));
        source.revoke(session);
        Poll.until(Duration.ofSeconds(5), () -> real.isRevoked(session).await().atMost(AWAIT), r -> r,
                r -> "a revoked session still accepted after 5 s (bound 300 ms)");
    }

    private Uni<Void> refreshNow() {
        return view.refreshedWithin(Duration.ZERO);
    }

    @Test
    void listenersHearOfEachNewlyRevokedSessionOnceFromWhicheverRefreshLearntOfIt() {
        List<Set<UUID>> heard = new CopyOnWriteArrayList<>();
        view.listen(heard::add);
        UUID laptop = UUID.randomUUID();
        UUID phone = UUID.randomUUID();
        refreshNow().await().atMost(AWAIT);
        assertEquals(List.of(), heard, "nothing revoked, nothing told");
        source.revoke(laptop);
        // A REST check's refresh tells the listeners too.
        clock.addAndGet(STALENESS.toNanos());
        assertTrue(revoked(laptop));
        assertEquals(List.of(Set.of(laptop)), heard);
        source.revoke(phone);
        refreshNow().await().atMost(AWAIT);
        assertEquals(List.of(Set.of(laptop), Set.of(phone)), heard, "only what the refresh added");
        assertEquals(3, source.queries());
        // A refresh recent enough is not repeated; ZERO always asks.
        view.refreshedWithin(STALENESS).await().atMost(AWAIT);
        assertEquals(3, source.queries());
        refreshNow().await().atMost(AWAIT);
        assertEquals(4, source.queries());
        assertEquals(2, heard.size(), "nothing new, nothing told");
    }

    @Test
    void aSessionTheSourceReportsAgainIsToldOnlyOnce() {
        // PostgreSQL's answer looks back 5 s before the last one: the same revocation comes back several times.
        UUID session = UUID.randomUUID();
        OffsetDateTime at = OffsetDateTime.now();
        RevokedSessionView repeating = new RevokedSessionView(
                since -> Uni.createFrom().item(new RevokedSessionSource.Revocations(OffsetDateTime.now(), Map.of(session, at))),
                STALENESS, TIMEOUT, Duration.ofHours(1), clock::get);
        List<Set<UUID>> heard = new CopyOnWriteArrayList<>();
        repeating.listen(heard::add);
        for (int i = 0; i < 3; i++) {
            repeating.refreshedWithin(Duration.ZERO).await().atMost(AWAIT);
        }
        assertEquals(List.of(Set.of(session)), heard);
    }

    @Test
    void afterTheSourceWasAwayTheNextRefreshToldEveryRevocationMadeMeanwhile() {
        List<Set<UUID>> heard = new CopyOnWriteArrayList<>();
        view.listen(heard::add);
        refreshNow().await().atMost(AWAIT);
        source.down(true);
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        source.revoke(a);
        assertThrows(IllegalStateException.class, () -> refreshNow().await().atMost(AWAIT));
        source.revoke(b);
        assertThrows(IllegalStateException.class, () -> refreshNow().await().atMost(AWAIT));
        assertEquals(List.of(), heard);
        source.down(false);
        refreshNow().await().atMost(AWAIT);
        assertEquals(List.of(Set.of(a, b)), heard, "caught up on the first answer");
    }

    @Test
    void aListenerThatFailsStopsNeitherTheRefreshNorTheOthers() {
        List<Set<UUID>> heard = new CopyOnWriteArrayList<>();
        view.listen(s -> {
            throw new IllegalStateException("a listener's bug");
        });
        view.listen(heard::add);
        UUID session = UUID.randomUUID();
        source.revoke(session);
        refreshNow().await().atMost(AWAIT);
        assertEquals(List.of(Set.of(session)), heard);
        assertTrue(revoked(session));
        assertEquals(0, view.failures());
    }

    @Test
    void aZeroBoundIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> new RevokedSessionView(source, Duration.ZERO, TIMEOUT, Duration.ofHours(1), clock::get));
    }

    /**
     * A request that joins a refresh another caller started gets its answer on its own Vert.x context, where Quarkus
     * keeps its CDI request context: continued on the starter's context instead, a REST request's security handler
     * found no active request context and answered 500 (a full run of the test command, WebGroupsTest).
     */
    @Test
    void aCallerThatJoinsARefreshStartedElsewhereIsAnsweredOnItsOwnVertxContext() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            // Two duplicated contexts of one event loop, as Quarkus gives each HTTP request (and its request context).
            ContextInternal loop = (ContextInternal) vertx.getOrCreateContext();
            Context starter = loop.duplicate();
            Context joiner = loop.duplicate();
            UUID session = UUID.randomUUID();
            CompletableFuture<Context> starterAnswered = new CompletableFuture<>();
            CompletableFuture<Context> joinerAnswered = new CompletableFuture<>();
            source.hold();
            starter.runOnContext(x -> view.isRevoked(session).subscribe()
                    .with(r -> starterAnswered.complete(Vertx.currentContext())));
            Poll.until(AWAIT, source::queries, q -> q == 1, q -> q + " queries");
            CompletableFuture<Void> joined = new CompletableFuture<>();
            joiner.runOnContext(x -> {
                view.isRevoked(session).subscribe().with(r -> joinerAnswered.complete(Vertx.currentContext()));
                joined.complete(null);
            });
            joined.get(10, TimeUnit.SECONDS);
            // The refresh's answer arrives on the starter's context, as the PostgreSQL client delivers it.
            starter.runOnContext(x -> source.release());
            assertSame(starter, starterAnswered.get(10, TimeUnit.SECONDS), "the starter on its own context");
            assertSame(joiner, joinerAnswered.get(10, TimeUnit.SECONDS), "the joiner on its own context");
            assertEquals(1, source.queries(), "one refresh for both");
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
