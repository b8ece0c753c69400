package dev.chat.node.endpoint;

import jakarta.inject.Singleton;

import dev.chat.node.config.ChatLog;
import dev.chat.node.sockets.LocalSockets;
import io.quarkus.scheduler.Scheduled;
import dev.chat.node.protocol.CloseCode;

/**
 * A socket lives no longer than the token it was opened with, or last renewed with ({@code reauth},
 * {@link Reauthentication}): within a second of that token's expiry it is closed with 1008, and the client must
 * come back with a fresh token. Otherwise a
 * token stolen, or revoked by deleting the account, would keep a socket open indefinitely.
 *
 * <p>One check a second for all sockets rather than a timer per socket: a timer and its callback cost every
 * idle socket memory for hours, the check costs a lookup per socket per second.
 */
@Singleton
class TokenExpiry {
    private static final ChatLog LOG = ChatLog.of(TokenExpiry.class);

    private final LocalSockets sockets;

    TokenExpiry(LocalSockets sockets) {
        this.sockets = sockets;
    }

    @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void closeExpired() {
        long now = System.currentTimeMillis() / 1000;
        sockets.forEach((user, connection) -> {
            Long expires = connection.userData().get(UpgradeChecks.TOKEN_EXPIRES);
            if (expires != null && expires > 0 && expires <= now && connection.isOpen()) {
                LOG.info(user, null, "user=%s socket=%s closed: token expired", user, connection.id());
                connection.close(CloseCode.TOKEN_EXPIRED.closeReason()).subscribe().with(x -> {
                }, e -> {
                });
            }
        });
    }
}
