package dev.chat.node.endpoint;

import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.logging.Logger;

import dev.chat.node.sockets.LocalSockets;
import dev.chat.node.sockets.SocketLimits;
import io.quarkus.websockets.next.HttpUpgradeCheck;
import io.quarkus.websockets.next.UserData;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;

/**
 * What an upgrade must pass: a valid token (verified here, 401 otherwise, before any frame); a browser page may
 * only open sockets from its own origin (or one configured in {@code chat.socket.allowed-origins}), so another
 * site cannot ride a user's session; and the token's account must still hold its name (a token outlives a deleted
 * account by up to its lifetime, and the name may since belong to someone else: checked by account id) and its session ({@code sid}) must not be revoked ({@link LiveAccounts}); and the
 * user may hold at most {@code chat.limits.max-sockets-per-user} sockets on this node (429 past it).
 *
 * <p>The token is verified here rather than by HTTP security so that nothing of it outlives the upgrade: an
 * identity established by HTTP security stays attached to the connection for its whole life (the parsed
 * token, its claims, the credential), about a quarter of an idle socket's memory (docs/performance.md). The
 * socket keeps only what it needs, in its {@link UserData}: the user and the token's expiry. The token itself
 * is taken out of the upgrade's headers once read, since websockets-next keeps those for the socket's life too:
 * a credential should not linger in memory for hours, nor take a tenth of an idle socket's memory.
 */
@ApplicationScoped
public class UpgradeChecks implements HttpUpgradeCheck {
    private static final Logger LOG = Logger.getLogger(UpgradeChecks.class);
    /** The token's user ({@code upn}): whom the socket speaks for, whatever its frames say. */
    public static final UserData.TypedKey<String> USER = UserData.TypedKey.forString("chat.user");
    /** The token's account id ({@code sub}), when it names one: a renewal must name the same account. */
    public static final UserData.TypedKey<Long> ACCOUNT = UserData.TypedKey.forLong("chat.account");
    /** The token's {@code exp}, in epoch seconds: the socket is closed then. */
    public static final UserData.TypedKey<Long> TOKEN_EXPIRES = UserData.TypedKey.forLong("chat.token-expires");
    /** The token's session ({@code sid}), when it names one: the socket is closed when it is revoked. */
    public static final UserData.TypedKey<String> SESSION = UserData.TypedKey.forString("chat.session");
    private static final String BEARER = "Bearer ";
    private static final String PROTOCOLS = "Sec-WebSocket-Protocol";
    /** The subprotocol that carries a browser's token ({@code quarkus-http-upgrade#Authorization#...}, encoded). */
    private static final String TOKEN_CARRIER = "quarkus-http-upgrade";

    private final LiveAccounts accounts;
    private final JWTParser tokens;
    private final List<String> allowedOrigins;
    private final LocalSockets sockets;
    private final int maxSocketsPerUser;

    UpgradeChecks(LiveAccounts accounts, JWTParser tokens, EndpointConfig config, LocalSockets sockets,
            SocketLimits limits) {
        this.accounts = accounts;
        this.tokens = tokens;
        this.allowedOrigins = config.allowedOrigins().orElse(List.of());
        this.sockets = sockets;
        this.maxSocketsPerUser = limits.maxSocketsPerUser();
    }

    @Override
    public Uni<CheckResult> perform(HttpUpgradeContext context) {
        String authorization = context.httpRequest().getHeader("Authorization");
        forgetToken(context.httpRequest());
        String origin = context.httpRequest().getHeader("Origin");
        if (origin != null && !sameOrigin(origin, context.httpRequest().getHeader("Host"))
                && !allowedOrigins.contains(origin)) {
            LOG.infof("upgrade refused: origin %s not allowed", origin);
            return CheckResult.rejectUpgrade(403);
        }
        JsonWebToken token = verified(authorization);
        if (token == null || token.getName() == null) {
            return CheckResult.rejectUpgrade(401);
        }
        String user = token.getName();
        if (sockets.count(user) >= maxSocketsPerUser) {
            // Checked before the socket opens, so upgrades racing each other may pass a few over: the cap bounds
            // what one account can hold on a node, it is not a count to the unit.
            LOG.infof("upgrade refused with 429: user=%s already holds %d sockets here", user, maxSocketsPerUser);
            return CheckResult.rejectUpgrade(429);
        }
        long expires = token.getExpirationTime();
        String session = SessionRevocations.sessionOf(token);
        Long account = LiveAccounts.accountOf(token);
        return accounts.live(user, account, session)
                .chain(live -> {
                    if (!live) {
                        return CheckResult.rejectUpgrade(401);
                    }
                    context.userData().put(USER, user);
                    context.userData().put(TOKEN_EXPIRES, expires);
                    if (account != null) {
                        context.userData().put(ACCOUNT, account);
                    }
                    if (session != null) {
                        context.userData().put(SESSION, session);
                    }
                    return CheckResult.permitUpgrade();
                })
                // The database is away (a restart, a failover): "retry shortly", never a 500.
                .onFailure().recoverWithUni(e -> {
                    LOG.warnf("upgrade refused with 503: account lookup failed: %s", e.toString());
                    return CheckResult.rejectUpgrade(503);
                });
    }

    /**
     * Takes the token out of the request before the upgrade copies its headers: the Authorization header (which
     * websockets-next fills from a browser's subprotocol) and the subprotocol that carried it. The other offered
     * subprotocols stay, so the handshake still agrees on {@code bearer-token-carrier}.
     */
    private static void forgetToken(HttpServerRequest request) {
        request.headers().remove("Authorization");
        String offered = request.getHeader(PROTOCOLS);
        if (offered != null && offered.contains(TOKEN_CARRIER)) {
            request.headers().set(PROTOCOLS, Arrays.stream(offered.split(",")).map(String::trim)
                    .filter(p -> !p.startsWith(TOKEN_CARRIER)).collect(Collectors.joining(", ")));
        }
    }

    /**
     * The bearer token, verified as HTTP security would (signature with the configured public key, RS256,
     * issuer, expiry: the {@code mp.jwt.verify.*} settings); null when missing or not valid.
     */
    private JsonWebToken verified(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return null;
        }
        try {
            return tokens.parse(authorization.substring(BEARER.length()).trim());
        } catch (ParseException e) {
            LOG.debugf("upgrade refused with 401: %s", e.getMessage());
            return null;
        }
    }

    /** The page's own origin: same host and port as the request (default ports written or not). */
    static boolean sameOrigin(String origin, String host) {
        if (host == null) {
            return false;
        }
        try {
            URI o = URI.create(origin);
            if (o.getHost() == null) {
                return false;
            }
            String authority = o.getPort() < 0 ? o.getHost() : o.getHost() + ":" + o.getPort();
            return withoutDefaultPort(host).equalsIgnoreCase(withoutDefaultPort(authority));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String withoutDefaultPort(String authority) {
        return authority.replaceFirst(":(80|443)$", "");
    }
}
