package dev.chat.loadgen.scenario;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;

import dev.chat.loadgen.measure.Ledger;

/**
 * Every member sends one message per interval to the next member (a ring, so every user both sends and
 * receives), each with a fresh ID {@code RUN.SENDER.SEQ} and its sequence number in the body. A sender with
 * {@code maxPending} unacked messages skips its turn (back-pressure while it is cut off).
 */
public final class RingTraffic implements AutoCloseable {
    private final Crowd crowd;
    private final Ledger ledger;
    private final String runId;
    private final Duration interval;
    private final IntSupplier phase;
    private final ScheduledExecutorService timer;
    private final int maxPending;
    private final List<ScheduledFuture<?>> tasks = new ArrayList<>();
    private final AtomicLong[] seqs;
    private volatile boolean running;

    public RingTraffic(Crowd crowd, Ledger ledger, String runId, Duration interval, IntSupplier phase,
            ScheduledExecutorService timer, int maxPending) {
        if (crowd.size() < 2) {
            throw new IllegalArgumentException("a ring needs at least 2 clients");
        }
        this.crowd = crowd;
        this.ledger = ledger;
        this.runId = runId;
        this.interval = interval;
        this.phase = phase;
        this.timer = timer;
        this.maxPending = maxPending;
        this.seqs = new AtomicLong[crowd.size()];
        for (int i = 0; i < seqs.length; i++) {
            seqs[i] = new AtomicLong();
        }
    }

    public synchronized void start() {
        running = true;
        long period = interval.toMillis();
        for (Crowd.Member m : crowd.members()) {
            tasks.add(timer.scheduleAtFixedRate(() -> sendOne(m), ThreadLocalRandom.current().nextLong(period), period,
                    TimeUnit.MILLISECONDS));
        }
    }

    private void sendOne(Crowd.Member m) {
        try {
            if (!running || m.session().pendingCount() >= maxPending) {
                return;
            }
            Crowd.Member to = crowd.members().get((m.index() + 1) % crowd.size());
            long seq = seqs[m.index()].incrementAndGet();
            String id = runId + "." + m.index() + "." + seq;
            ledger.sent(id, m.name(), to.name(), seq, phase.getAsInt(), System.nanoTime());
            m.session().send(id, to.name(), "from " + m.name() + " #" + seq);
        } catch (RuntimeException e) {
            // keep the schedule alive
        }
    }

    /** Stops sending new messages (pending ones are still retried by their sessions). */
    @Override
    public synchronized void close() {
        running = false;
        for (ScheduledFuture<?> f : tasks) {
            f.cancel(false);
        }
        tasks.clear();
    }
}
