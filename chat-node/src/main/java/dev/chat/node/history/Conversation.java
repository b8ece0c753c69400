package dev.chat.node.history;

/** One conversation of a user: the peer, its newest message and how many of the peer's are unread. */
public record Conversation(String with, HistoryMessage last, long unread) {
}
