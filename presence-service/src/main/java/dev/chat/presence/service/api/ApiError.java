package dev.chat.presence.service.api;

/** The body of every error response: a stable machine code and a human sentence. */
public record ApiError(String error, String message) {
}
