package dev.chat.users.auth;

/** Every hashing thread is busy and the queue is full: answered 503 {@code busy} with Retry-After. */
public class HashingBusyException extends RuntimeException {
    private final long retryAfterSeconds;

    public HashingBusyException(long retryAfterSeconds) {
        super("the service is busy; retry in " + retryAfterSeconds + " s", null, false, false);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
