package dev.chat.users.auth;

/** Too many failed logins for the account or from the source: answered 429 with Retry-After. */
public class LoginThrottledException extends RuntimeException {
    private final long retryAfterSeconds;
    private final String scope;

    public LoginThrottledException(long retryAfterSeconds, String scope) {
        super("too many failed logins" + ("source".equals(scope) ? " from this address" : " for this account")
                + "; retry in " + retryAfterSeconds + " s", null, false, false);
        this.retryAfterSeconds = retryAfterSeconds;
        this.scope = scope;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** "account" or "source". */
    public String scope() {
        return scope;
    }
}
