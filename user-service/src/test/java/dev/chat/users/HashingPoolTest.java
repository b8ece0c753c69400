package dev.chat.users;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.chat.testing.Poll;
import dev.chat.users.auth.HashingBusyException;
import dev.chat.users.auth.HashingPool;

/** The hashing pool's admission: a full queue, or a wait longer than the bound, is refused at once. */
class HashingPoolTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private static CompletableFuture<Integer> blocked(HashingPool pool, CountDownLatch release) {
        return pool.run(() -> {
            release.await();
            return 1;
        }).subscribeAsCompletionStage();
    }

    private static Throwable failure(CompletableFuture<?> f) throws Exception {
        try {
            f.get(10, TimeUnit.SECONDS);
            throw new AssertionError("expected a refusal");
        } catch (ExecutionException e) {
            return e.getCause();
        }
    }

    @Test
    void aFullQueueIsRefusedAtOnceAndTheRestRuns() throws Exception {
        HashingPool pool = new HashingPool(1, 2, 3600 * SECOND);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Integer> a = blocked(pool, release);
        CompletableFuture<Integer> b = blocked(pool, release);
        CompletableFuture<Integer> c = blocked(pool, release);
        Throwable refused = failure(blocked(pool, release));
        HashingBusyException busy = assertInstanceOf(HashingBusyException.class, refused);
        assertTrue(busy.retryAfterSeconds() >= 1 && busy.retryAfterSeconds() <= 30, "" + busy.retryAfterSeconds());
        release.countDown();
        assertEquals(3, a.get(10, TimeUnit.SECONDS) + b.get(10, TimeUnit.SECONDS) + c.get(10, TimeUnit.SECONDS));
    }

    @Test
    void aJobThatWouldWaitLongerThanTheBoundIsRefusedEvenWithRoomInTheQueue() throws Exception {
        // The mean starts at 100 ms a job: one job ahead on one thread is a 100 ms wait, over the 50 ms bound.
        HashingPool pool = new HashingPool(1, 100, TimeUnit.MILLISECONDS.toNanos(50));
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Integer> first = blocked(pool, release);
        Poll.until(Duration.ofSeconds(10), pool::running, n -> n == 1, n -> "running " + n);
        assertInstanceOf(HashingBusyException.class, failure(blocked(pool, release)));
        assertEquals(0, pool.queued(), "nothing was queued");
        release.countDown();
        assertEquals(1, first.get(10, TimeUnit.SECONDS));
        // The job's result can reach the caller before the pool counts it done: wait until it does.
        Poll.until(Duration.ofSeconds(10), pool::running, n -> n == 0, n -> "running " + n);
        // Idle again: a job goes straight to the thread.
        assertEquals(7, pool.run(() -> 7).await().atMost(Duration.ofSeconds(10)));
    }
}
