package dev.chat.presence.service.api;

import java.util.ArrayList;
import java.util.List;

import dev.chat.common.api.ApiException;

/**
 * The contract's username rule ({@link dev.chat.common.Usernames}) applied to presence queries: checked before
 * any Redis access so that a name can never smuggle key syntax (a colon, a glob) into a presence key.
 */
final class Usernames {

    private Usernames() {
    }

    static String require(String name) {
        if (!dev.chat.common.Usernames.isValid(name)) {
            throw badRequest("invalid username " + quote(name) + ": " + dev.chat.common.Usernames.RULE);
        }
        return name;
    }

    /** Validates a bulk request's names, bounding its size before looking at the names themselves. */
    static List<String> requireAll(List<String> names, int max) {
        if (names == null) {
            throw badRequest("users is required");
        }
        if (names.size() > max) {
            throw badRequest("at most " + max + " users per query, got " + names.size());
        }
        List<String> out = new ArrayList<>(names.size());
        for (String n : names) {
            out.add(require(n));
        }
        return out;
    }

    /** Splits {@code ?users=a,b&users=c}; blank items (a trailing comma) are ignored. */
    static List<String> splitQuery(List<String> params) {
        if (params == null || params.isEmpty()) {
            return null;
        }
        List<String> out = new ArrayList<>();
        for (String p : params) {
            for (String item : p.split(",", -1)) {
                String name = item.trim();
                if (!name.isEmpty()) {
                    out.add(name);
                }
            }
        }
        return out;
    }

    static ApiException badRequest(String message) {
        return ApiException.badRequest("bad_request", message);
    }

    private static String quote(String name) {
        if (name == null) {
            return "null";
        }
        // Echo a bounded prefix only: the message must not become a reflection channel for huge inputs.
        String shown = name.length() > 40 ? name.substring(0, 40) + "..." : name;
        return "'" + shown + "'";
    }
}
