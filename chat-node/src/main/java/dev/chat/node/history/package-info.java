/**
 * A person's view of the message log, a store (layer 4): conversations with unread counts, pages of history,
 * read marks ({@link dev.chat.node.history.ConversationLog}), full-text search of what a person may read
 * ({@link dev.chat.node.history.MessageSearch}) in the language of {@link dev.chat.node.history.SearchLanguage}, read
 * by the {@code api} endpoints. Not on the
 * delivery path; imports no other package of the node.
 *
 * <p>Promises: a user only ever reads conversations they are part of (a search too: groups from their joining on);
 * a read mark never moves back; a search finds a message by its newest text only, and never a deleted one.
 */
package dev.chat.node.history;
