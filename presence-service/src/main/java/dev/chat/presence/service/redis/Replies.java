package dev.chat.presence.service.redis;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.vertx.mutiny.redis.client.Response;
import io.vertx.redis.client.ResponseType;

/**
 * Reads raw Redis replies into plain Java values. The client negotiates RESP3 when the server offers it and
 * falls back to RESP2, and the two shape some replies differently (maps vs flat arrays, nested score pairs),
 * so every shape-sensitive read goes through here.
 */
public final class Replies {
    private Replies() {
    }

    /** An array of bulk strings (ZRANGEBYSCORE, HVALS, HKEYS); a missing reply reads as empty. */
    public static List<String> strings(Response reply) {
        List<String> out = new ArrayList<>();
        if (reply == null) {
            return out;
        }
        for (Response r : reply) {
            if (r != null) {
                out.add(r.toString());
            }
        }
        return out;
    }

    /**
     * A hash whose values are counts (a user's presence hash). A value that is not a number can only come from
     * a buggy writer; it is skipped rather than failing the whole answer.
     */
    public static Map<String, Long> counts(Response reply) {
        Map<String, Long> out = new LinkedHashMap<>();
        if (reply == null || reply.size() == 0) {
            return out;
        }
        // getKeys() works for a RESP3 map and for a RESP2 flat field/value array alike.
        for (String field : reply.getKeys()) {
            Long n = parseLong(reply.get(field));
            if (n != null) {
                out.put(field, n);
            }
        }
        return out;
    }

    /** A ZRANGE ... WITHSCORES reply as member → score, in the reply's order. */
    public static Map<String, Long> scores(Response reply) {
        Map<String, Long> out = new LinkedHashMap<>();
        if (reply == null || reply.size() == 0) {
            return out;
        }
        if (reply.get(0).type() == ResponseType.MULTI) {
            // RESP3: [[member, score], ...]
            for (Response pair : reply) {
                out.put(pair.get(0).toString(), parseScore(pair.get(1)));
            }
        } else {
            // RESP2: [member, score, member, score, ...]
            for (int i = 0; i + 1 < reply.size(); i += 2) {
                out.put(reply.get(i).toString(), parseScore(reply.get(i + 1)));
            }
        }
        return out;
    }

    /** A ZSCORE reply: the score, or null when the member is absent. */
    public static Long score(Response reply) {
        return reply == null ? null : parseScore(reply);
    }

    public static long integer(Response reply) {
        return reply == null ? 0 : reply.toLong();
    }

    private static Long parseLong(Response r) {
        if (r == null) {
            return null;
        }
        try {
            return Long.parseLong(r.toString().trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static long parseScore(Response r) {
        // Heartbeats are epoch milliseconds, exact in a double; RESP3 sends a double, RESP2 a string.
        return (long) Double.parseDouble(r.toString());
    }
}
