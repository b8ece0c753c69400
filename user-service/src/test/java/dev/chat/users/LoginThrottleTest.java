package dev.chat.users;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import dev.chat.users.auth.LoginThrottle;

/** The throttle's arithmetic on a clock of its own: windows, Retry-After, in-flight attempts, resets, bounds. */
class LoginThrottleTest {
    private static final long MINUTE = 60_000;

    /** A clock the test moves. */
    static final class FakeClock extends Clock {
        long now = 1_000_000_000L;

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(now);
        }

        @Override
        public long millis() {
            return now;
        }
    }

    private final FakeClock clock = new FakeClock();
    private final LoginThrottle throttle = new LoginThrottle(clock, true, 5, 20, MINUTE, 1000);

    private void fail(String user, String source) {
        LoginThrottle.Ticket t = throttle.attempt(user, source);
        assertTrue(t.allowed(), "attempt refused too early");
        t.failed();
    }

    @Test
    void theSixthAttemptOnAnAccountWaitsUntilTheOldestFailureIsAMinuteOld() {
        for (int i = 0; i < 5; i++) {
            fail("alice", "10.0.0." + i);
            clock.now += 1000;
        }
        LoginThrottle.Ticket refused = throttle.attempt("alice", "10.9.9.9");
        assertFalse(refused.allowed());
        assertEquals("account", refused.scope());
        // The first failure was 5 s ago: it leaves the window in 55 s.
        assertEquals(55_000, refused.retryAfterMillis());
        assertEquals(55, refused.retryAfterSeconds());
        clock.now += 54_999;
        assertFalse(throttle.attempt("alice", "10.9.9.9").allowed());
        clock.now += 1;
        assertTrue(throttle.attempt("alice", "10.9.9.9").allowed());
    }

    @Test
    void refusedAttemptsDoNotProlongTheLock() {
        for (int i = 0; i < 5; i++) {
            fail("bob", "10.0.1.1");
        }
        for (int i = 0; i < 100; i++) {
            assertFalse(throttle.attempt("bob", "10.0.1.2").allowed());
            clock.now += 100;
        }
        clock.now += MINUTE - 10_000;
        assertTrue(throttle.attempt("bob", "10.0.1.2").allowed());
    }

    @Test
    void aSuccessClearsTheAccountButNotTheSource() {
        for (int i = 0; i < 4; i++) {
            fail("carol", "10.0.2.1");
        }
        throttle.attempt("carol", "10.0.2.1").succeeded();
        assertEquals(0, throttle.accountFailures("carol"));
        for (int i = 0; i < 4; i++) {
            fail("carol", "10.0.2.1");
        }
        throttle.attempt("carol", "10.0.2.1").failed();
        // The source has 9 failures: 11 more reach 20.
        for (int i = 0; i < 11; i++) {
            fail("other" + i, "10.0.2.1");
        }
        LoginThrottle.Ticket refused = throttle.attempt("dave", "10.0.2.1");
        assertFalse(refused.allowed());
        assertEquals("source", refused.scope());
        assertTrue(throttle.attempt("dave", "10.0.2.2").allowed(), "another source is not affected");
    }

    @Test
    void parallelAttemptsWaitWhileTheLimitIsFullOfAttemptsInFlight() {
        List<LoginThrottle.Ticket> inFlight = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            LoginThrottle.Ticket t = throttle.attempt("erin", "10.0.3." + i);
            assertTrue(t.allowed());
            inFlight.add(t);
        }
        LoginThrottle.Ticket sixth = throttle.attempt("erin", "10.0.3.9");
        assertFalse(sixth.allowed(), "a burst of parallel guesses must not pass the limit");
        assertTrue(sixth.mustWait(), "attempts in flight are no failures: it waits for their verdicts");
        inFlight.get(0).abandon(); // no verdict (database down): counts neither way
        assertTrue(throttle.attempt("erin", "10.0.3.9").allowed());
    }

    @Test
    void aWaitingAttemptGoesAheadWhenAnAttemptInFlightSucceeds() {
        List<LoginThrottle.Ticket> inFlight = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            inFlight.add(throttle.attempt("gina", "10.0.6.1"));
        }
        CompletableFuture<LoginThrottle.Ticket> waiting = throttle.admit("gina", "10.0.6.1")
                .subscribeAsCompletionStage();
        assertFalse(waiting.isDone(), "the limit is full of attempts in flight");
        assertEquals(1, throttle.waiting());
        inFlight.get(0).failed(); // 1 failure + 4 in flight: still full
        assertFalse(waiting.isDone());
        inFlight.get(1).succeeded(); // the account's failures are forgotten: room for it
        LoginThrottle.Ticket admitted = waiting.getNow(null);
        assertTrue(admitted != null && admitted.allowed(), "admitted once a verdict made room");
        assertEquals(0, throttle.waiting());
    }

    @Test
    void aWaitingAttemptIsRefusedWhenTheAttemptsInFlightAllFail() {
        List<LoginThrottle.Ticket> inFlight = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            inFlight.add(throttle.attempt("hank", "10.0.7." + i));
        }
        CompletableFuture<LoginThrottle.Ticket> waiting = throttle.admit("hank", "10.0.7.9")
                .subscribeAsCompletionStage();
        inFlight.forEach(LoginThrottle.Ticket::failed);
        LoginThrottle.Ticket refused = waiting.getNow(null);
        assertTrue(refused != null && !refused.allowed() && !refused.mustWait(), "refused on five verdicts");
        assertEquals("account", refused.scope());
        assertEquals(MINUTE, refused.retryAfterMillis());
    }

    @Test
    void waitingIsBoundedAndALeavingWaiterIsForgotten() {
        LoginThrottle small = new LoginThrottle(clock, true, 1, 20, MINUTE, 1000, 2, 10_000);
        LoginThrottle.Ticket first = small.attempt("ivan", "10.0.8.1");
        CompletableFuture<LoginThrottle.Ticket> a = small.admit("ivan", "10.0.8.1").subscribeAsCompletionStage();
        CompletableFuture<LoginThrottle.Ticket> b = small.admit("ivan", "10.0.8.1").subscribeAsCompletionStage();
        LoginThrottle.Ticket third = small.admit("ivan", "10.0.8.1").await().indefinitely();
        assertFalse(third.allowed() || third.mustWait(), "past max-waiting: refused at once");
        assertEquals(1, third.retryAfterSeconds());
        assertEquals(LoginThrottle.BUSY, third.scope(), "refused for capacity, not failures");
        a.cancel(true);
        assertEquals(1, small.waiting(), "a cancelled waiter leaves the queue");
        first.succeeded();
        assertTrue(b.getNow(null) != null && b.getNow(null).allowed());
    }

    @Test
    void namesThatCannotBeUsernamesAreOnlyThrottledBySource() {
        String junk = "' OR 1=1 --";
        for (int i = 0; i < 10; i++) {
            fail(junk, "10.0.4." + i);
        }
        assertTrue(throttle.attempt(junk, "10.0.4.99").allowed());
        assertEquals(0, throttle.accountFailures(junk));
        fail("x".repeat(100_000), "10.0.4.100");
        fail(null, "10.0.4.101");
    }

    @Test
    void memoryIsBounded() {
        for (int i = 0; i < 5000; i++) {
            fail("user" + i, "10.1." + (i / 250) + "." + (i % 250));
        }
        assertTrue(throttle.tracked() <= 2 * 1000 + 2, "tracked " + throttle.tracked());
        clock.now += MINUTE;
        fail("late", "10.2.0.1");
        assertTrue(throttle.tracked() <= 2 * 1000 + 2);
    }

    @Test
    void disabledLetsEverythingThrough() {
        LoginThrottle off = new LoginThrottle(clock, false, 1, 1, MINUTE, 100);
        for (int i = 0; i < 10; i++) {
            LoginThrottle.Ticket t = off.attempt("frank", "10.0.5.1");
            assertTrue(t.allowed());
            t.failed();
        }
    }
}
