package dev.chat.node.api;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import dev.chat.common.Usernames;
import dev.chat.common.api.ApiException;
import dev.chat.node.groups.GroupException;
import dev.chat.node.groups.GroupLog;
import dev.chat.node.groups.GroupViews;
import dev.chat.node.groups.GroupsConfig;
import dev.chat.node.groups.Role;
import dev.chat.node.history.HistoryMessage;
import dev.chat.node.postgres.PostgresCalls;
import dev.chat.node.protocol.ServerFrames;
import dev.chat.node.routing.Router;
import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

/**
 * Group conversations (extension of the contract): membership, roles, invites, history, read marks. Every call
 * answers within {@code chat.postgres.call-timeout}: a store that does not answer gets 503 {@code unavailable}.
 */
@APIResponse(responseCode = "401", description = "unauthorized: no valid bearer token")
@APIResponse(responseCode = "503", description = "unavailable: the message store did not answer in time (Retry-After)")
@Authenticated
@Path("/api/groups")
public class GroupResource {
    private static final int MAX_NAME = 64;
    private static final int MAX_FIRST_MEMBERS = 5_000;
    /** The shortest life of an invite code a client may ask for. */
    private static final long MIN_INVITE_SECONDS = 60;

    @Inject
    SecurityIdentity identity;
    @Inject
    GroupLog groups;
    @Inject
    GroupsConfig config;
    @Inject
    ObjectMapper json;
    @Inject
    PostgresCalls calls;
    @Inject
    Router router;
    @Inject
    GroupNotices notices;
    @Inject
    ServerFrames frames;

    public record NewGroup(String name, List<String> members) {
    }

    public record Rename(String name) {
    }

    public record NewMember(String username) {
    }

    public record RoleChange(String role) {
    }

    public record Join(String code) {
    }

    public record ReadMark(Long ts) {
    }

    /** Both optional: the configured defaults apply. */
    public record InviteLimits(Long expiresInSeconds, Integer maxUses) {
    }

    @APIResponse(responseCode = "201", description = "Created: the group (Location: its URL)", content = @Content(mediaType = "application/json", schema = @Schema(implementation = GroupViews.Group.class)))
    @APIResponse(responseCode = "400", description = "invalid_request, invalid_name, invalid_username, unknown_users")
    @APIResponse(responseCode = "403", description = "not_a_contact: past the consent size, people who never wrote to the caller")
    @POST
    public Uni<Response> create(NewGroup body) {
        if (body == null) {
            throw ApiException.badRequest("invalid_request", "body must be {\"name\": ..., \"members\": [...]}");
        }
        List<String> members = body.members() == null ? List.of() : body.members();
        if (members.size() > MAX_FIRST_MEMBERS) {
            throw ApiException.badRequest("invalid_request", "at most " + MAX_FIRST_MEMBERS + " first members");
        }
        members.forEach(GroupResource::username);
        String me = me();
        return calls.bounded(groups.create(me, name(body.name()), members)
                .call(g -> notices.tell(Long.parseLong(g.id()), "created", me, null, g.name(), null, null))
                .map(g -> Response.created(URI.create("/api/groups/" + g.id())).entity(g).build()));
    }

    @APIResponse(responseCode = "200", description = "The caller's groups", content = @Content(mediaType = "application/json", schema = @Schema(type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.ARRAY, implementation = GroupViews.Summary.class)))
    @GET
    public Uni<List<GroupViews.Summary>> mine() {
        return calls.bounded(groups.groupsOf(me()));
    }

    @APIResponse(responseCode = "200", description = "The group with its members", content = @Content(mediaType = "application/json", schema = @Schema(implementation = GroupViews.Group.class)))
    @APIResponse(responseCode = "404", description = "not_found: no such group, or the caller is not a member")
    @GET
    @Path("/{id}")
    public Uni<GroupViews.Group> group(@PathParam("id") String id) {
        return calls.bounded(groups.group(groupId(id), me()).onItem().ifNull().failWith(GroupException::notFound));
    }

    @APIResponse(responseCode = "204", description = "Renamed")
    @APIResponse(responseCode = "400", description = "invalid_name, invalid_request")
    @APIResponse(responseCode = "403", description = "forbidden: only the owner and admins rename")
    @APIResponse(responseCode = "404", description = "not_found: no such group, or the caller is not a member")
    @PUT
    @Path("/{id}")
    public Uni<Void> rename(@PathParam("id") String id, Rename body) {
        long group = groupId(id);
        String me = me();
        String name = name(body == null ? null : body.name());
        return calls.bounded(groups.rename(group, me, name).call(() -> notices.tell(group, "renamed", me, null, name, null, null)));
    }

    @APIResponse(responseCode = "201", description = "Added")
    @APIResponse(responseCode = "400", description = "invalid_username, unknown_users, invalid_request")
    @APIResponse(responseCode = "403", description = "forbidden, left_group, not_a_contact")
    @APIResponse(responseCode = "404", description = "not_found: no such group, or the caller is not a member")
    @APIResponse(responseCode = "409", description = "conflict: already a member")
    @POST
    @Path("/{id}/members")
    public Uni<Response> add(@PathParam("id") String id, NewMember body) {
        String user = username(body == null ? null : body.username());
        long group = groupId(id);
        String me = me();
        return calls.bounded(groups.add(group, me, user).call(() -> notices.tell(group, "added", me, user, null, null, null))
                .replaceWith(Response.status(201).build()));
    }

    /** Removing oneself is leaving. */
    @APIResponse(responseCode = "204", description = "Removed (or left)")
    @APIResponse(responseCode = "400", description = "invalid_username")
    @APIResponse(responseCode = "403", description = "forbidden: only the owner and admins remove others")
    @APIResponse(responseCode = "404", description = "not_found: no such group, or the caller is not a member")
    @DELETE
    @Path("/{id}/members/{username}")
    public Uni<Void> remove(@PathParam("id") String id, @PathParam("username") String username) {
        long group = groupId(id);
        String me = me();
        String user = username(username);
        return calls.bounded(groups.remove(group, me, user)
                .call(() -> notices.tell(group, user.equals(me) ? "left" : "removed", me, user, null, null, user)));
    }

    @APIResponse(responseCode = "204", description = "Role set")
    @APIResponse(responseCode = "400", description = "invalid_request: role is not admin or member; invalid_username")
    @APIResponse(responseCode = "403", description = "forbidden: only the owner sets roles")
    @APIResponse(responseCode = "404", description = "not_found: no such group, or the caller is not a member")
    @PUT
    @Path("/{id}/members/{username}/role")
    public Uni<Void> role(@PathParam("id") String id, @PathParam("username") String username, RoleChange body) {
        Role role;
        try {
            role = Role.of(body == null || body.role() == null ? "" : body.role());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("invalid_request", "role must be \"admin\" or \"member\"");
        }
        long group = groupId(id);
        String me = me();
        String user = username(username);
        return calls.bounded(groups.setRole(group, me, user, role)
                .call(() -> notices.tell(group, "role", me, user, null, role.wire(), null)));
    }

    @APIResponse(responseCode = "200", description = "A new invite code", content = @Content(mediaType = "application/json", schema = @Schema(implementation = GroupViews.Invite.class)))
    @APIResponse(responseCode = "400", description = "invalid_request: the body is not empty or {\"expiresInSeconds\": N, \"maxUses\": N} within the limits")
    @APIResponse(responseCode = "403", description = "forbidden: only the owner and admins invite")
    @APIResponse(responseCode = "404", description = "not_found: no such group, or the caller is not a member")
    @POST
    @Path("/{id}/invite")
    @Consumes(MediaType.WILDCARD)
    public Uni<GroupViews.Invite> invite(@PathParam("id") String id, String body) {
        InviteLimits limits = inviteLimits(body);
        GroupsConfig rules = config;
        Duration lifetime = rules.inviteLifetime();
        int uses = rules.inviteUses();
        if (limits != null && limits.expiresInSeconds() != null) {
            lifetime = Duration.ofSeconds(limits.expiresInSeconds());
            if (limits.expiresInSeconds() < MIN_INVITE_SECONDS || lifetime.compareTo(rules.inviteMaxLifetime()) > 0) {
                throw ApiException.badRequest("invalid_request", "expiresInSeconds must be " + MIN_INVITE_SECONDS
                        + " to " + rules.inviteMaxLifetime().toSeconds());
            }
        }
        if (limits != null && limits.maxUses() != null) {
            uses = limits.maxUses();
            if (uses < 1 || uses > rules.inviteMaxUses()) {
                throw ApiException.badRequest("invalid_request", "maxUses must be 1 to " + rules.inviteMaxUses());
            }
        }
        return calls.bounded(groups.invite(groupId(id), me(), lifetime, uses));
    }

    @APIResponse(responseCode = "200", description = "Joined: the group", content = @Content(mediaType = "application/json", schema = @Schema(implementation = GroupViews.Group.class)))
    @APIResponse(responseCode = "400", description = "invalid_request: the body is not {\"code\": INVITE_CODE}")
    @APIResponse(responseCode = "403", description = "removed_member: removed by an owner or admin")
    @APIResponse(responseCode = "404", description = "not_found: no such invite code")
    @APIResponse(responseCode = "409", description = "conflict: already a member")
    @APIResponse(responseCode = "410", description = "invite_expired: expired or used up")
    @POST
    @Path("/join")
    public Uni<GroupViews.Group> join(Join body) {
        // No control character either: no invite code has one, and PostgreSQL refuses a NUL in text (a 500 before).
        if (body == null || body.code() == null || body.code().isBlank() || body.code().length() > 64
                || body.code().chars().anyMatch(Character::isISOControl)) {
            throw ApiException.badRequest("invalid_request", "body must be {\"code\": INVITE_CODE}");
        }
        String me = me();
        return calls.bounded(groups.join(me, body.code()).call(id -> notices.tell(id, "joined", me, me, null, null, null))
                .chain(id -> groups.group(id, me)));
    }

    @APIResponse(responseCode = "200", description = "A page of the group's messages, newest first", content = @Content(mediaType = "application/json", schema = @Schema(type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.ARRAY, implementation = HistoryMessage.class)))
    @APIResponse(responseCode = "400", description = "invalid_request: before or limit is not a whole number from 1")
    @APIResponse(responseCode = "404", description = "not_found: no such group, or the caller is not a member")
    @GET
    @Path("/{id}/messages")
    public Uni<List<HistoryMessage>> messages(@PathParam("id") String id, @QueryParam("before") String beforeText,
            @QueryParam("limit") String limitText) {
        Long before = QueryNumbers.parse(beforeText, "before");
        Long limit = QueryNumbers.parse(limitText, "limit");
        if (before != null && before <= 0) {
            throw ApiException.badRequest("invalid_request", "before must be a positive seq from an earlier page");
        }
        long n = limit == null ? 50 : limit;
        if (n < 1) {
            throw ApiException.badRequest("invalid_request", "limit must be at least 1");
        }
        return calls.bounded(groups.page(groupId(id), me(), before == null ? Long.MAX_VALUE : before, (int) Math.min(n, 100)));
    }

    /** Who has read one message of the group (its {@code seq}): a count and up to 100 names. */
    @APIResponse(responseCode = "200", description = "Who has read the message", content = @Content(mediaType = "application/json", schema = @Schema(implementation = GroupViews.SeenBy.class)))
    @APIResponse(responseCode = "404", description = "not_found: no such group or message, or the caller is not a member")
    @GET
    @Path("/{id}/messages/{seq}/seen")
    public Uni<GroupViews.SeenBy> seen(@PathParam("id") String id, @PathParam("seq") String seq) {
        long message;
        try {
            message = Long.parseLong(seq);
        } catch (NumberFormatException e) {
            throw GroupException.notFound();
        }
        return calls.bounded(groups.seenBy(groupId(id), me(), message, 100)).onItem().ifNull()
                .failWith(GroupException::notFound);
    }

    @APIResponse(responseCode = "204", description = "Read up to ts")
    @APIResponse(responseCode = "400", description = "invalid_request: the body is not {\"ts\": EPOCH_MS}")
    @APIResponse(responseCode = "404", description = "not_found: no such group, or the caller is not a member")
    @PUT
    @Path("/{id}/read")
    public Uni<Void> read(@PathParam("id") String id, ReadMark mark) {
        if (mark == null || mark.ts() == null || mark.ts() < 0) {
            throw ApiException.badRequest("invalid_request", "body must be {\"ts\": EPOCH_MS}");
        }
        long group = groupId(id);
        String me = me();
        // The reader's other devices clear the group's unread count live (a notice, at most once).
        return calls.bounded(groups.markRead(group, me, mark.ts()).invoke(() -> router.notify(me, frames.read(null, group, mark.ts()))));
    }

    /**
     * The optional body of an invite request, read here: clients made before the limits post no body and no
     * Content-Type, which a JSON-typed parameter would refuse with 415.
     */
    private InviteLimits inviteLimits(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            return json.readValue(body, InviteLimits.class);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("invalid_request",
                    "body must be empty or {\"expiresInSeconds\": N, \"maxUses\": N}");
        }
    }

    private String me() {
        return identity.getPrincipal().getName();
    }

    private static long groupId(String id) {
        if (id == null || !id.matches("[1-9][0-9]{0,17}")) {
            throw GroupException.notFound();
        }
        return Long.parseLong(id);
    }

    private static String name(String name) {
        String n = name == null ? "" : name.strip();
        if (n.isEmpty() || n.length() > MAX_NAME || n.chars().anyMatch(Character::isISOControl)) {
            throw ApiException.badRequest("invalid_name", "a group name is 1 to " + MAX_NAME
                    + " characters, without control characters");
        }
        return n;
    }

    private static String username(String u) {
        if (!Usernames.isValid(u)) {
            throw ApiException.badRequest("invalid_username", "username must be " + Usernames.RULE);
        }
        return u;
    }
}
