package dev.chat.users.account;

import io.vertx.pgclient.PgException;

/**
 * Recognises PostgreSQL's unique_violation however Hibernate Reactive wraps it: the pre-insert existence
 * check cannot close the race between two concurrent signups, the unique constraint does.
 */
final class UniqueViolation {
    private static final String SQLSTATE = "23505";

    private UniqueViolation() {
    }

    static boolean isCauseOf(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof PgException pg && SQLSTATE.equals(pg.getSqlState())) {
                return true;
            }
            if (t instanceof org.hibernate.exception.ConstraintViolationException cve
                    && SQLSTATE.equals(cve.getSQLState())) {
                return true;
            }
        }
        return false;
    }
}
