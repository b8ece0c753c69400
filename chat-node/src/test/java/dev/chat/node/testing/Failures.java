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

    public void heal() {
        always = false;
        next.set(0);
    }

    /** Whether this call fails (counts it when failing the next n). */
    boolean now() {
        return always || next.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0;
    }

    /** {@code call} unless this call fails; then a failed Uni, without running {@code call}. */
    <T> Uni<T> orFail(java.util.function.Supplier<Uni<T>> call) {
        return now() ? Uni.createFrom().failure(new IllegalStateException(what + " failed (on demand)")) : call.get();
    }
}
