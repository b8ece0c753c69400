package dev.chat.presence.service.api;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Username rules of the contract. Checked before any Redis access so that a name can never smuggle key syntax
 * (a colon, a glob) into a presence key.
 */
final class Usernames {
    private static final Pattern VALID = Pattern.compile("[a-z0-9_.-]{3,32}");

    private Usernames() {
    }

    static String require(String name) {
        if (name == null || !VALID.matcher(name).matches()) {
            throw ApiException.badRequest("invalid username " + quote(name)
                    + ": 3 to 32 characters of a-z, 0-9, '_', '.', '-'");
        }
        return name;
    }

    /** Validates a bulk request's names, bounding its size before looking at the names themselves. */
    static List<String> requireAll(List<String> names, int max) {
        if (names == null) {
            throw ApiException.badRequest("users is required");
        }
        if (names.size() > max) {
            throw ApiException.badRequest("at most " + max + " users per query, got " + names.size());
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

    private static String quote(String name) {
        if (name == null) {
            return "null";
        }
        // Echo a bounded prefix only: the message must not become a reflection channel for huge inputs.
        String shown = name.length() > 40 ? name.substring(0, 40) + "..." : name;
        return "'" + shown + "'";
    }
}
