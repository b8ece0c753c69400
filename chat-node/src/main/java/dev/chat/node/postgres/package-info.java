/**
 * The node's PostgreSQL calls, layer 4: every statement on the data path is bounded in time
 * ({@link dev.chat.node.postgres.PostgresCalls}), and the time of the last one that succeeded is known for
 * readiness. Knows nothing of messages, users or sockets; imports no other package of the node.
 *
 * <p>Promises: a call wrapped by {@code bounded} answers within {@code chat.postgres.call-timeout}, with its own
 * result or failure, or with {@code StoreUnavailable}, which every caller answers as {@code unavailable} (the
 * client retries with the same ID; a statement that still commits later is found as a duplicate on the retry).
 */
package dev.chat.node.postgres;
