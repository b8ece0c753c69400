package dev.chat.node.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Timers on a {@link FakeTime}: a task runs when the test moves the clock past its due time ({@link #advance}),
 * never on its own; tasks fall due in the order of their due times.
 */
public final class FakeTimers {
    private final FakeTime time;
    private final List<Task> tasks = new ArrayList<>();
    private long seq;

    private record Task(long dueNanos, long seq, Runnable run) {
    }

    public FakeTimers(FakeTime time) {
        this.time = time;
    }

    public FakeTime time() {
        return time;
    }

    /** Runs {@code task} once the clock has moved {@code delay} past now. */
    public void after(Duration delay, Runnable task) {
        synchronized (tasks) {
            tasks.add(new Task(time.nanos() + delay.toNanos(), seq++, task));
        }
    }

    /** Moves the clock by {@code step}, running every task that falls due, those they schedule included. */
    public void advance(Duration step) {
        time.advance(step);
        while (true) {
            Task next;
            synchronized (tasks) {
                next = tasks.stream().filter(t -> t.dueNanos() - time.nanos() <= 0)
                        .min((a, b) -> a.dueNanos() != b.dueNanos() ? Long.compare(a.dueNanos(), b.dueNanos())
                                : Long.compare(a.seq(), b.seq()))
                        .orElse(null);
                if (next == null) {
                    return;
                }
                tasks.remove(next);
            }
            next.run().run();
        }
    }
}
