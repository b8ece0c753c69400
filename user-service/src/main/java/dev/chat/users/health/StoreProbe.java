package dev.chat.users.health;

import java.time.Duration;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * Asks PostgreSQL {@code SELECT 1} every {@code chat.health.probe-interval} in the background and remembers the
 * answer. Readiness reads that memory ({@link StoreReadiness}) instead of querying on the request, so a health
 * check is answered at once even when every pool connection and hashing thread is busy.
 */
@ApplicationScoped
public class StoreProbe {
    private static final Logger LOG = Logger.getLogger(StoreProbe.class);

    private final Pool pool;
    private final Vertx vertx;
    private final Duration interval;
    private volatile long lastOkMillis;
    private volatile String lastProblem = "not probed yet";
    private volatile boolean probing;
    private long timer = -1;

    public StoreProbe(Pool pool, Vertx vertx, HealthConfig config) {
        this.pool = pool;
        this.vertx = vertx;
        this.interval = config.probeInterval();
    }

    /**
     * The first probe runs before the service takes requests (bounded by two intervals), so a service that starts
     * with its database there is ready at once; one that starts without it starts anyway, not ready.
     */
    void start(@Observes StartupEvent startup) {
        try {
            pool.query("SELECT 1").execute().await().atMost(interval.multipliedBy(2));
            lastOkMillis = System.currentTimeMillis();
        } catch (RuntimeException e) {
            lastProblem = e.toString();
            LOG.warnf("database probe at startup failed: %s", lastProblem);
        }
        timer = vertx.setPeriodic(interval.toMillis(), id -> probe());
    }

    /**
     * Up when the last probe, at most three intervals ago, was answered; a probe still running does not count
     * against it until then.
     */
    public boolean up() {
        return System.currentTimeMillis() - lastOkMillis <= 3 * interval.toMillis();
    }

    /** Why the store is not up (the last failure), for the readiness answer. */
    public String problem() {
        return lastProblem;
    }

    private void probe() {
        if (probing) {
            return;
        }
        probing = true;
        pool.query("SELECT 1").execute()
                .ifNoItem().after(interval.multipliedBy(2)).fail()
                .subscribe().with(rows -> {
                    lastOkMillis = System.currentTimeMillis();
                    probing = false;
                }, failure -> {
                    if (!failure.toString().equals(lastProblem)) {
                        LOG.warnf("database probe failed: %s", failure.toString());
                    }
                    lastProblem = failure.toString();
                    probing = false;
                });
    }

    @PreDestroy
    void stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }
}
