package dev.chat.users.api;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The body of a throttled login (429): {@code {"error": "too_many_attempts", "message": TEXT, "retryAfter": S}},
 * the error body of this API plus the seconds to wait (also in the {@code Retry-After} header). Registered for
 * reflection for the native executable, like {@link ApiError}.
 */
@RegisterForReflection
public record ThrottledError(String error, String message, long retryAfter) {
}
