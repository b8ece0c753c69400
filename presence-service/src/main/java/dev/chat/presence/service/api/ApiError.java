package dev.chat.presence.service.api;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The body of every error response: a stable machine code and a human sentence. Registered for
 * reflection because it only travels as a {@code Response} entity, which Quarkus cannot see when it
 * registers the types Jackson serializes in a native executable.
 */
@RegisterForReflection
public record ApiError(String error, String message) {
}
