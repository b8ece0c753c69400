/**
 * The presence map as a chat node uses it, layer 6: which nodes hold a user's sockets
 * ({@link dev.chat.node.presence.PresenceManager}, on Redis {@link dev.chat.node.presence.RedisPresence}) and this
 * node's heartbeat in it ({@link dev.chat.node.presence.NodeHeartbeat}). Settings {@code chat.presence.*}. Imports
 * only {@code config} and {@code redis}; asks the sockets layer above for the sockets it holds through the
 * {@link dev.chat.node.presence.HeldSockets} handler.
 *
 * <p>Promises: one node's writes apply in the order it makes them; a node whose entry was lost (evicted, Redis
 * restarted empty) writes every socket again within one beat.
 */
package dev.chat.node.presence;
