package dev.chat.users.api;

import jakarta.ws.rs.core.Response;

/** A failure the API answers with a given status and error code. */
public class ApiException extends RuntimeException {
    private final Response.Status status;
    private final String code;

    public ApiException(Response.Status status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    public Response.Status status() {
        return status;
    }

    public String code() {
        return code;
    }

    static ApiException badRequest(String message) {
        return new ApiException(Response.Status.BAD_REQUEST, "invalid_request", message);
    }
}
