package dev.chat.presence.service.query;

/** One chat node as the presence map sees it, for operators. */
public record NodeStatus(String node, long sockets, long users, long lastHeartbeat, boolean alive) {
}
