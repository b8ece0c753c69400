package dev.chat.node.presence;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.smallrye.mutiny.Uni;

/**
 * The presence map as a chat node uses it: which nodes hold a user's sockets.
 *
 * <p>Guarantees: one node's writes apply in the order it makes them: {@link #opened} and {@link #closed} send
 * their write when called (not when their answer is subscribed to), so calls made one after another, from any
 * thread, apply in that order. {@link #nodesOf} is one Redis round
 * trip; its answer may name a node that has just died (a publish there reaches no one, and the message
 * waits in PostgreSQL) and may miss a socket registered in the same instant, which is why callers must
 * register a socket <em>before</em> they read its user's unacked messages: whatever the lookup missed,
 * that read finds.
 */
public interface PresenceManager {
    /**
     * Records a socket of {@code user} here; {@code socketsHere} is the user's count on this node after it. Sent
     * at once; the answer completes when the presence map has it.
     */
    Uni<Void> opened(String user, String socketId, int socketsHere);

    /** Removes a socket of {@code user} here; {@code socketsHere} is what remains on this node. Sent at once. */
    Uni<Void> closed(String user, String socketId, int socketsHere);

    /** The nodes that hold at least one socket of {@code user}. */
    Uni<Set<String>> nodesOf(String user);

    /** For many users in one round trip: each user's nodes (users with none are left out). */
    Uni<Map<String, Set<String>>> nodesOf(Collection<String> users);

    /**
     * {@code restore} runs after every reconnect to the presence map (a restart, an outage, a failover): the map may
     * have lost this node's entries, or kept some whose removal never reached it. It runs on an event loop and must
     * not block.
     */
    void onReconnect(Runnable restore);

    /** The sockets the presence map names on this node now: socket id → user. */
    Uni<Map<String, String>> socketsHere();

    /**
     * Makes this node's entries equal to {@code live} (user → the ids of their sockets here): every live socket and
     * user count is written, and whatever {@code recorded} (as {@link #socketsHere} found it) names that is no longer
     * live is removed. The writes are absolute, so repeating them is harmless.
     */
    Uni<Void> restore(Map<String, String> recorded, Map<String, List<String>> live);
}
