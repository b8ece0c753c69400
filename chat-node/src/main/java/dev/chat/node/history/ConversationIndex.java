package dev.chat.node.history;

/**
 * The SQL that finds one-to-one messages through {@code messages_conversation} (db/chat V62), whose keys are the
 * hashes of the recipient's and the sender's names, then seq. The one place that knows its shape: a statement that
 * reads one-to-one messages by recipient, or by recipient and sender, takes its condition from here, so that the
 * planner can match the index's expressions (a plain {@code recipient = $1} cannot use it: a scan of the log) and the
 * names are compared too (two names may share a hash; the names decide). Each condition comes in parentheses with a
 * space either side, so that it can follow a text block's last word (text blocks strip trailing spaces).
 */
public final class ConversationIndex {
    private ConversationIndex() {
    }

    /**
     * Messages {@code alias} sent by {@code sender} to {@code recipient} (SQL expressions: parameters, columns of
     * another table); a range of the index in seq order.
     */
    public static String from(String alias, String sender, String recipient) {
        return " (" + key(alias, "recipient", recipient) + " AND " + key(alias, "sender", sender) + ") ";
    }

    /** Messages {@code alias} received by {@code recipient}, one-to-one (never a group's). */
    public static String to(String alias, String recipient) {
        return " (" + key(alias, "recipient", recipient) + ") ";
    }

    /** One key of the index: the column's hash for the index, the column itself for the answer. */
    private static String key(String alias, String column, String value) {
        return "hashtext(" + alias + "." + column + ") = hashtext(" + value + ") AND " + alias + "." + column + " = "
                + value;
    }
}
