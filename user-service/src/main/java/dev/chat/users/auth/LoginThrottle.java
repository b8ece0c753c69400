package dev.chat.users.auth;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import dev.chat.users.account.Usernames;

/**
 * Login throttling, per account and per source address, over a sliding window of failed attempts:
 * <ul>
 * <li>an account with {@code account-failures} failed logins in the window (5 a minute by default) is refused
 * until the oldest of them leaves the window, even with the right password; a successful login clears the
 * account's failures (never the source's);
 * <li>a source address with {@code source-failures} failed logins in the window (20 a minute), whatever the
 * accounts, is refused the same way.
 * </ul>
 * Attempts still being checked (bcrypt takes its time) count as failures until they end, so a burst of
 * parallel guesses cannot slip past the limit. Refused attempts are not counted: an attacker cannot prolong a
 * lock by hammering it, and the Retry-After given is when an attempt will be checked again.
 *
 * <p>State lives in this process only (each user-service instance throttles on its own; behind N instances an
 * account gets up to N times the limit). It is bounded: at most {@code max-tracked} keys per kind, the least
 * recently used forgotten first. Names that cannot be usernames are not tracked per account (they can never
 * log in), only per source.
 */
@Singleton
public class LoginThrottle {
    /** A login may go ahead ({@link #allowed()}), or must wait {@code retryAfterMillis}; release it when done. */
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
            return retryAfterMillis <= 0;
        }

        public long retryAfterMillis() {
            return retryAfterMillis;
        }

        /** Whole seconds to wait, at least 1 (what Retry-After says). */
        public long retryAfterSeconds() {
            return Math.max(1, (retryAfterMillis + 999) / 1000);
        }

        /** "account" or "source": which limit refused it (null when allowed). */
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
            synchronized (LoginThrottle.this) {
                if (released || !allowed()) {
                    return;
                }
                released = true;
                long now = clock.millis();
                accounts.release(account);
                sources.release(source);
                if (ok == null) {
                    return;
                }
                if (ok) {
                    accounts.clear(account);
                } else {
                    accounts.fail(account, now);
                    sources.fail(source, now);
                }
            }
        }
    }

    private final Clock clock;
    private final Window accounts;
    private final Window sources;
    private final boolean enabled;

    @Inject
    public LoginThrottle(AuthConfig config) {
        this(Clock.systemUTC(), config.login().enabled(), config.login().accountFailures(),
                config.login().sourceFailures(), config.login().window().toMillis(), config.login().maxTracked());
    }

    /** For tests: a clock of their own. */
    public LoginThrottle(Clock clock, boolean enabled, int accountFailures, int sourceFailures, long windowMillis,
            int maxTracked) {
        this.clock = clock;
        this.enabled = enabled;
        this.accounts = new Window(accountFailures, windowMillis, maxTracked);
        this.sources = new Window(sourceFailures, windowMillis, maxTracked);
    }

    /**
     * Asks to check a password of {@code username} from {@code source}. When allowed, the attempt counts as a
     * failure until {@link Ticket#succeeded()} or {@link Ticket#failed()} ends it.
     */
    public synchronized Ticket attempt(String username, String source) {
        String account = username != null && username.matches(Usernames.PATTERN) ? username : null;
        if (!enabled) {
            return new Ticket(null, null, 0, null);
        }
        long now = clock.millis();
        long accountWait = accounts.waitFor(account, now);
        long sourceWait = sources.waitFor(source, now);
        if (accountWait > 0 || sourceWait > 0) {
            return new Ticket(account, source, Math.max(accountWait, sourceWait),
                    accountWait >= sourceWait ? "account" : "source");
        }
        accounts.reserve(account);
        sources.reserve(source);
        return new Ticket(account, source, 0, null);
    }

    /** Failures currently counted for an account (for tests and diagnostics). */
    public synchronized int accountFailures(String username) {
        return accounts.count(username, clock.millis());
    }

    /** Keys tracked, accounts plus sources (bounded by twice max-tracked). */
    public synchronized int tracked() {
        return accounts.size() + sources.size();
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

        /** Milliseconds until one more attempt fits under the limit; 0 when it fits now. */
        long waitFor(String key, long now) {
            if (key == null) {
                return 0;
            }
            ArrayDeque<Long> times = expire(key, now);
            int busy = inFlight.getOrDefault(key, 0);
            int failed = times == null ? 0 : times.size();
            if (failed + busy < limit) {
                return 0;
            }
            if (failed == 0 || failed + busy - limit >= failed) {
                // Only attempts still being checked fill the limit: they end within a second or so.
                return 1000;
            }
            // The oldest failures must leave the window until one slot is free.
            Iterator<Long> it = times.iterator();
            long t = 0;
            for (int i = 0; i <= failed + busy - limit && it.hasNext(); i++) {
                t = it.next();
            }
            return Math.max(1, t + windowMillis - now);
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
