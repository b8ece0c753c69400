/**
 * Moving a frame between nodes, layer 7: the {@link dev.chat.node.routing.Broker} (one channel per node; on Redis
 * pub/sub {@link dev.chat.node.routing.RedisBroker}), the {@link dev.chat.node.routing.Envelope} on its channels,
 * and the {@link dev.chat.node.routing.Router}, which looks recipients up in the presence map and sends once per
 * node. Imports {@code config}, {@code redis} and {@code presence}; hands what reaches this node up to delivery
 * through the {@link dev.chat.node.routing.LocalRecipients} handler.
 *
 * <p>Promises: at most once, never once per member nor to every node; payloads from one node to one node arrive in
 * order. Whatever is lost here is still in PostgreSQL, and delivery's sweep finds it.
 */
package dev.chat.node.routing;
