package dev.chat.users.auth;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import dev.chat.common.Usernames;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Login throttling, per account and per source address, over a sliding window of failed attempts:
 * <ul>
 * <li>an account with {@code account-failures} failed logins in the window (5 a minute by default) is refused
 * until the oldest of them leaves the window, even with the right password; a successful login clears the
 * account's failures (never the source's);
 * <li>a source address with {@code source-failures} failed logins in the window (20 a minute), whatever the
 * accounts, is refused the same way.
 * </ul>
 * Attempts still being checked (bcrypt takes its time) are no failures, but they take the room a failure would:
 * while failures plus attempts in flight fill a limit, the next attempt waits ({@link #admit}) until one of them
 * ends, and is then let through or refused on the verdicts. So a burst of parallel guesses cannot slip past the
 * limit, and a burst of correct logins to one account is never refused for it. At most {@code max-waiting}
 * attempts wait at once, each at most {@code max-wait}; past either they are refused as {@link #BUSY} (the API
 * answers 503 with a Retry-After of a second, as when hashing is busy). Refused attempts are not
 * counted: an attacker cannot prolong a lock by hammering it, and the Retry-After given is when an attempt will
 * be checked again.
 *
 * <p>State lives in this process only (each user-service instance throttles on its own; behind N instances an
 * account gets up to N times the limit). It is bounded: at most {@code max-tracked} keys per kind, the least
 * recently used forgotten first. Names that cannot be usernames are not tracked per account (they can never
 * log in), only per source.
 */
@Singleton
public class LoginThrottle {
    /** {@link Window#waitFor}: the limit is full of attempts still in flight; wait for one to end. */
    private static final long IN_FLIGHT = -1;
    private static final long BUSY_RETRY_MILLIS = 1000;
    /** The scope of a refusal for capacity, not failures: too many waiting, or waited too long. */
    public static final String BUSY = "busy";

    /**
     * A login may go ahead ({@link #allowed()}), must wait for attempts in flight ({@link #mustWait()}), or is
     * refused for {@code retryAfterMillis}; an allowed one is released with one of its verdicts when done.
     */
    public final class Ticket {
        private final String account;
        private final String source;
        private final long retryAfterMillis;
        private final String scope;
        private boolean released;

        private Ticket(String account, String source, long retryAfterMillis, String scope) {
            this.account = account;
            this.source = source;
            this.retryAfterMillis = retryAfterMillis;
            this.scope = scope;
        }

        public boolean allowed() {
            return retryAfterMillis == 0;
        }

        /** Not refused: the limit is full only of attempts still being checked. {@link #admit} waits for them. */
        public boolean mustWait() {
            return retryAfterMillis == IN_FLIGHT;
        }

        public long retryAfterMillis() {
            return retryAfterMillis;
        }

        /** Whole seconds to wait, at least 1 (what Retry-After says). */
        public long retryAfterSeconds() {
            return Math.max(1, (retryAfterMillis + 999) / 1000);
        }

        /**
         * "account" or "source": which limit refused it (null when allowed); {@link LoginThrottle#BUSY} when it was
         * refused for waiting too long, or behind too many, for attempts in flight (no failure counted).
         */
        public String scope() {
            return scope;
        }

        /** The password was right: the account's failures are forgotten. */
        public void succeeded() {
            end(true);
        }

        /** The password was wrong (or the account unknown): one more failure for both account and source. */
        public void failed() {
            end(false);
        }

        /** No verdict (the database failed, say): the attempt ends without counting either way. */
        public void abandon() {
            end(null);
        }

        private void end(Boolean ok) {
            List<Runnable> wake;
            synchronized (LoginThrottle.this) {
                if (released || !allowed()) {
                    return;
                }
                released = true;
                long now = clock.millis();
                accounts.release(account);
                sources.release(source);
                if (ok != null && ok) {
                    accounts.clear(account);
                } else if (ok != null) {
                    accounts.fail(account, now);
                    sources.fail(source, now);
                }
                wake = decideWaiters(now);
            }
            wake.forEach(Runnable::run);
        }
    }

    /** An attempt parked by {@link #admit} until attempts in flight end. */
    private static final class Waiter {
        static final int WAITING = 0;
        static final int DELIVERED = 1;
        static final int GONE = 2;

        final String account;
        final String source;
        final UniEmitter<? super Ticket> emitter;
        final Context context;
        final AtomicInteger state = new AtomicInteger(WAITING);

        Waiter(String account, String source, UniEmitter<? super Ticket> emitter, Context context) {
            this.account = account;
            this.source = source;
            this.emitter = emitter;
            this.context = context;
        }

        /** Hands the ticket over on the waiter's own context; a waiter that left meanwhile gives it back. */
        Runnable deliver(Ticket ticket) {
            Runnable hand = () -> {
                if (state.compareAndSet(WAITING, DELIVERED)) {
                    emitter.complete(ticket);
                } else {
                    ticket.abandon();
                }
            };
            return context == null ? hand : () -> context.runOnContext(v -> hand.run());
        }
    }

    private final Clock clock;
    private final Window accounts;
    private final Window sources;
    private final boolean enabled;
    private final int maxWaiting;
    private final long maxWaitMillis;
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();

    @Inject
    public LoginThrottle(AuthConfig config) {
        this(Clock.systemUTC(), config.login().enabled(), config.login().accountFailures(),
                config.login().sourceFailures(), config.login().window().toMillis(), config.login().maxTracked(),
                config.login().maxWaiting(), config.login().maxWait().toMillis());
    }

    /** For tests: a clock of their own. */
    public LoginThrottle(Clock clock, boolean enabled, int accountFailures, int sourceFailures, long windowMillis,
            int maxTracked) {
        this(clock, enabled, accountFailures, sourceFailures, windowMillis, maxTracked, 1000, 10_000);
    }

    public LoginThrottle(Clock clock, boolean enabled, int accountFailures, int sourceFailures, long windowMillis,
            int maxTracked, int maxWaiting, long maxWaitMillis) {
        this.clock = clock;
        this.enabled = enabled;
        this.accounts = new Window(accountFailures, windowMillis, maxTracked);
        this.sources = new Window(sourceFailures, windowMillis, maxTracked);
        this.maxWaiting = maxWaiting;
        this.maxWaitMillis = maxWaitMillis;
    }

    /**
     * Asks to check a password of {@code username} from {@code source}, now: the ticket is allowed (and then
     * counts as in flight until {@link Ticket#succeeded()}, {@link Ticket#failed()} or {@link Ticket#abandon()}
     * ends it), refused, or {@link Ticket#mustWait() must wait}, which {@link #admit} does.
     */
    public synchronized Ticket attempt(String username, String source) {
        String account = username != null && username.matches(Usernames.PATTERN) ? username : null;
        if (!enabled) {
            return new Ticket(null, null, 0, null);
        }
        return decide(account, source, clock.millis());
    }

    /**
     * As {@link #attempt}, but an attempt that must wait for attempts in flight is emitted once they let it
     * through or refuse it (on the subscriber's Vert.x context). Never emits a ticket that must wait: past
     * {@code max-waiting} waiting attempts, or after {@code max-wait} (on a Vert.x context), it is refused for a
     * second.
     */
    public Uni<Ticket> admit(String username, String source) {
        String account = username != null && username.matches(Usernames.PATTERN) ? username : null;
        return Uni.createFrom().emitter(emitter -> {
            Ticket ticket;
            Waiter parked = null;
            synchronized (this) {
                ticket = attempt(username, source);
                if (ticket.mustWait()) {
                    if (waiters.size() >= maxWaiting) {
                        ticket = new Ticket(account, source, BUSY_RETRY_MILLIS, BUSY);
                    } else {
                        parked = new Waiter(account, source, emitter, Vertx.currentContext());
                        waiters.addLast(parked);
                    }
                }
            }
            if (parked == null) {
                emitter.complete(ticket);
                return;
            }
            Waiter w = parked;
            Ticket late = new Ticket(account, source, BUSY_RETRY_MILLIS, BUSY);
            if (w.context != null) {
                w.context.owner().setTimer(maxWaitMillis, id -> {
                    if (w.state.compareAndSet(Waiter.WAITING, Waiter.DELIVERED)) {
                        synchronized (this) {
                            waiters.remove(w);
                        }
                        w.context.runOnContext(v -> emitter.complete(late));
                    }
                });
            }
            emitter.onTermination(() -> {
                if (w.state.compareAndSet(Waiter.WAITING, Waiter.GONE)) {
                    synchronized (this) {
                        waiters.remove(w);
                    }
                }
            });
        });
    }

    /** Failures currently counted for an account (for tests and diagnostics). */
    public synchronized int accountFailures(String username) {
        return accounts.count(username, clock.millis());
    }

    /** Keys tracked, accounts plus sources (bounded by twice max-tracked). */
    public synchronized int tracked() {
        return accounts.size() + sources.size();
    }

    /** Attempts waiting for attempts in flight (bounded by max-waiting). */
    public synchronized int waiting() {
        return waiters.size();
    }

    // Called holding the lock.
    private Ticket decide(String account, String source, long now) {
        long accountWait = accounts.waitFor(account, now);
        long sourceWait = sources.waitFor(source, now);
        if (accountWait > 0 || sourceWait > 0) {
            return new Ticket(account, source, Math.max(accountWait, sourceWait),
                    accountWait >= sourceWait ? "account" : "source");
        }
        if (accountWait == IN_FLIGHT || sourceWait == IN_FLIGHT) {
            return new Ticket(account, source, IN_FLIGHT, accountWait == IN_FLIGHT ? "account" : "source");
        }
        accounts.reserve(account);
        sources.reserve(source);
        return new Ticket(account, source, 0, null);
    }

    /** Lets through or refuses the waiters an ended attempt decides, first come first served. Holding the lock. */
    private List<Runnable> decideWaiters(long now) {
        List<Runnable> out = new ArrayList<>();
        for (Iterator<Waiter> it = waiters.iterator(); it.hasNext();) {
            Waiter w = it.next();
            if (w.state.get() != Waiter.WAITING) {
                it.remove();
                continue;
            }
            Ticket t = decide(w.account, w.source, now);
            if (!t.mustWait()) {
                it.remove();
                out.add(w.deliver(t));
            }
        }
        return out;
    }

    /** Failure times (and in-flight attempts) per key, the least recently used key first. Not thread-safe. */
    private static final class Window {
        private final int limit;
        private final long windowMillis;
        private final int maxKeys;
        private final LinkedHashMap<String, ArrayDeque<Long>> failures = new LinkedHashMap<>(16, 0.75f, true);
        private final Map<String, Integer> inFlight = new HashMap<>();

        Window(int limit, long windowMillis, int maxKeys) {
            this.limit = limit;
            this.windowMillis = windowMillis;
            this.maxKeys = maxKeys;
        }

        /**
         * Milliseconds until the failures leave room for one more attempt; 0 when it fits now; {@link #IN_FLIGHT}
         * when only attempts still being checked fill the limit (their verdicts decide).
         */
        long waitFor(String key, long now) {
            if (key == null) {
                return 0;
            }
            ArrayDeque<Long> times = expire(key, now);
            int failed = times == null ? 0 : times.size();
            if (failed >= limit) {
                // At most `limit` failures are kept: the oldest must leave the window to free a slot.
                return Math.max(1, times.peekFirst() + windowMillis - now);
            }
            return failed + inFlight.getOrDefault(key, 0) < limit ? 0 : IN_FLIGHT;
        }

        void reserve(String key) {
            if (key != null) {
                inFlight.merge(key, 1, Integer::sum);
            }
        }

        void release(String key) {
            if (key != null) {
                inFlight.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
            }
        }

        void clear(String key) {
            if (key != null) {
                failures.remove(key);
            }
        }

        void fail(String key, long now) {
            if (key == null) {
                return;
            }
            ArrayDeque<Long> times = failures.computeIfAbsent(key, k -> new ArrayDeque<>());
            times.addLast(now);
            while (times.size() > limit) {
                times.removeFirst();
            }
            if (failures.size() > maxKeys) {
                purge(now);
            }
        }

        int count(String key, long now) {
            ArrayDeque<Long> times = expire(key, now);
            return times == null ? 0 : times.size();
        }

        int size() {
            return failures.size();
        }

        private ArrayDeque<Long> expire(String key, long now) {
            ArrayDeque<Long> times = failures.get(key);
            if (times == null) {
                return null;
            }
            while (!times.isEmpty() && times.peekFirst() <= now - windowMillis) {
                times.removeFirst();
            }
            if (times.isEmpty()) {
                failures.remove(key);
                return null;
            }
            return times;
        }

        /** Drops expired keys; if still too many, the least recently failing ones. */
        private void purge(long now) {
            failures.values().removeIf(times -> times.isEmpty() || times.peekLast() <= now - windowMillis);
            Iterator<String> it = failures.keySet().iterator();
            while (failures.size() > maxKeys && it.hasNext()) {
                it.next();
                it.remove();
            }
        }
    }
}
