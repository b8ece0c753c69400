package dev.chat.common.security;

import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;

import io.smallrye.mutiny.Uni;

/**
 * Where revoked sessions are read from: user-service's view {@code revoked_sessions} in production
 * ({@link PgRevokedSessions}), a map in unit tests. The seam {@link RevokedSessionView} reads through.
 */
public interface RevokedSessionSource {

    /**
     * The sessions revoked since {@code since} (every one still listed when {@code since} is null), each with the
     * time it was revoked, and {@code asked}: the source's own clock when it answered, to pass back as the next
     * {@code since}. Guarantee: every revocation committed before this call is in the answer or was revoked before
     * {@code since} (a source may answer more than that, never less). Fails when the source cannot answer.
     */
    Uni<Revocations> since(OffsetDateTime since);

    /** An answer of {@link #since}: the revoked sessions and their revocation times, as of {@code asked}. */
    record Revocations(OffsetDateTime asked, Map<UUID, OffsetDateTime> revoked) {
        public Revocations {
            revoked = Map.copyOf(revoked);
        }
    }
}
