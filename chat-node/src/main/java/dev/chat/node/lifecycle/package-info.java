/**
 * The node's life, layer 11 (the top): schema migration at start ({@link dev.chat.node.lifecycle.SchemaMigration},
 * which first refuses a search language the database does not know),
 * readiness ({@link dev.chat.node.lifecycle.NodeReadiness}, from state kept in the background such as
 * {@link dev.chat.node.lifecycle.DatabaseProbe}) and leaving without losing anything
 * ({@link dev.chat.node.lifecycle.Drain}, {@link dev.chat.node.lifecycle.DrainingUpgradeCheck}; settings
 * {@code chat.drain.*}). May use any layer below; nothing imports it.
 *
 * <p>Promises: not ready until Redis, the subscription, PostgreSQL and the schema are; a readiness check answers at
 * once however busy the node is; on SIGTERM out of rotation at once, sockets closed with 1012 after HAProxy has
 * noticed, the presence entries removed.
 */
package dev.chat.node.lifecycle;
