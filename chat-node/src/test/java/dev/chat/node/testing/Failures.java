package dev.chat.node.testing;

import java.util.concurrent.atomic.AtomicInteger;

import io.smallrye.mutiny.Uni;

/**
 * When an in-memory seam fails, on demand: always (until healed) or the next n calls. Failures are values of the
 * seam's own kind (a failed {@link Uni}), as a broken Redis or PostgreSQL would answer.
 */
public final class Failures {
    private final String what;
    private volatile boolean always;
    private final AtomicInteger next = new AtomicInteger();
    private volatile FakeTimers frozenOn;
    private volatile java.time.Duration bound;
    private volatile FakeTimers slowOn;
    private volatile java.time.Duration delay;

    Failures(String what) {
        this.what = what;
    }

    /** Every call fails until {@link #heal()}. */
    public void failAll() {
        always = true;
    }

    /** The next {@code n} calls fail. */
    public void failNext(int n) {
        next.set(n);
    }

    /**
     * Every call answers nothing until {@code bound} has passed on {@code timers}, then fails: a store that stopped
     * answering (SIGSTOP), behind the node's bound on every call ({@code postgres.PostgresCalls}), until
     * {@link #heal()}.
     */
    public void freeze(FakeTimers timers, java.time.Duration bound) {
        this.bound = bound;
        this.frozenOn = timers;
    }

    /**
     * Every call answers, but only {@code delay} after it was made on {@code timers}: a store that is slow and
     * answering (a loaded machine), until {@link #heal()}.
     */
    public void slow(FakeTimers timers, java.time.Duration delay) {
        this.delay = delay;
        this.slowOn = timers;
    }

    public void heal() {
        always = false;
        next.set(0);
        frozenOn = null;
        slowOn = null;
    }

    /** Whether this call fails (counts it when failing the next n). */
    boolean now() {
        return always || next.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0;
    }

    /** {@code call} unless this call fails; then a failed Uni, without running {@code call}. */
    <T> Uni<T> orFail(java.util.function.Supplier<Uni<T>> call) {
        FakeTimers frozen = frozenOn;
        if (frozen != null) {
            java.time.Duration within = bound;
            return Uni.createFrom().emitter(e -> frozen.after(within,
                    () -> e.fail(new IllegalStateException(what + ": no answer within " + within.toMillis() + " ms"))));
        }
        FakeTimers slow = slowOn;
        if (slow != null) {
            java.time.Duration after = delay;
            return Uni.createFrom().emitter(
                    e -> slow.after(after, () -> call.get().subscribe().with(e::complete, e::fail)));
        }
        return now() ? Uni.createFrom().failure(new IllegalStateException(what + " failed (on demand)")) : call.get();
    }
}
