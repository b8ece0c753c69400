package dev.chat.node.delivery;

import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.List;
import java.util.function.Function;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;

/**
 * Groups concurrent requests into one database round trip. A request that finds fewer than
 * {@code maxInFlight} batches running goes at once (alone, if it is alone: no added latency at low load);
 * requests arriving while every slot is busy wait and leave together, up to {@code maxBatch} at a time, as
 * soon as a slot frees. So the batch size grows with the load, and a commit is shared by many messages.
 *
 * <p>With a linger, a request never goes at once: the first to find nobody waiting arms a timer, and whatever
 * arrived when it fires (or when {@code maxBatch} are waiting) leaves together, so that one statement settles many
 * even at low load. For requests nobody waits on (acks: the sender's receipt may come a few milliseconds late), and
 * for ones that can wait a little (appends: a millisecond or two on the send's ack).
 *
 * <p>{@code run} must answer one result per request, in the requests' order; its failure fails them all.
 */
final class Batcher<I, O> {
    private final int maxBatch;
    private final int maxInFlight;
    private final long lingerMillis;
    private final Timer timer;
    private final Function<List<I>, Uni<List<O>>> run;
    private final ArrayDeque<Pending<I, O>> waiting = new ArrayDeque<>();
    private int inFlight;
    private boolean armed;

    /** Runs a task once after a delay, on any thread (Vert.x's timers in production). */
    interface Timer {
        void after(long millis, Runnable task);
    }

    Batcher(int maxBatch, int maxInFlight, Function<List<I>, Uni<List<O>>> run) {
        this(maxBatch, maxInFlight, 0, null, run);
    }

    Batcher(int maxBatch, int maxInFlight, long lingerMillis, Timer timer, Function<List<I>, Uni<List<O>>> run) {
        if (lingerMillis > 0 && timer == null) {
            throw new IllegalArgumentException("a linger needs a timer");
        }
        this.maxBatch = maxBatch;
        this.maxInFlight = maxInFlight;
        this.lingerMillis = lingerMillis;
        this.timer = timer;
        this.run = run;
    }

    /** Runs {@code item} in a batch; the result (or the batch's failure) is this request's alone. */
    Uni<O> submit(I item) {
        return Uni.createFrom().emitter(emitter -> {
            boolean arm = false;
            boolean now;
            synchronized (this) {
                waiting.add(new Pending<>(item, emitter));
                now = lingerMillis == 0 || waiting.size() >= maxBatch;
                if (!now && !armed) {
                    armed = true;
                    arm = true;
                }
            }
            if (arm) {
                timer.after(lingerMillis, this::lingerOver);
            }
            if (now) {
                drain();
            }
        });
    }

    private void lingerOver() {
        synchronized (this) {
            armed = false;
        }
        drain();
    }

    private void drain() {
        while (true) {
            List<Pending<I, O>> batch;
            synchronized (this) {
                if (inFlight >= maxInFlight || waiting.isEmpty()) {
                    return;
                }
                inFlight++;
                batch = new ArrayList<>(Math.min(maxBatch, waiting.size()));
                while (batch.size() < maxBatch && !waiting.isEmpty()) {
                    batch.add(waiting.poll());
                }
            }
            List<I> items = new ArrayList<>(batch.size());
            batch.forEach(p -> items.add(p.item()));
            Uni<List<O>> result;
            try {
                result = run.apply(items);
            } catch (RuntimeException e) {
                result = Uni.createFrom().failure(e);
            }
            result.subscribe().with(outs -> {
                done();
                for (int i = 0; i < batch.size(); i++) {
                    batch.get(i).emitter().complete(outs.get(i));
                }
            }, e -> {
                done();
                batch.forEach(p -> p.emitter().fail(e));
            });
        }
    }

    private void done() {
        synchronized (this) {
            inFlight--;
        }
        drain();
    }

    private record Pending<I, O>(I item, UniEmitter<? super O> emitter) {
    }
}
