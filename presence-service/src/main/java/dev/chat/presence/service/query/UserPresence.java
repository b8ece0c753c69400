package dev.chat.presence.service.query;

import java.util.List;

/** One user's presence, counting only nodes whose heartbeat is fresh. */
public record UserPresence(String user, boolean online, long sockets, List<String> nodes) {
}
