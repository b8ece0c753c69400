package dev.chat.node.history;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A message as history shows it; {@code seq} is the cursor for older pages. One-to-one messages have
 * {@code to}, group messages {@code group}; {@code delivered}: the recipient (for a group: any member) acked.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HistoryMessage(String id, long seq, String from, String to, String group, String body, long ts,
        boolean delivered) {
}
