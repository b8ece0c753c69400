package dev.chat.presence.service.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

import dev.chat.presence.service.config.PresenceSettings;
import dev.chat.presence.service.query.NodeStatus;
import dev.chat.presence.service.query.PresenceQuery;
import dev.chat.presence.service.query.UserPresence;
import io.quarkus.security.Authenticated;
import jakarta.annotation.security.RolesAllowed;
import io.smallrye.mutiny.Uni;

/**
 * Presence queries. Any authenticated user may ask about anyone: presence is what a chat client shows next to
 * a contact's name. The literal {@code /nodes} path wins over {@code /{user}} (JAX-RS prefers literal
 * segments), so a user called "nodes" is only visible through the bulk queries.
 */
@Path("/api/presence")
@APIResponse(responseCode = "401", description = "unauthorized: no valid bearer token")
@APIResponse(responseCode = "503", description = "unavailable: Redis did not answer (Retry-After)")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class PresenceResource {
    @Inject
    PresenceQuery query;

    @Inject
    PresenceSettings settings;

    @APIResponse(responseCode = "200", description = "The user's presence", content = @Content(mediaType = "application/json", schema = @Schema(implementation = UserPresence.class)))
    @APIResponse(responseCode = "400", description = "bad_request: not a valid username")
    @GET
    @Path("/{user}")
    public Uni<UserPresence> single(@RestPath String user) {
        return query.lookup(Usernames.require(user));
    }

    @APIResponse(responseCode = "200", description = "Each asked name with its presence", content = @Content(mediaType = "application/json", schema = @Schema(type = SchemaType.OBJECT, additionalProperties = BulkEntry.class)))
    @APIResponse(responseCode = "400", description = "bad_request: users missing, a name not valid, or too many")
    @GET
    public Uni<Map<String, BulkEntry>> bulkGet(@RestQuery List<String> users) {
        List<String> names = Usernames.splitQuery(users);
        if (names == null) {
            throw Usernames.badRequest("query parameter users is required, e.g. ?users=alice,bob");
        }
        return bulk(names);
    }

    @APIResponse(responseCode = "200", description = "Each asked name with its presence", content = @Content(mediaType = "application/json", schema = @Schema(type = SchemaType.OBJECT, additionalProperties = BulkEntry.class)))
    @APIResponse(responseCode = "400", description = "bad_request: users missing, a name not valid, or too many; malformed_json; invalid_request")
    @POST
    @Path("/query")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Map<String, BulkEntry>> bulkPost(BulkQuery body) {
        if (body == null) {
            throw Usernames.badRequest("body {\"users\": [...]} is required");
        }
        return bulk(body.users());
    }

    /**
     * Every chat node with its counts: for operators only (the token's {@code operator} group, which user-service
     * gives the accounts in {@code chat.jwt.operators}); any other signed-in user gets 403.
     */
    @APIResponse(responseCode = "200", description = "Every chat node with its counts", content = @Content(mediaType = "application/json", schema = @Schema(type = SchemaType.ARRAY, implementation = NodeStatus.class)))
    @APIResponse(responseCode = "403", description = "forbidden: the token is not an operator's")
    @GET
    @Path("/nodes")
    @RolesAllowed("operator")
    public Uni<List<NodeStatus>> nodes() {
        return query.nodes();
    }

    private Uni<Map<String, BulkEntry>> bulk(List<String> names) {
        List<String> valid = Usernames.requireAll(names, settings.maxBulkUsers());
        return query.lookup(valid).map(all -> {
            Map<String, BulkEntry> out = new LinkedHashMap<>();
            all.forEach((user, presence) -> out.put(user, BulkEntry.of(presence)));
            return out;
        });
    }
}
