/**
 * A person's view of the message log, a store (layer 4): conversations with unread counts, pages of history,
 * read marks ({@link dev.chat.node.history.ConversationLog}), full-text search of what a person may read
 * ({@link dev.chat.node.history.MessageSearch}) in the language of {@link dev.chat.node.history.SearchLanguage}, read
 * by the {@code api} endpoints, and search's index kept off the hot path ({@link dev.chat.node.history.SearchIndexer}
 * running {@link dev.chat.node.history.PgIndexPass}). Not on the delivery path; of the node's other packages it uses
 * only {@code config} (the node's name, its timers).
 *
 * <p>Promises: a user only ever reads conversations they are part of (a search too: groups from their joining on);
 * a read mark never moves back; a search finds a message by its newest text only, and never a deleted one; a search
 * is exact from a message's ack on, whatever the index holds (lagging, lost in a crash, in another language).
 */
package dev.chat.node.history;
