package dev.chat.node.endpoint;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

import dev.chat.node.config.Timers;
import dev.chat.node.postgres.StoreSilence;
import io.quarkus.websockets.next.UserData;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;

/**
 * What one socket's frames started and have not finished, kept in the socket's {@link UserData}: its appends (sends,
 * group sends, edits, deletes) and its acks. The handler returns at once for every frame, so no store call holds
 * the socket's inbound queue (WebSockets Next hands a socket's frames over one at a time): a frozen store delays no
 * frame behind another.
 *
 * <p>Guarantees. A socket's appends reach the log one at a time, in the order their frames came (the order promise
 * of docs/protocol.md). Each gets exactly one answer: its outcome; or, when it has none {@code within} after its
 * arrival and the store has answered nothing for {@code silentAfter}, {@code unavailable} (an append still running
 * may commit later, and the client's retry then finds it and is acked; one not started by then never starts). So
 * while the store is silent every append is answered {@code within} of its arrival, or {@code silentAfter} after
 * the store's last answer if that is later, whatever waits before it and however long the store call's own bound
 * is; a store that is slow but answering keeps them waiting their turn. At most
 * {@code maxWaiting} appends wait: past it the next is answered {@code unavailable} at once. An append equal to one
 * still waiting or being stored (a client's resend: same frame, same ID and content) is not queued again: it gets
 * that one's answer when it comes, so a slow spell's resends neither lengthen the queue nor cost store calls
 * (docs/performance.md, eleventh round). At most
 * {@code maxAcks} acks are in flight: past it an ack is not recorded, and the message is pushed again and acked
 * again, as after any lost ack.
 */
final class Inbound {
    private static final UserData.TypedKey<Inbound> KEY = new UserData.TypedKey<>("chat.inbound");

    private final ArrayDeque<Append> waiting = new ArrayDeque<>();
    /** The append being stored, or null. */
    private Append storing;
    private int acks;

    /** The socket's own; made on its first frame (a socket's frames are handed over one at a time). */
    static Inbound of(WebSocketConnection connection) {
        UserData data = connection.userData();
        Inbound in = data.get(KEY);
        if (in == null) {
            in = new Inbound();
            data.put(KEY, in);
        }
        return in;
    }

    /**
     * Queues an append behind the socket's earlier ones. {@code store} runs when its turn comes (unless its time
     * is up by then) and answers the frame for the sender; {@code unavailable} is the answer when it gives none in
     * time; {@code answer} writes the one answer. {@code frame} is what the client asked for (equal for a resend
     * of the same frame); an append with an equal one unanswered, waiting or being stored, answers this one too.
     */
    void append(Object frame, Supplier<Uni<String>> store, Supplier<String> unavailable, Consumer<String> answer,
            Deadline deadline, int maxWaiting) {
        Append a = new Append(frame, store, unavailable, answer);
        boolean full;
        synchronized (this) {
            Append same = unanswered(frame);
            if (same != null) {
                same.alsoAnswer(answer);
                return;
            }
            full = waiting.size() >= maxWaiting;
            if (!full) {
                waiting.add(a);
            }
        }
        if (full) {
            a.answer(unavailable);
            return;
        }
        deadline.arm(a, deadline.within);
        next();
    }

    /** The unanswered append, being stored or waiting, for an equal frame; null when there is none. */
    private Append unanswered(Object frame) {
        if (storing != null && !storing.answered && storing.frame.equals(frame)) {
            return storing;
        }
        for (Append w : waiting) {
            if (!w.answered && w.frame.equals(frame)) {
                return w;
            }
        }
        return null;
    }

    /** Starts the next append whose time is not up, unless one is running. */
    private void next() {
        Append a;
        synchronized (this) {
            if (storing != null) {
                return;
            }
            do {
                a = waiting.poll();
            } while (a != null && a.answered);
            if (a == null) {
                return;
            }
            storing = a;
        }
        Append current = a;
        Uni<String> stored;
        try {
            stored = current.store.get();
        } catch (RuntimeException e) {
            stored = Uni.createFrom().failure(e);
        }
        stored.subscribe().with(frame -> finished(current, () -> frame), e -> finished(current, current.unavailable));
    }

    private void finished(Append a, Supplier<String> frame) {
        a.answer(frame);
        synchronized (this) {
            storing = null;
        }
        next();
    }

    /** Counts an ack in flight; false (nothing counted) when {@code max} are. */
    synchronized boolean ackStarted(int max) {
        if (acks >= max) {
            return false;
        }
        acks++;
        return true;
    }

    synchronized void ackFinished() {
        acks--;
    }

    /**
     * When an append with no outcome yet is answered {@code unavailable}: {@code within} after its arrival, if the
     * store has then answered nothing for {@code silentAfter}; else looked at again once it could have.
     */
    record Deadline(Timers timers, StoreSilence silence, Duration within, Duration silentAfter) {
        void arm(Append a, Duration after) {
            timers.after(after, () -> {
                if (a.isAnswered()) {
                    return;
                }
                long quiet = silentAfter.toMillis();
                long silent = silence.sinceLastSuccessMillis();
                if (silent < 0 || silent >= quiet) {
                    a.answer(a.unavailable);
                } else {
                    arm(a, Duration.ofMillis(Math.max(10, quiet - silent)));
                }
            });
        }
    }

    final class Append {
        final Object frame;
        final Supplier<Uni<String>> store;
        final Supplier<String> unavailable;
        final Consumer<String> answer;
        /** The answers of resends that came while this one was unanswered. Guarded by the Inbound. */
        private List<Consumer<String>> resends = List.of();
        /** Guarded by the Inbound. */
        boolean answered;

        Append(Object frame, Supplier<Uni<String>> store, Supplier<String> unavailable, Consumer<String> answer) {
            this.frame = frame;
            this.store = store;
            this.unavailable = unavailable;
            this.answer = answer;
        }

        boolean isAnswered() {
            synchronized (Inbound.this) {
                return answered;
            }
        }

        /** Called with the Inbound's lock held, while unanswered. */
        void alsoAnswer(Consumer<String> resend) {
            if (resends.isEmpty()) {
                resends = new ArrayList<>(2);
            }
            resends.add(resend);
        }

        /**
         * The first answer is the one written, to this append's frame and to each resend's; later ones are dropped
         * (and not even made).
         */
        void answer(Supplier<String> frame) {
            List<Consumer<String>> also;
            synchronized (Inbound.this) {
                if (answered) {
                    return;
                }
                answered = true;
                also = resends;
            }
            String f = frame.get();
            if (f != null) {
                answer.accept(f);
                also.forEach(r -> r.accept(f));
            }
        }
    }
}
