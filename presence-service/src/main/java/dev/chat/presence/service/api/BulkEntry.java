package dev.chat.presence.service.api;

import dev.chat.presence.service.query.UserPresence;

/** One user's line in a bulk answer: just enough to draw an online dot. */
public record BulkEntry(boolean online, long sockets) {
    static BulkEntry of(UserPresence p) {
        return new BulkEntry(p.online(), p.sockets());
    }
}
