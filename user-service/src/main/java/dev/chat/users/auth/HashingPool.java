package dev.chat.users.auth;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * The threads that run bcrypt: as many as the cores ({@code chat.password.hash-threads}, 0 = one per core), with a
 * queue of {@code chat.password.hash-queue} waiting jobs. A job that finds the queue full, or so long that it would
 * wait more than {@code chat.password.hash-max-wait} (the mean time of a job, times the jobs ahead of it, over the
 * threads: on a loaded machine a short queue is already a long wait), is refused at once with
 * {@link HashingBusyException} (the API answers 503 with Retry-After), so a burst of logins or sign-ups gets quick
 * answers instead of timeouts, and never takes the threads that serve readiness, searches or the event loop.
 * Results come back on the caller's Vert.x context, which Hibernate Reactive requires.
 */
@Singleton
public class HashingPool {
    private final ThreadPoolExecutor executor;
    private final int threads;
    private final int queueCapacity;
    private final long maxWaitNanos;
    // Mean time of one job, smoothed; sizes the Retry-After of a refusal (time to drain a full queue).
    private static final long INITIAL_MEAN_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private final AtomicLong meanNanos = new AtomicLong(INITIAL_MEAN_NANOS);

    @Inject
    public HashingPool(AuthConfig config) {
        this(config.password().hashThreads(), config.password().hashQueue(), config.password().hashMaxWait().toNanos());
    }

    /** {@code threads} 0 means one per core. */
    public HashingPool(int threads, int queueCapacity, long maxWaitNanos) {
        this.threads = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        this.queueCapacity = queueCapacity;
        this.maxWaitNanos = maxWaitNanos;
        AtomicInteger n = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(this.threads, this.threads, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(queueCapacity), r -> {
                    Thread t = new Thread(r, "bcrypt-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.AbortPolicy());
    }

    /**
     * Runs {@code job} on a hashing thread and emits its result (or failure) on the subscriber's Vert.x context
     * (or the hashing thread when there is none). Fails at once with {@link HashingBusyException} when the queue
     * is full; nothing runs then.
     */
    public <T> Uni<T> run(Callable<T> job) {
        return Uni.createFrom().emitter(emitter -> {
            Context context = Vertx.currentContext();
            HashingBusyException busy = refusalNow();
            if (busy != null) {
                emitter.fail(busy);
                return;
            }
            try {
                executor.execute(() -> {
                    long start = System.nanoTime();
                    T result = null;
                    Throwable failure = null;
                    try {
                        result = job.call();
                    } catch (Throwable t) {
                        failure = t;
                    }
                    record(System.nanoTime() - start);
                    T r = result;
                    Throwable f = failure;
                    Runnable emit = () -> {
                        if (f == null) {
                            emitter.complete(r);
                        } else {
                            emitter.fail(f);
                        }
                    };
                    if (context == null) {
                        emit.run();
                    } else {
                        context.runOnContext(v -> emit.run());
                    }
                });
            } catch (RejectedExecutionException e) {
                emitter.fail(new HashingBusyException(retryAfterSeconds()));
            }
        });
    }

    /**
     * The refusal a job handed to {@link #run} now would get (the queue full, or a wait past
     * {@code hash-max-wait}), or null when it would be taken. For callers that shed load before the work that leads
     * to their job (a sign-up's store lookup): a null here does not promise that a later {@code run} is taken.
     */
    public HashingBusyException refusalNow() {
        int queued = executor.getQueue().size();
        int ahead = queued + executor.getActiveCount();
        if (queued >= queueCapacity
                || ahead >= threads && meanNanos.get() * (ahead - threads + 1) / threads > maxWaitNanos) {
            return new HashingBusyException(retryAfterSeconds());
        }
        return null;
    }

    /** Whole seconds in which the threads can work through the jobs waiting now: at least 1, at most 30. */
    long retryAfterSeconds() {
        long drainNanos = meanNanos.get() * (executor.getQueue().size() + threads) / threads;
        return Math.max(1, Math.min(30, TimeUnit.NANOSECONDS.toSeconds(drainNanos) + 1));
    }

    /** Jobs waiting for a thread now (for metrics and tests). */
    public int queued() {
        return executor.getQueue().size();
    }

    /** Jobs running now (for tests). */
    public int running() {
        return executor.getActiveCount();
    }

    public int queueCapacity() {
        return queueCapacity;
    }

    public int threads() {
        return threads;
    }

    /**
     * Forgets the measured job times and starts again from the initial estimate (100 ms). For tests that park jobs
     * on the pool: those jobs' time is no hashing, and would otherwise make the pool refuse later bursts.
     */
    public void resetEstimate() {
        meanNanos.set(INITIAL_MEAN_NANOS);
    }

    private void record(long nanos) {
        meanNanos.updateAndGet(m -> m + (nanos - m) / 8);
    }

    @PreDestroy
    void stop() {
        executor.shutdownNow();
    }
}
