package dev.chat.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Waiting for a condition in a test: asked again every 200 ms, bounded by a deadline, never a bare sleep. */
public final class Poll {
    private static final Duration EVERY = Duration.ofMillis(200);

    private Poll() {
    }

    /**
     * Asks {@code probe} until its answer passes {@code done} and returns that answer; after {@code timeout} fails
     * with the last answer, as {@code describe} puts it.
     */
    public static <T> T until(Duration timeout, Supplier<T> probe, Predicate<T> done, Function<T, String> describe) {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            T answer = probe.get();
            if (done.test(answer)) {
                return answer;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError(describe.apply(answer));
            }
            try {
                Thread.sleep(EVERY.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
