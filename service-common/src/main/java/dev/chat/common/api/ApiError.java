package dev.chat.common.api;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The one error body of every API: {@code {"error": CODE, "message": TEXT}}. Registered for reflection: it only
 * travels inside a {@code Response}, where a native image would not see that Jackson needs it.
 */
@RegisterForReflection
public record ApiError(String error, String message) {
    public static Response response(int status, String error, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(new ApiError(error, message))
                .build();
    }
}
