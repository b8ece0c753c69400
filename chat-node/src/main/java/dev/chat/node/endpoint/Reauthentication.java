package dev.chat.node.endpoint;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.jwt.JsonWebToken;

import dev.chat.node.config.ChatLog;
import dev.chat.node.protocol.ClientFrame;
import dev.chat.node.protocol.ErrorCode;
import dev.chat.node.protocol.ServerFrames;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import io.smallrye.mutiny.Uni;

/**
 * The {@code reauth} frame: an open socket takes a fresh access token and lives until its expiry instead of the
 * old one's, without reconnecting. The token passes the upgrade's checks (signature, issuer, expiry, the account
 * still holds its name, checked by account id, its session not revoked) and must be the socket's own user's (the
 * same account, when the socket's token named one); otherwise an error frame answers and the socket keeps its old
 * expiry (and is closed then, {@link TokenExpiry}). Like the upgrade, only the expiry is kept, never the token.
 */
@ApplicationScoped
class Reauthentication {
    private static final ChatLog LOG = ChatLog.of(Reauthentication.class);

    private final JWTParser tokens;
    private final LiveAccounts accounts;
    private final ServerFrames frames;

    Reauthentication(JWTParser tokens, LiveAccounts accounts, ServerFrames frames) {
        this.tokens = tokens;
        this.accounts = accounts;
        this.frames = frames;
    }

    /** The answer to {@code frame} on {@code user}'s socket: {@code reauthed} with the new expiry, or an error. */
    Uni<String> renew(String user, ClientFrame.Reauth frame, WebSocketConnection connection) {
        JsonWebToken token;
        try {
            token = tokens.parse(frame.token());
        } catch (ParseException e) {
            LOG.debug(user, frame.id(), "user=%s reauth refused: %s", user, e.getMessage());
            return Uni.createFrom().item(frames.error(frame.id(), ErrorCode.BAD_TOKEN,
                    "the token is not valid (signature, issuer or expiry); the socket keeps its old expiry"));
        }
        if (!user.equals(token.getName())) {
            LOG.info(user, frame.id(), "user=%s reauth refused: a token of another user", user);
            return Uni.createFrom().item(frames.error(frame.id(), ErrorCode.WRONG_USER,
                    "the token is another user's; the socket keeps its old expiry"));
        }
        Long account = LiveAccounts.accountOf(token);
        Long socketAccount = connection.userData().get(UpgradeChecks.ACCOUNT);
        if (socketAccount != null && !socketAccount.equals(account)) {
            LOG.info(user, frame.id(), "user=%s reauth refused: a token of another account of this name", user);
            return Uni.createFrom().item(frames.error(frame.id(), ErrorCode.WRONG_USER,
                    "the token is another account's; the socket keeps its old expiry"));
        }
        long expires = token.getExpirationTime();
        String session = SessionRevocations.sessionOf(token);
        return accounts.live(user, account, session)
                .map(live -> {
                    if (!live) {
                        return frames.error(frame.id(), ErrorCode.BAD_TOKEN,
                                "the token's account no longer exists, or its session was signed out");
                    }
                    connection.userData().put(UpgradeChecks.TOKEN_EXPIRES, expires);
                    if (session != null) {
                        connection.userData().put(UpgradeChecks.SESSION, session);
                    }
                    LOG.debug(user, frame.id(), "user=%s socket=%s token renewed until %d", user, connection.id(),
                            expires);
                    return frames.reauthed(frame.id(), expires);
                })
                .onFailure().recoverWithItem(e -> frames.error(frame.id(), ErrorCode.UNAVAILABLE,
                        "the account could not be checked; retry; the socket keeps its old expiry"));
    }
}
