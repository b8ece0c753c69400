package dev.chat.node.delivery;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
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
 * stored message is shared), and it holds no key longer than its first append's call (ended, failed or cancelled).
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

    /** Keys with an append in flight now (for tests: a flight must end with its call). */
    int inFlight() {
        return flights.size();
    }

    Uni<Appended> append(String from, String id, String to, String body, long ts) {
        return Uni.createFrom().deferred(() -> {
            Key key = new Key(from, id);
            CompletableFuture<Appended> mine = new CompletableFuture<>();
            CompletableFuture<Appended> first = flights.putIfAbsent(key, mine);
            if (first == null) {
                return lead(key, mine, from, id, to, body, ts);
            }
            return Uni.createFrom().completionStage(first).onItemOrFailure().transformToUni((done, failure) -> {
                if (failure == null && done.message() != null) {
                    return Uni.createFrom().item(answer(done.message(), to, body));
                }
                return append(from, id, to, body, ts);
            });
        });
    }

    private Uni<Appended> lead(Key key, CompletableFuture<Appended> mine, String from, String id, String to,
            String body, long ts) {
        Uni<Appended> call;
        try {
            call = store.append(from, id, to, body, ts);
        } catch (RuntimeException e) {
            call = Uni.createFrom().failure(e);
        }
        return call.onItemOrFailure().invoke((done, failure) -> {
            flights.remove(key, mine);
            if (failure != null) {
                mine.completeExceptionally(failure);
            } else {
                mine.complete(done);
            }
        }).onCancellation().invoke(() -> {
            // The caller gave up (its call timed out): whoever waits goes to the store itself.
            flights.remove(key, mine);
            mine.completeExceptionally(new CancellationException("the first append of this key was cancelled"));
        });
    }

    /** What the store answers an append of a key it holds {@code stored} under (see PgMessageLog's APPEND). */
    private static Appended answer(Message stored, String to, String body) {
        boolean same = stored.group() == null && Objects.equals(stored.to(), to) && Objects.equals(stored.body(), body);
        return new Appended(same ? Outcome.DUPLICATE : Outcome.ID_REUSED, stored, List.of());
    }
}
