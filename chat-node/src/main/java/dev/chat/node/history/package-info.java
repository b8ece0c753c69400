/**
 * A person's view of the message log, a store (layer 4): conversations with unread counts, pages of history,
 * read marks ({@link dev.chat.node.history.ConversationLog}), read by the {@code api} endpoints. Not on the
 * delivery path; imports no other package of the node.
 *
 * <p>Promises: a user only ever reads conversations they are part of; a read mark never moves back.
 */
package dev.chat.node.history;
