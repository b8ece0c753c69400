package dev.chat.node.delivery;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

import dev.chat.node.delivery.MessageLog.Appended;
import dev.chat.node.delivery.MessageLog.Appended.Outcome;
import io.smallrye.mutiny.Uni;

/**
 * One append in flight per (sender, client ID) on this node. A second append of a key whose first is still queued
 * or running (a client that timed out under load and resent on its socket) does not go to the store: it waits for
 * the first's outcome and answers from it exactly as the store would have, {@code DUPLICATE} with the stored
 * message when the recipient and body are the same, {@code ID_REUSED} with it when not. If the first stored nothing
 * (a refusal) or failed, the second goes to the store itself (through here again: a third waits on it).
 *
 * <p>Why: without it such a resend races its original inside PostgreSQL, and a statement without {@code ON CONFLICT}
 * fails on {@code messages_dedup} with every message it shares; under overload every batch had one, batches re-ran
 * and resends piled up (docs/performance.md, issue 16). What this cannot see, a resend racing its original through
 * another node, is left to the store's own dedup (rare: a client resends on its socket).
 *
 * <p>Guarantees: it never answers a message as stored that the store did not store (only an outcome carrying the
 * stored message is shared), and it holds a key exactly as long as the store's work for it is queued or running
 * (which {@link Batcher} and PostgresCalls bound), not as long as a caller waits: a caller that timed out leaves it
 * held, so that its resend cannot race it in PostgreSQL.
 */
final class AppendFlights {
    /** The store's append, as {@link MessageLog#append}. */
    interface Store {
        Uni<Appended> append(String from, String id, String to, String body, long ts);
    }

    private record Key(String from, String id) {
    }

    private final Store store;
    private final ConcurrentHashMap<Key, CompletableFuture<Appended>> flights = new ConcurrentHashMap<>();

    AppendFlights(Store store) {
        this.store = store;
    }

    /** Keys with an append in flight now (for tests: a flight ends with its store call). */
    int inFlight() {
        return flights.size();
    }

    Uni<Appended> append(String from, String id, String to, String body, long ts) {
        return Uni.createFrom().deferred(() -> {
            Key key = new Key(from, id);
            CompletableFuture<Appended> mine = new CompletableFuture<>();
            CompletableFuture<Appended> first = flights.putIfAbsent(key, mine);
            if (first == null) {
                lead(key, mine, from, id, to, body, ts);
                return outcome(mine);
            }
            return outcome(first).onItemOrFailure().transformToUni((done, failure) -> {
                if (failure == null && done.message() != null) {
                    return Uni.createFrom().item(answer(done.message(), to, body));
                }
                return append(from, id, to, body, ts);
            });
        });
    }

    /**
     * Calls the store on its own subscription, so that the key stays held for as long as the store's work is queued
     * or running, even when the caller gives up first (its call timed out): a resend then still waits for that work
     * instead of racing it in PostgreSQL. The key is released before the outcome is published, so that whoever goes
     * to the store after a refusal finds no finished flight.
     */
    private void lead(Key key, CompletableFuture<Appended> mine, String from, String id, String to, String body,
            long ts) {
        Uni<Appended> call;
        try {
            call = store.append(from, id, to, body, ts);
        } catch (RuntimeException e) {
            call = Uni.createFrom().failure(e);
        }
        call.subscribe().with(done -> {
            flights.remove(key, mine);
            mine.complete(done);
        }, failure -> {
            flights.remove(key, mine);
            mine.completeExceptionally(failure);
        });
    }

    /** The flight's outcome; a caller that cancels leaves the flight (and every other caller waiting on it) alone. */
    private static Uni<Appended> outcome(CompletableFuture<Appended> flight) {
        return Uni.createFrom().emitter(e -> flight.whenComplete((done, failure) -> {
            if (failure != null) {
                e.fail(failure instanceof CompletionException c && c.getCause() != null
                        ? c.getCause() : failure);
            } else {
                e.complete(done);
            }
        }));
    }

    /** What the store answers an append of a key it holds {@code stored} under (see PgMessageLog's APPEND). */
    private static Appended answer(Message stored, String to, String body) {
        boolean same = stored.group() == null && Objects.equals(stored.to(), to) && Objects.equals(stored.body(), body);
        return new Appended(same ? Outcome.DUPLICATE : Outcome.ID_REUSED, stored, List.of());
    }
}
