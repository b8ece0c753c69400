package dev.chat.node.lifecycle;

import java.time.Duration;

import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.chat.node.postgres.PostgresCalls;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * Whether PostgreSQL answers, for readiness: asked once a second in the background, so that a readiness check
 * costs nothing and never waits. The extension's own check ran its query through the node's pool on every
 * health request; in a burst of upgrades (a reconnect storm after a node or proxy restart) it queued behind
 * hundreds of account lookups, timed out, and HAProxy took every node out at once: the storm it should ride out
 * turned into refusals (docs/performance.md).
 *
 * <p>Up when the last answer was a success and no question has gone unanswered for longer than
 * {@link #PATIENCE}: a database that stops answering (stopped, or cut off without a reset) is noticed within that.
 */
@Singleton
public class DatabaseProbe {
    private static final Logger LOG = Logger.getLogger(DatabaseProbe.class);
    static final Duration PATIENCE = Duration.ofSeconds(5);

    private final Pool pool;
    private final PostgresCalls calls;
    /** No successful answer yet, or the last answer was a failure. */
    private volatile boolean failing = true;
    /** System.nanoTime() of the question still unanswered, 0 if none. */
    private volatile long askedAt;

    DatabaseProbe(Pool pool, PostgresCalls calls) {
        this.pool = pool;
        this.calls = calls;
    }

    /**
     * The first question at once, before the schema migration starts (it may hold the main thread), not a
     * second after start: readiness waits for its answer.
     */
    void start(@Observes @Priority(0) StartupEvent event) {
        probe().subscribe().with(x -> {
        });
    }

    @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> probe() {
        askedAt = System.nanoTime();
        // Bounded, so that a database that stopped answering fails this question instead of holding every later
        // one back (the schedule skips while a probe runs).
        return calls.bounded(pool.query("SELECT 1").execute())
                .invoke(rows -> settle(false, null))
                .onFailure().invoke(e -> settle(true, e))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    private void settle(boolean failed, Throwable why) {
        if (failed && !failing) {
            LOG.warnf("PostgreSQL does not answer: %s", why.toString());
        } else if (!failed && failing) {
            LOG.info("PostgreSQL answers");
        }
        failing = failed;
        askedAt = 0;
    }

    public boolean isUp() {
        long asked = askedAt;
        boolean waitingTooLong = asked != 0 && System.nanoTime() - asked > PATIENCE.toNanos();
        return !failing && !waitingTooLong;
    }
}
