package dev.chat.node.api;

import java.util.List;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import dev.chat.common.api.ApiException;
import dev.chat.node.history.MessageSearch;
import dev.chat.node.history.SearchHit;
import dev.chat.node.postgres.PostgresCalls;
import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

/**
 * Search in the caller's own conversations (extension of the contract): full-text, newest first, a page at a time
 * (older by {@code before}, the last hit's seq). Only messages the caller may read: their one-to-one conversations and
 * their groups from their joining on; an edited message by its newest text, a deleted one never. Every call answers
 * within {@code chat.postgres.call-timeout}: a store that does not answer gets 503 {@code unavailable}.
 */
@APIResponse(responseCode = "401", description = "unauthorized: no valid bearer token")
@APIResponse(responseCode = "503", description = "unavailable: the message store did not answer in time (Retry-After)")
@Authenticated
@Path("/api/search")
public class SearchResource {
    private static final int MAX_LIMIT = 50;
    private static final int DEFAULT_LIMIT = 20;

    @Inject
    SecurityIdentity identity;
    @Inject
    MessageSearch search;
    @Inject
    PostgresCalls calls;
    @ConfigProperty(name = "chat.search.max-query-chars")
    int maxQueryChars;

    /**
     * A page of hits, newest first. {@code before} and {@code limit} are read as text here: JAX-RS answers a query
     * parameter that does not convert with 404, and bad input gets 400 {@code invalid_request}.
     */
    @APIResponse(responseCode = "200", description = "A page of hits, newest first", content = @Content(mediaType = "application/json", schema = @Schema(type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.ARRAY, implementation = SearchHit.class)))
    @APIResponse(responseCode = "400", description = "invalid_request: q missing or too long; before or limit not a whole number from 1")
    @GET
    public Uni<List<SearchHit>> search(@QueryParam("q") String q, @QueryParam("before") String before,
            @QueryParam("limit") String limit) {
        if (q == null || q.isBlank()) {
            throw ApiException.badRequest("invalid_request", "q (the words to find) is required");
        }
        if (q.length() > maxQueryChars) {
            throw ApiException.badRequest("invalid_request", "q must be at most " + maxQueryChars + " characters");
        }
        // No word has a control character, and PostgreSQL refuses a NUL in text (a 500 before).
        if (q.chars().anyMatch(Character::isISOControl)) {
            throw ApiException.badRequest("invalid_request", "q must not contain control characters");
        }
        long beforeSeq = before == null ? Long.MAX_VALUE : number(before, "before");
        if (beforeSeq <= 0) {
            throw ApiException.badRequest("invalid_request", "before must be a positive seq from an earlier page");
        }
        long n = limit == null ? DEFAULT_LIMIT : number(limit, "limit");
        if (n < 1) {
            throw ApiException.badRequest("invalid_request", "limit must be at least 1");
        }
        return calls.bounded(search.search(identity.getPrincipal().getName(), q, beforeSeq,
                (int) Math.min(n, MAX_LIMIT)));
    }

    private static long number(String value, String name) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("invalid_request", name + " must be a whole number");
        }
    }
}
