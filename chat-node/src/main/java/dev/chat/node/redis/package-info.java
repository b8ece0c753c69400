/**
 * The node's Redis connections, layer 3: long-lived links that come back by themselves
 * ({@link dev.chat.node.redis.RedisLink}), the one pipelined command link ({@link dev.chat.node.redis.CommandLink})
 * and whether Redis is a single server or a cluster ({@link dev.chat.node.redis.RedisMode}). Knows nothing of
 * messages, users or sockets; imports no other package of the node.
 *
 * <p>Promises: commands sent on one link are answered in order; while a link is down a command fails at once
 * ({@code RedisUnavailable}) rather than queueing without bound; on-connect listeners run after every reconnect.
 */
package dev.chat.node.redis;
