package dev.chat.node.api;

import java.util.List;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;

import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import dev.chat.common.DeletedAccounts;
import dev.chat.common.Usernames;
import dev.chat.common.api.ApiException;
import dev.chat.node.history.Conversation;
import dev.chat.node.history.ConversationLog;
import dev.chat.node.protocol.ServerFrames;
import dev.chat.node.routing.Router;
import dev.chat.node.history.HistoryMessage;
import dev.chat.node.postgres.PostgresCalls;
import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

/**
 * Extension of the contract for the web page: a person's conversations with unread counts, their history
 * a page at a time (newest first, older by {@code before}), and read marks. Only the caller's own. Every call
 * answers within {@code chat.postgres.call-timeout}: a store that does not answer gets 503 {@code unavailable}.
 */
@APIResponse(responseCode = "401", description = "unauthorized: no valid bearer token")
@APIResponse(responseCode = "503", description = "unavailable: the message store did not answer in time (Retry-After)")
@Authenticated
@Path("/api/conversations")
public class ConversationResource {
    private static final int MAX_LIMIT = 100;

    @Inject
    SecurityIdentity identity;
    @Inject
    ConversationLog log;
    @Inject
    PostgresCalls calls;
    @Inject
    Router router;
    @Inject
    ServerFrames frames;

    @APIResponse(responseCode = "200", description = "The caller's conversations, newest first", content = @Content(mediaType = "application/json", schema = @Schema(type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.ARRAY, implementation = Conversation.class)))
    @APIResponse(responseCode = "400", description = "invalid_request: limit is not a whole number from 1")
    @GET
    public Uni<List<Conversation>> conversations(@QueryParam("limit") String limit) {
        return calls.bounded(log.conversations(me(), limit(QueryNumbers.parse(limit, "limit"), 50)));
    }

    @APIResponse(responseCode = "200", description = "A page of the conversation, newest first", content = @Content(mediaType = "application/json", schema = @Schema(type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.ARRAY, implementation = HistoryMessage.class)))
    @APIResponse(responseCode = "400", description = "invalid_username; invalid_request: before or limit is not a whole number from 1")
    @GET
    @Path("/{peer}/messages")
    public Uni<List<HistoryMessage>> messages(@PathParam("peer") String peer, @QueryParam("before") String beforeText,
            @QueryParam("limit") String limitText) {
        Long before = QueryNumbers.parse(beforeText, "before");
        Long limit = QueryNumbers.parse(limitText, "limit");
        if (before != null && before <= 0) {
            throw ApiException.badRequest("invalid_request", "before must be a positive seq from an earlier page");
        }
        return calls.bounded(log.page(me(), peer(peer), before == null ? Long.MAX_VALUE : before, limit(limit, 50)));
    }

    @APIResponse(responseCode = "204", description = "Read up to ts")
    @APIResponse(responseCode = "400", description = "invalid_username; invalid_request: the body is not {\"ts\": EPOCH_MS}")
    @PUT
    @Path("/{peer}/read")
    public Uni<Void> read(@PathParam("peer") String peer, ReadMark mark) {
        if (mark == null || mark.ts() == null || mark.ts() < 0) {
            throw ApiException.badRequest("invalid_request", "body must be {\"ts\": EPOCH_MS}");
        }
        String me = me();
        String with = peer(peer);
        // Live notices, at most once: the reader's other devices clear the unread count, the peer's sockets learn
        // their messages were seen (the web page marks a conversation read while it is open on screen).
        return calls.bounded(log.markRead(me, with, mark.ts()).invoke(() -> {
            router.notify(me, frames.read(with, null, mark.ts()));
            router.notify(with, frames.seen(me, mark.ts()));
        }));
    }

    /** {@code {"ts": EPOCH_MS}}: everything from the peer up to and including ts is read. */
    public record ReadMark(Long ts) {
    }

    private String me() {
        return identity.getPrincipal().getName();
    }

    /** A username, or a deleted account's key ({@code ~ID}): its conversation stays readable under that key. */
    private static String peer(String peer) {
        if (!Usernames.isValid(peer) && !DeletedAccounts.isKey(peer)) {
            throw ApiException.badRequest("invalid_username", "username must be " + Usernames.RULE);
        }
        return peer;
    }

    private static int limit(Long limit, int dflt) {
        if (limit == null) {
            return dflt;
        }
        if (limit < 1) {
            throw ApiException.badRequest("invalid_request", "limit must be at least 1");
        }
        return (int) Math.min(limit, MAX_LIMIT);
    }
}
