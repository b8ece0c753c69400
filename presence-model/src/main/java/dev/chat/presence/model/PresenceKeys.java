package dev.chat.presence.model;

/**
 * The presence map's layout in Redis, the one place both its writers (chat nodes) and its keeper
 * (presence-service) read it from.
 *
 * <ul>
 * <li>{@link #user(String)}: HASH node id → number of that user's sockets on the node. A routing lookup is
 * one HKEYS. Chat nodes write absolute counts (never increments), so a rewrite after an eviction is
 * idempotent.</li>
 * <li>{@link #nodeSockets(String)}: HASH socket id → user, every socket a node holds; what an eviction
 * walks to find the users to clean.</li>
 * <li>{@link #NODES}: ZSET node id → last heartbeat (epoch ms). A node missing its heartbeat for
 * {@link #DEFAULT_NODE_TTL_MS} is dead and its entries are evicted.</li>
 * <li>{@link #channel(String)}: the pub/sub channel a node listens on; publishers address nodes, never
 * users, so a message crosses Redis once per target node.</li>
 * </ul>
 * Every key holds a single hash tag-free name so that a Redis Cluster spreads users across shards; no
 * operation here needs two keys in one command.
 */
public final class PresenceKeys {
    public static final String NODES = "chat:presence:nodes";
    public static final long DEFAULT_NODE_TTL_MS = 5_000;

    private PresenceKeys() {
    }

    public static String user(String username) {
        return "chat:presence:user:" + username;
    }

    public static String nodeSockets(String nodeId) {
        return "chat:presence:node:" + nodeId + ":sockets";
    }

    public static String channel(String nodeId) {
        return "chat:node:" + nodeId;
    }
}
