package dev.chat.node.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import dev.chat.node.delivery.MessageLog.Appended;
import dev.chat.node.delivery.MessageLog.Appended.Outcome;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.smallrye.mutiny.subscription.UniEmitter;

/**
 * One append in flight per (sender, client ID): a resend while its original is in flight never reaches the store and
 * gets the answer the store would have given; a refused or failed original lets it go to the store itself.
 */
class AppendFlightsTest {
    /** Each call that reached the store, with the emitter to answer it. */
    private record Call(String from, String id, String to, String body, UniEmitter<? super Appended> answer) {
    }

    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final AppendFlights flights = new AppendFlights(
            (from, id, to, body, ts) -> Uni.createFrom().emitter(e -> calls.add(new Call(from, id, to, body, e))));

    /** The answers (or failures) of one append, as it gets them. */
    private static final class Result {
        volatile Appended appended;
        volatile Throwable failure;
        Cancellable subscription;
    }

    private Result append(String from, String id, String to, String body) {
        Result r = new Result();
        r.subscription = flights.append(from, id, to, body, 7).subscribe().with(a -> r.appended = a,
                e -> r.failure = e);
        return r;
    }

    private static Appended accepted(String from, String id, String to, String body) {
        Message m = new Message(42, id, from, to, null, body, 5);
        return new Appended(Outcome.ACCEPTED, m, List.of(to));
    }

    @Test
    void aResendWhileItsOriginalIsInFlightDoesNotReachTheStoreAndIsAnsweredAsADuplicate() {
        Result original = append("ann", "m1", "bob", "hi");
        Result resend = append("ann", "m1", "bob", "hi");
        assertEquals(1, calls.size(), "the resend waits for its original");
        assertNull(resend.appended);

        Appended stored = accepted("ann", "m1", "bob", "hi");
        calls.get(0).answer().complete(stored);

        assertSame(stored, original.appended);
        assertEquals(Outcome.DUPLICATE, resend.appended.outcome());
        assertEquals(stored.message(), resend.appended.message(), "the stored message, as the store answers it");
        assertEquals(List.of(), resend.appended.recipients(), "a duplicate goes to nobody again");
        assertEquals(1, calls.size(), "nothing was sent to the store twice");
        assertEquals(0, flights.inFlight());
    }

    @Test
    void aResendWithAnotherBodyOrRecipientIsAnsweredAsAReusedId() {
        append("ann", "m1", "bob", "hi");
        Result otherBody = append("ann", "m1", "bob", "hello");
        Result otherRecipient = append("ann", "m1", "cat", "hi");
        calls.get(0).answer().complete(accepted("ann", "m1", "bob", "hi"));

        assertEquals(Outcome.ID_REUSED, otherBody.appended.outcome());
        assertEquals("hi", otherBody.appended.message().body(), "the stored message is the one the ID names");
        assertEquals(Outcome.ID_REUSED, otherRecipient.appended.outcome());
        assertEquals(1, calls.size());
    }

    @Test
    void anOriginalThatWasItselfADuplicateAnswersItsResendFromTheStoredMessage() {
        append("ann", "m1", "bob", "hi");
        Result resend = append("ann", "m1", "bob", "hi");
        Message earlier = new Message(9, "m1", "ann", "bob", null, "hi", 3);
        calls.get(0).answer().complete(new Appended(Outcome.DUPLICATE, earlier, List.of()));
        assertEquals(Outcome.DUPLICATE, resend.appended.outcome());
        assertEquals(earlier, resend.appended.message());
    }

    @Test
    void aResendOfARefusedOriginalGoesToTheStoreItself() {
        Result original = append("ann", "m1", "bob", "hi");
        Result resend = append("ann", "m1", "bob", "hi");
        Result third = append("ann", "m1", "bob", "hi");
        calls.get(0).answer().complete(Appended.refused(Outcome.UNAVAILABLE));

        assertEquals(Outcome.UNAVAILABLE, original.appended.outcome());
        assertEquals(2, calls.size(), "one resend goes to the store; the other waits for it in turn");
        assertNull(resend.appended);
        assertNull(third.appended);

        Appended stored = accepted("ann", "m1", "bob", "hi");
        calls.get(1).answer().complete(stored);
        assertEquals(2, calls.size());
        List<Outcome> answers = List.of(resend.appended.outcome(), third.appended.outcome());
        assertEquals(1, answers.stream().filter(Outcome.ACCEPTED::equals).count(), answers.toString());
        assertEquals(1, answers.stream().filter(Outcome.DUPLICATE::equals).count(), answers.toString());
        assertEquals(0, flights.inFlight());
    }

    @Test
    void aResendOfAFailedOriginalGoesToTheStoreItself() {
        Result original = append("ann", "m1", "bob", "hi");
        Result resend = append("ann", "m1", "bob", "hi");
        calls.get(0).answer().fail(new IllegalStateException("connection closed"));

        assertEquals("connection closed", original.failure.getMessage());
        assertEquals(2, calls.size());
        calls.get(1).answer().complete(accepted("ann", "m1", "bob", "hi"));
        assertEquals(Outcome.ACCEPTED, resend.appended.outcome());
    }

    @Test
    void anOriginalWhoseCallerGaveUpStillHoldsItsKeyUntilTheStoreAnswers() {
        Result original = append("ann", "m1", "bob", "hi");
        Result resend = append("ann", "m1", "bob", "hi");
        original.subscription.cancel();
        Result late = append("ann", "m1", "bob", "hi");

        assertEquals(1, calls.size(), "the store's work for the key is still queued: nothing races it");
        assertEquals(1, flights.inFlight());
        Appended stored = accepted("ann", "m1", "bob", "hi");
        calls.get(0).answer().complete(stored);
        assertNull(original.appended, "who gave up hears nothing");
        assertEquals(Outcome.DUPLICATE, resend.appended.outcome());
        assertEquals(Outcome.DUPLICATE, late.appended.outcome());
        assertEquals(0, flights.inFlight());
    }

    @Test
    void aWaiterThatGivesUpLeavesTheOthersWaiting() {
        append("ann", "m1", "bob", "hi");
        Result impatient = append("ann", "m1", "bob", "hi");
        Result patient = append("ann", "m1", "bob", "hi");
        impatient.subscription.cancel();
        calls.get(0).answer().complete(accepted("ann", "m1", "bob", "hi"));
        assertNull(impatient.appended);
        assertEquals(Outcome.DUPLICATE, patient.appended.outcome());
        assertEquals(1, calls.size());
    }

    @Test
    void otherKeysGoToTheStoreAtOnce() {
        append("ann", "m1", "bob", "hi");
        append("ann", "m2", "bob", "hi");
        append("cat", "m1", "bob", "hi");
        assertEquals(3, calls.size(), "a key is a sender and an ID: neither alone");
    }

    @Test
    void aSendAfterItsOriginalEndedGoesToTheStore() {
        append("ann", "m1", "bob", "hi");
        calls.get(0).answer().complete(accepted("ann", "m1", "bob", "hi"));
        append("ann", "m1", "bob", "hi");
        assertEquals(2, calls.size(), "only an append in flight is shared; the store answers the rest");
    }
}
