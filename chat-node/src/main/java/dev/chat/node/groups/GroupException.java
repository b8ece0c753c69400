package dev.chat.node.groups;

import dev.chat.common.api.ApiException;

/** A refused group operation; the group's existence is never revealed to a non-member (404 for both). */
public final class GroupException {
    private GroupException() {
    }

    public static ApiException notFound() {
        return new ApiException(404, "not_found", "no such group, or you are not a member of it");
    }

    public static ApiException forbidden(String what) {
        return new ApiException(403, "forbidden", what);
    }

    public static ApiException unknownUsers(java.util.Collection<String> names) {
        return new ApiException(400, "unknown_users", "no such users: " + String.join(", ", names));
    }

    /** A member removed by an owner or admin tries to come back by invite code. */
    public static ApiException removedMember() {
        return new ApiException(403, "removed_member",
                "you were removed from this group: only its owner or an admin can add you back");
    }

    /** An owner or admin tries to add back someone who left the group on their own. */
    public static ApiException leftGroup() {
        return new ApiException(403, "left_group",
                "they left this group: they can come back themselves with an invite code, not be added back");
    }

    /**
     * An owner or admin puts in a group larger than {@code limit} people who never sent them a direct message
     * (at most ten named).
     */
    public static ApiException notAContact(java.util.Collection<String> names, int limit) {
        String shown = String.join(", ", names.stream().limit(10).toList()) + (names.size() > 10 ? ", ..." : "");
        return new ApiException(403, "not_a_contact", "in a group of more than " + limit
                + " people you can add only those who have written to you; the others can join with the group's"
                + " invite code: " + shown);
    }

    public static ApiException inviteExpired() {
        return new ApiException(410, "invite_expired", "this invite code has expired or been used up: ask for a new one");
    }

    public static ApiException conflict(String what) {
        return new ApiException(409, "conflict", what);
    }
}
