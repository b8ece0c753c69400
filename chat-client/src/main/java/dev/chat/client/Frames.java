package dev.chat.client;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;

/**
 * The contract's frames as JSON text: the two a client writes ({@code send}, {@code ack}) and every one it reads.
 * Written by hand with Jackson's string escaping and read with Jackson's streaming parser, without a tree: the
 * benchmark writes and reads thousands a second through here, on one event loop.
 */
public final class Frames {
    private static final JsonFactory JF = new JsonFactory();

    private Frames() {
    }

    /**
     * {@code {"type":"send","id":ID,"to":TO,"body":BODY}}, every value escaped as JSON needs; a null value is
     * written as JSON null (a frame the server refuses, which tests write on purpose).
     */
    public static String send(String id, String to, String body) {
        StringBuilder b = new StringBuilder(40 + length(id) + length(to) + length(body));
        b.append("{\"type\":\"send\",\"id\":");
        string(b, id).append(",\"to\":");
        string(b, to).append(",\"body\":");
        return string(b, body).append('}').toString();
    }

    /** {@code {"type":"ack","id":ID}}: the recipient has the message (ID null: JSON null). */
    public static String ack(String id) {
        StringBuilder b = new StringBuilder(26 + length(id));
        b.append("{\"type\":\"ack\",\"id\":");
        return string(b, id).append('}').toString();
    }

    private static int length(String s) {
        return s == null ? 4 : s.length();
    }

    /** Appends {@code s} as a JSON string with its quotes, or {@code null}. */
    private static StringBuilder string(StringBuilder b, String s) {
        return s == null ? b.append("null") : quote(b.append('"'), s).append('"');
    }

    /** Appends {@code s} escaped for a JSON string (without the quotes); most IDs and names need no escaping. */
    public static StringBuilder quote(StringBuilder b, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == '"' || c == '\\') {
                JsonStringEncoder.getInstance().quoteAsString(s, b);
                return b;
            }
        }
        return b.append(s);
    }

    /**
     * Reads a server frame. Guarantee: never throws for any text; a text that is not one JSON object comes back
     * {@linkplain Frame#readable() unreadable}. Unknown fields are skipped, so extensions pass through (their
     * type is kept, for clients to ignore as v1 clients do).
     */
    public static Frame read(String text) {
        String type = null;
        String id = null;
        String from = null;
        String to = null;
        String body = null;
        String code = null;
        String message = null;
        long ts = -1;
        long retryAfter = -1;
        try (JsonParser p = JF.createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return Frame.unreadable(text);
            }
            JsonToken next;
            while ((next = p.nextToken()) == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                JsonToken t = p.nextToken();
                switch (f) {
                    case "type" -> type = t == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "id" -> id = t == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "from" -> from = p.getValueAsString();
                    case "to" -> to = p.getValueAsString();
                    case "body" -> body = p.getValueAsString();
                    case "code" -> code = p.getValueAsString();
                    case "message" -> message = p.getValueAsString();
                    case "ts" -> ts = p.getValueAsLong(-1);
                    case "retryAfterMs" -> retryAfter = p.getValueAsLong(-1);
                    default -> p.skipChildren();
                }
            }
            if (next != JsonToken.END_OBJECT || p.nextToken() != null) {
                return Frame.unreadable(text);
            }
        } catch (IOException e) {
            return Frame.unreadable(text);
        }
        if (type == null) {
            return Frame.unreadable(text);
        }
        return new Frame(type, id, from, to, body, ts, code, message, retryAfter, null);
    }

    /** How many times a send written again for want of an answer doubles its wait for one: up to 8 times. */
    public static final int RESEND_DOUBLINGS = 3;

    /**
     * How long to wait for an answer to a send before writing it again (same ID), when it has been written again
     * {@code writesAgain} times for want of one: {@code resendAfterNanos}, doubled by each such write up to
     * {@link #RESEND_DOUBLINGS} times. An overloaded node answers late; clients that all write again at one pace
     * keep it overloaded (docs/performance.md, thirteenth round).
     */
    public static long resendWaitNanos(long resendAfterNanos, int writesAgain) {
        return resendAfterNanos << Math.min(Math.max(writesAgain, 0), RESEND_DOUBLINGS);
    }

    /** The first wait after {@code unavailable}; each further one for the same send doubles it, up to the cap. */
    public static final long UNAVAILABLE_FIRST_MS = 500;
    /** The longest wait after {@code unavailable}. */
    public static final long UNAVAILABLE_MAX_MS = 8_000;

    /**
     * After an {@code error} frame for a send, how long to wait before writing it again (same ID), in ms; -1 when
     * the error is final for that send. {@code unavailable}: the store could not take it, half a second the first
     * time (see {@link #retryAfterMillis(Frame, int)}); {@code rate_limited}: the sender was too fast, the server's
     * {@code retryAfterMs} (at least 50 ms).
     */
    public static long retryAfterMillis(Frame error) {
        return retryAfterMillis(error, 0);
    }

    /**
     * As {@link #retryAfterMillis(Frame)}, for a send already answered {@code unavailable} {@code unavailableBefore}
     * times: each {@code unavailable} doubles the wait (500 ms, 1 s, 2 s, up to 8 s), and a server's
     * {@code retryAfterMs} on it is a floor. Why: a node answers {@code unavailable} when it is overloaded, and
     * clients that all write again every half second keep it so (docs/performance.md, thirteenth round).
     */
    public static long retryAfterMillis(Frame error, int unavailableBefore) {
        if ("unavailable".equals(error.code())) {
            long backoff = UNAVAILABLE_FIRST_MS << Math.min(Math.max(unavailableBefore, 0), 8);
            return Math.max(Math.min(backoff, UNAVAILABLE_MAX_MS), Math.max(0, error.retryAfterMs()));
        }
        if ("rate_limited".equals(error.code())) {
            return Math.max(50, error.retryAfterMs() < 0 ? 1000 : error.retryAfterMs());
        }
        return -1;
    }
}
