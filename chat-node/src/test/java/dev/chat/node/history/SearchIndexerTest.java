package dev.chat.node.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.chat.node.testing.FakeTime;
import dev.chat.node.testing.FakeTimers;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;

/**
 * The indexer's schedule on a hand-moved clock: nothing before it is started, a pass every interval timed from the end
 * of the last (a slow pass is never overlapped by the next), a failed pass does not stop the schedule, none begins
 * once the node stops, and {@code off} never runs one.
 */
class SearchIndexerTest {
    private final FakeTimers timers = new FakeTimers(new FakeTime());
    /** Passes begun and not yet ended, in order; each ends when the test says. */
    private final List<UniEmitter<? super IndexPass.Outcome>> running = new ArrayList<>();
    private int begun;

    private final IndexPass pass = () -> Uni.createFrom().emitter(e -> {
        begun++;
        running.add(e);
    });

    private SearchIndexer indexer(String interval) {
        return new SearchIndexer(pass, timers::after, "node-test", interval);
    }

    private void endPass(boolean fail) {
        UniEmitter<? super IndexPass.Outcome> e = running.remove(0);
        if (fail) {
            e.fail(new IllegalStateException("database away"));
        } else {
            e.complete(new IndexPass.Outcome(true, false, null, 3, 10));
        }
    }

    @Test
    void passesFollowEachOtherAnIntervalApartAndNeverOverlap() {
        SearchIndexer indexer = indexer("500ms");
        timers.advance(Duration.ofSeconds(5));
        assertEquals(0, begun, "nothing before start");
        indexer.start();
        indexer.start();
        timers.advance(Duration.ofMillis(499));
        assertEquals(0, begun);
        timers.advance(Duration.ofMillis(1));
        assertEquals(1, begun, "the first pass one interval after start, once though started twice");
        timers.advance(Duration.ofSeconds(3));
        assertEquals(1, begun, "a slow pass is not overlapped");
        endPass(false);
        timers.advance(Duration.ofMillis(499));
        assertEquals(1, begun);
        timers.advance(Duration.ofMillis(1));
        assertEquals(2, begun, "the next one an interval after the last ended");
        endPass(true);
        timers.advance(Duration.ofMillis(500));
        assertEquals(3, begun, "a failed pass does not stop the schedule");
    }

    @Test
    void noPassBeginsOnceTheNodeStops() {
        SearchIndexer indexer = indexer("500ms");
        indexer.start();
        timers.advance(Duration.ofMillis(500));
        endPass(false);
        indexer.stop(null);
        timers.advance(Duration.ofSeconds(5));
        assertEquals(1, begun, "the pass due after the stop never begins");
    }

    @Test
    void offRunsNothingAndABadIntervalIsRefusedNamingTheSetting() {
        indexer("off").start();
        timers.advance(Duration.ofMinutes(1));
        assertEquals(0, begun);
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> indexer("soon"));
        assertEquals(true, bad.getMessage().contains("chat.search.index-interval"), bad.getMessage());
        assertEquals(Duration.ofSeconds(2), parsed("2s"));
    }

    private Duration parsed(String interval) {
        List<Duration> seen = new ArrayList<>();
        new SearchIndexer(pass, (d, task) -> seen.add(d), "node-test", interval).start();
        return seen.get(0);
    }
}
