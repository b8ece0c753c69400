package dev.chat.node.history;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A message as history shows it; {@code seq} is the cursor for older pages. One-to-one messages have
 * {@code to}, group messages {@code group}; {@code delivered}: the recipient (for a group: any member) acked.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HistoryMessage(String id, long seq, String from, String to, String group, String body, long ts,
        boolean delivered, Boolean edited, Boolean deleted, Integer seenBy) {
    public HistoryMessage(String id, long seq, String from, String to, String group, String body, long ts,
            boolean delivered) {
        this(id, seq, from, to, group, body, ts, delivered, null, null, null);
    }

    /**
     * The SQL that shows message {@code m} as changed (V20): its newest change, a delete before any edit, joined as
     * {@code c}; select {@link #BODY} and {@code c.kind AS change}. A change row itself is never a history entry.
     */
    public static final String NEWEST_CHANGE = """
            LEFT JOIN LATERAL (SELECT e.kind, e.body FROM messages e WHERE e.target_seq = m.seq
                                ORDER BY e.kind = 'delete' DESC, e.seq DESC LIMIT 1) c ON true""";
    /** The body history shows: the newest edit's, or empty for a deleted message. */
    public static final String BODY = "CASE c.kind WHEN 'delete' THEN '' WHEN 'edit' THEN c.body ELSE m.body END";

    /** {@code edited} or {@code deleted} set (else left out of the JSON) from the {@code change} column. */
    public static HistoryMessage changed(String id, long seq, String from, String to, String group, String body,
            long ts, boolean delivered, String change, Integer seenBy) {
        return new HistoryMessage(id, seq, from, to, group, body, ts, delivered,
                "edit".equals(change) ? Boolean.TRUE : null, "delete".equals(change) ? Boolean.TRUE : null, seenBy);
    }
}
