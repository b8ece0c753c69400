package dev.chat.node.endpoint;

import java.time.OffsetDateTime;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

import jakarta.inject.Singleton;

import dev.chat.node.config.ChatLog;
import dev.chat.node.postgres.PostgresCalls;
import dev.chat.node.sockets.LocalSockets;
import io.quarkus.scheduler.Scheduled;
import dev.chat.node.protocol.CloseCode;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Closes, within about a second, every socket of this node whose session (the token's {@code sid}) was revoked:
 * logout, logout everywhere, a reused refresh token. user-service records revocations in its {@code sessions}
 * table (the node sees only its view {@code revoked_sessions}); every node asks it once a second for those since
 * its last look (one indexed query, however many sockets), and closes the matching sockets with 1008
 * {@code signed out}. The table is the one source of truth: a revocation
 * is seen iff it committed, and a node that could not ask for a while (database away) catches up on the next
 * answer, since it asks from its last answer's time on.
 */
@Singleton
class SessionRevocations {
    private static final ChatLog LOG = ChatLog.of(SessionRevocations.class);
    /** Looks back this far before the last answer: a revocation's time is its transaction's start, not its commit. */
    private static final String SINCE = """
            SELECT id, now() AS asked FROM revoked_sessions
            WHERE revoked_at > COALESCE($1, now()) - interval '5 seconds'""";

    private final Pool pool;
    private final PostgresCalls calls;
    private final LocalSockets sockets;
    private volatile OffsetDateTime lastAsked;
    private volatile boolean warned;

    SessionRevocations(Pool pool, PostgresCalls calls, LocalSockets sockets) {
        this.pool = pool;
        this.calls = calls;
        this.sockets = sockets;
    }

    @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    io.smallrye.mutiny.Uni<Void> closeRevoked() {
        if (sockets.total() == 0) {
            lastAsked = null;
            return io.smallrye.mutiny.Uni.createFrom().voidItem();
        }
        // Bounded: a look that hangs (database frozen, a failover) must not hold up the next one (SKIP).
        return calls.bounded(pool.preparedQuery(SINCE).execute(Tuple.of(lastAsked))).invoke(rows -> {
            Set<String> revoked = new HashSet<>();
            OffsetDateTime asked = null;
            for (Row row : rows) {
                revoked.add(row.getUUID("id").toString());
                asked = row.getOffsetDateTime("asked");
            }
            if (asked != null) {
                lastAsked = asked;
            }
            warned = false;
            if (!revoked.isEmpty()) {
                close(revoked);
            }
        }).onFailure().invoke(e -> {
            if (!warned) {
                warned = true;
                LOG.info(null, null, "revoked sessions could not be read: %s", e.toString());
            }
        }).onFailure().recoverWithNull().replaceWithVoid();
    }

    private void close(Set<String> revoked) {
        sockets.forEach((user, connection) -> {
            String session = connection.userData().get(UpgradeChecks.SESSION);
            if (session != null && revoked.contains(session) && connection.isOpen()) {
                LOG.info(user, null, "user=%s socket=%s closed: session %s revoked", user, connection.id(), session);
                connection.close(CloseCode.SIGNED_OUT.closeReason()).subscribe().with(x -> {
                }, e -> {
                });
            }
        });
    }

    /** The token's {@code sid} when it is a session id user-service issues (a UUID), else null. */
    static String sessionOf(org.eclipse.microprofile.jwt.JsonWebToken token) {
        Object sid = token.getClaim("sid");
        if (sid == null) {
            return null;
        }
        String s = sid.toString().replace("\"", "");
        try {
            return UUID.fromString(s).toString();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
