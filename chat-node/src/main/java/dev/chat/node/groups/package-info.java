/**
 * Groups and their members in PostgreSQL, a store (layer 5): {@link dev.chat.node.groups.GroupLog}, roles
 * ({@link dev.chat.node.groups.Role}) and what the group API answers. Imports only {@code history}.
 *
 * <p>Promises: every change checks the actor's role in the transaction that makes it; a non-member cannot tell a
 * group exists (404 either way); a member sees history from when they joined.
 */
package dev.chat.node.groups;
