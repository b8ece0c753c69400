package dev.chat.users.account;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import dev.chat.users.auth.AuthConfig;

/**
 * Anonymous sign-ups per source address: at most {@code chat.signup.source-limit} within the sliding
 * {@code chat.signup.window}, whatever their outcome (each costs a bcrypt hash, and accounts are what a spammer
 * wants). Past it the sign-up is refused until the oldest one leaves the window. The source is the one logins are
 * throttled by ({@code LoginSource}). In memory, per instance, at most {@code chat.login.max-tracked} sources, the
 * least recently seen forgotten first.
 */
@Singleton
public class SignupThrottle {
    private final Clock clock;
    private final boolean enabled;
    private final int limit;
    private final long windowMillis;
    private final int maxKeys;
    private final LinkedHashMap<String, ArrayDeque<Long>> recent = new LinkedHashMap<>(16, 0.75f, true);

    @Inject
    public SignupThrottle(AuthConfig config) {
        this(Clock.systemUTC(), config.signup().enabled(), config.signup().sourceLimit(),
                config.signup().window().toMillis(), config.login().maxTracked());
    }

    public SignupThrottle(Clock clock, boolean enabled, int limit, long windowMillis, int maxKeys) {
        this.clock = clock;
        this.enabled = enabled;
        this.limit = limit;
        this.windowMillis = windowMillis;
        this.maxKeys = maxKeys;
    }

    /**
     * Counts one sign-up from {@code source} and answers 0, or, when the source is at its limit, counts nothing and
     * answers the milliseconds until one more fits. A null source is not throttled.
     */
    public synchronized long attempt(String source) {
        if (!enabled || source == null) {
            return 0;
        }
        long now = clock.millis();
        ArrayDeque<Long> times = recent.computeIfAbsent(source, k -> new ArrayDeque<>());
        while (!times.isEmpty() && times.peekFirst() <= now - windowMillis) {
            times.removeFirst();
        }
        if (times.size() >= limit) {
            return Math.max(1, times.peekFirst() + windowMillis - now);
        }
        times.addLast(now);
        if (recent.size() > maxKeys) {
            purge(now);
        }
        return 0;
    }

    /** Sources tracked (bounded by max-tracked). */
    public synchronized int tracked() {
        return recent.size();
    }

    private void purge(long now) {
        recent.values().removeIf(times -> times.isEmpty() || times.peekLast() <= now - windowMillis);
        Iterator<String> it = recent.keySet().iterator();
        while (recent.size() > maxKeys && it.hasNext()) {
            it.next();
            it.remove();
        }
    }
}
