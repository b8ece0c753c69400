package dev.chat.node.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;

/** Batches grow with the load: alone when a slot is free, together when every slot is busy; results in order. */
class BatcherTest {
    /** Every batch run, and the emitters to finish them with, in order. */
    private final List<List<Integer>> runs = new CopyOnWriteArrayList<>();
    private final List<UniEmitter<? super List<String>>> pending = new CopyOnWriteArrayList<>();
    private final List<String> results = new CopyOnWriteArrayList<>();
    private final List<String> failures = new CopyOnWriteArrayList<>();

    private Batcher<Integer, String> batcher(int maxBatch, int maxInFlight) {
        return new Batcher<>(maxBatch, maxInFlight, items -> {
            runs.add(List.copyOf(items));
            return Uni.createFrom().emitter(pending::add);
        });
    }

    private void submit(Batcher<Integer, String> b, int item) {
        b.submit(item).subscribe().with(results::add, e -> failures.add(item + ": " + e.getMessage()));
    }

    /** Answers batch {@code i} with one result per item, "r" + item. */
    private void finish(int i) {
        List<String> out = new ArrayList<>();
        runs.get(i).forEach(item -> out.add("r" + item));
        pending.get(i).complete(out);
    }

    @Test
    void aRequestAloneGoesAtOnceAndAlone() {
        Batcher<Integer, String> b = batcher(256, 4);
        submit(b, 1);
        assertEquals(List.of(List.of(1)), runs);
        finish(0);
        assertEquals(List.of("r1"), results);
    }

    @Test
    void requestsArrivingWhileEverySlotIsBusyLeaveTogetherInOrder() {
        Batcher<Integer, String> b = batcher(256, 1);
        submit(b, 1);
        submit(b, 2);
        submit(b, 3);
        submit(b, 4);
        assertEquals(List.of(List.of(1)), runs, "the others wait for the slot");
        finish(0);
        assertEquals(List.of(List.of(1), List.of(2, 3, 4)), runs);
        finish(1);
        assertEquals(List.of("r1", "r2", "r3", "r4"), results);
    }

    @Test
    void noBatchIsLargerThanMaxBatch() {
        Batcher<Integer, String> b = batcher(2, 1);
        for (int i = 1; i <= 6; i++) {
            submit(b, i);
        }
        for (int i = 0; i < 4; i++) {
            finish(i);
        }
        assertEquals(List.of(List.of(1), List.of(2, 3), List.of(4, 5), List.of(6)), runs);
        assertEquals(6, results.size());
    }

    @Test
    void aFailedBatchFailsItsOwnRequestsOnlyAndFreesItsSlot() {
        Batcher<Integer, String> b = batcher(256, 1);
        submit(b, 1);
        submit(b, 2);
        submit(b, 3);
        pending.get(0).fail(new IllegalStateException("down"));
        assertEquals(List.of("1: down"), failures);
        finish(1);
        assertEquals(List.of("r2", "r3"), results);
    }

    @Test
    void withALingerRequestsWaitForTheTimerAndLeaveTogether() {
        List<Runnable> timers = new CopyOnWriteArrayList<>();
        Batcher<Integer, String> b = new Batcher<>(3, 4, 5, (millis, task) -> timers.add(task), items -> {
            runs.add(List.copyOf(items));
            return Uni.createFrom().emitter(pending::add);
        });
        submit(b, 1);
        submit(b, 2);
        assertEquals(List.of(), runs, "nothing goes before the linger is over");
        assertEquals(1, timers.size(), "one timer for the requests waiting together");
        timers.get(0).run();
        assertEquals(List.of(List.of(1, 2)), runs);
        submit(b, 3);
        submit(b, 4);
        submit(b, 5);
        assertEquals(List.of(List.of(1, 2), List.of(3, 4, 5)), runs, "a full batch goes without waiting");
        finish(0);
        finish(1);
        assertEquals(List.of("r1", "r2", "r3", "r4", "r5"), results);
        timers.get(1).run();
        assertEquals(2, runs.size(), "a timer that finds nobody waiting runs nothing");
    }

    @Test
    void aRunThatThrowsFailsItsBatch() {
        Batcher<Integer, String> b = new Batcher<>(256, 1, items -> {
            throw new IllegalStateException("no statement");
        });
        submit(b, 1);
        submit(b, 2);
        assertEquals(List.of("1: no statement", "2: no statement"), failures);
    }
}
