package dev.chat.users.session;

/**
 * The answer to a refresh, as a value: {@link Outcome#ROTATED} with new tokens, or why not. {@link Outcome#REUSED}
 * means a token already used was presented again: its whole session was revoked.
 */
public record Refreshed(Outcome outcome, SignedIn tokens) {
    public enum Outcome {
        ROTATED, UNKNOWN, EXPIRED, REVOKED, REUSED
    }

    static Refreshed refused(Outcome outcome) {
        return new Refreshed(outcome, null);
    }

    public boolean ok() {
        return outcome == Outcome.ROTATED;
    }
}
