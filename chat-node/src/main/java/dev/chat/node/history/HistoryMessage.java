package dev.chat.node.history;

/** A message as history shows it; {@code seq} is the cursor for older pages. */
public record HistoryMessage(String id, long seq, String from, String to, String body, long ts, boolean delivered) {
}
