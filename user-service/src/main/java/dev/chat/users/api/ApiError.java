package dev.chat.users.api;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The one error body of this API: {@code {"error": CODE, "message": TEXT}}. Registered for reflection
 * because it only travels as a {@link Response} entity, which Quarkus cannot see when it registers the
 * types Jackson serializes in a native executable.
 */
@RegisterForReflection
public record ApiError(String error, String message) {
    static Response response(Response.Status status, String error, String message) {
        return response(status.getStatusCode(), error, message);
    }

    static Response response(int status, String error, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(new ApiError(error, message)).build();
    }
}
