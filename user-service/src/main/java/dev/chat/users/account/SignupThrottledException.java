package dev.chat.users.account;

/** Too many sign-ups from one source address lately: answered 429 with Retry-After. */
public class SignupThrottledException extends RuntimeException {
    private final long retryAfterSeconds;

    public SignupThrottledException(long retryAfterSeconds) {
        super("too many sign-ups from this address; retry in " + retryAfterSeconds + " s", null, false, false);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
