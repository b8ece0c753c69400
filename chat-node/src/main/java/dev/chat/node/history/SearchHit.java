package dev.chat.node.history;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A message that matched a search, as its conversation shows it now: {@code body} is its newest text (an edit's, then
 * {@code edited} is true). One-to-one messages have {@code to}, group messages {@code group}; {@code seq} is both the
 * message's place in its conversation (the page jumps to it) and the cursor for the next page of hits.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SearchHit(String id, long seq, String from, String to, String group, String body, long ts,
        Boolean edited) {
}
