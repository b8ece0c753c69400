package dev.chat.node.socket;

import java.net.URI;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.chat.node.node.ChatConfig;
import io.quarkus.websockets.next.HttpUpgradeCheck;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * What an upgrade must pass besides a valid token: a browser page may only open sockets from its own origin
 * (or one configured in {@code chat.socket.allowed-origins}), so another site cannot ride a user's session;
 * and the token's account must still exist (a token outlives a deleted account by up to its lifetime).
 */
@ApplicationScoped
public class UpgradeChecks implements HttpUpgradeCheck {
    private static final Logger LOG = Logger.getLogger(UpgradeChecks.class);

    private final Pool pool;
    private final List<String> allowedOrigins;

    UpgradeChecks(Pool pool, ChatConfig config) {
        this.pool = pool;
        this.allowedOrigins = config.socket().allowedOrigins().orElse(List.of());
    }

    @Override
    public Uni<CheckResult> perform(HttpUpgradeContext context) {
        String origin = context.httpRequest().getHeader("Origin");
        if (origin != null && !sameOrigin(origin, context.httpRequest().getHeader("Host"))
                && !allowedOrigins.contains(origin)) {
            LOG.infof("upgrade refused: origin %s not allowed", origin);
            return CheckResult.rejectUpgrade(403);
        }
        return context.securityIdentity().chain(identity -> {
            if (identity == null || identity.isAnonymous()) {
                return CheckResult.rejectUpgrade(401);
            }
            return pool.preparedQuery("SELECT 1 FROM accounts WHERE username = $1")
                    .execute(Tuple.of(identity.getPrincipal().getName()))
                    .chain(rows -> rows.size() > 0 ? CheckResult.permitUpgrade() : CheckResult.rejectUpgrade(401))
                    // The database is away (a restart, a failover): "retry shortly", never a 500.
                    .onFailure().recoverWithUni(e -> {
                        LOG.warnf("upgrade refused with 503: account lookup failed: %s", e.toString());
                        return CheckResult.rejectUpgrade(503);
                    });
        });
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
