package dev.chat.node.endpoint;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

import jakarta.inject.Singleton;

import dev.chat.common.security.RevokedSessionView;
import dev.chat.node.config.ChatLog;
import dev.chat.node.protocol.CloseCode;
import dev.chat.node.sockets.LocalSockets;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/**
 * Closes, within about a second, every socket of this node whose session (the token's {@code sid}) was revoked:
 * logout, logout everywhere, a reused refresh token. user-service records revocations in its {@code sessions}
 * table (the node sees only its view {@code revoked_sessions}), which the node reads through its one
 * {@link RevokedSessionView} (shared with the REST check: one query serves both). This class listens to the view
 * and closes the sockets of each session it newly learns of with 1008 {@code signed out}; while any socket is open it
 * makes the view refresh once a second (a refresh started after that tick: one indexed query, however many sockets),
 * so a revocation is seen within a second and the query it took. The table is the one source of truth: a revocation
 * is seen iff it committed, and a node that could not ask for a while (database away) catches up on the next
 * answer, since the view asks from its last answer's time on.
 */
// Created at start, so that it listens to the view before the first socket opens.
@Startup
@Singleton
class SessionRevocations implements RevokedSessionView.Listener {
    private static final ChatLog LOG = ChatLog.of(SessionRevocations.class);

    private final RevokedSessionView view;
    private final LocalSockets sockets;
    private volatile boolean warned;

    SessionRevocations(RevokedSessionView view, LocalSockets sockets) {
        this.view = view;
        this.sockets = sockets;
        view.listen(this);
    }

    /**
     * Once a second while any socket is open: a refresh of the view that starts now (the REST side's refreshes tell
     * this class too, in between). Bounded by the view's timeout; a look that fails is logged once until one succeeds.
     */
    @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> refresh() {
        if (sockets.total() == 0) {
            return Uni.createFrom().voidItem();
        }
        return view.refreshedWithin(Duration.ZERO).invoke(x -> warned = false).onFailure().invoke(e -> {
            if (!warned) {
                warned = true;
                LOG.info(null, null, "revoked sessions could not be read: %s", e.toString());
            }
        }).onFailure().recoverWithNull();
    }

    /** Closes the open sockets of {@code revoked} with 1008 {@code signed out}; the others are untouched. */
    @Override
    public void revoked(Set<UUID> revoked) {
        Set<String> ids = new HashSet<>();
        revoked.forEach(id -> ids.add(id.toString()));
        sockets.forEach((user, connection) -> {
            String session = connection.userData().get(UpgradeChecks.SESSION);
            if (session != null && ids.contains(session) && connection.isOpen()) {
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
