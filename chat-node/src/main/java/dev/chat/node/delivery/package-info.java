/**
 * Durable delivery, layer 9: the message log ({@link dev.chat.node.delivery.MessageLog}, on PostgreSQL
 * {@link dev.chat.node.delivery.PgMessageLog}, batched by {@link dev.chat.node.delivery.Batcher}, one append in flight per (sender, ID) by
 * {@link dev.chat.node.delivery.AppendFlights}), the hot path
 * ({@link dev.chat.node.delivery.Delivery}: store, ack, route), pushes ({@link dev.chat.node.delivery.Pusher}, which
 * routing calls back as its {@code LocalRecipients}), what is in flight ({@link dev.chat.node.delivery.InFlight}),
 * how far a catching-up user's backlog is read ({@link dev.chat.node.delivery.Backlog}),
 * the sweep ({@link dev.chat.node.delivery.Sweeper}), the keeper of the UNLOGGED delivery state, which rebuilds it
 * after a PostgreSQL crash or failover ({@link dev.chat.node.delivery.PendingKeeper}), rate limits and typing notices. Settings
 * {@code chat.delivery.*} ({@link dev.chat.node.delivery.DeliveryConfig}) and the per-user {@code chat.limits.*}
 * ({@link dev.chat.node.delivery.DeliveryLimits}).
 *
 * <p>Promises: a send is acked only after its message is committed; the same (sender, ID) is stored once; a
 * message is pushed again until its recipient acks it (never within the redelivery delay of its last push), so
 * whatever routing lost arrives within a sweep. At least once, shown once by the client.
 */
package dev.chat.node.delivery;
