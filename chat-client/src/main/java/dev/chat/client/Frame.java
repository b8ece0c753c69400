package dev.chat.client;

/**
 * One frame the server sent, as read by {@link Frames#read}. Fields a frame type does not carry are null (text) or
 * -1 (numbers). A text that is not a JSON object is not thrown: it comes back {@linkplain #readable() unreadable},
 * type null, with the text kept for the report.
 *
 * @param type         {@code ack}, {@code msg}, {@code error}, or an extension's type; null when unreadable
 * @param id           the message ID when the frame carries one as a string, else null
 * @param retryAfterMs a {@code rate_limited} or {@code unavailable} error's hint (a project extension), -1 when absent
 * @param text         the raw text, kept only for an unreadable frame
 */
public record Frame(String type, String id, String from, String to, String body, long ts, String code, String message,
        long retryAfterMs, String text) {

    static Frame unreadable(String text) {
        return new Frame(null, null, null, null, null, -1, null, null, -1, text);
    }

    /** Whether the text was a JSON object. */
    public boolean readable() {
        return type != null;
    }

    public boolean isAck() {
        return "ack".equals(type);
    }

    public boolean isMsg() {
        return "msg".equals(type);
    }

    public boolean isError() {
        return "error".equals(type);
    }
}
