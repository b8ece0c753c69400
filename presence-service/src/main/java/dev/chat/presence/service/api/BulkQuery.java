package dev.chat.presence.service.api;

import java.util.List;

/** Body of {@code POST /api/presence/query}. */
public record BulkQuery(List<String> users) {
}
