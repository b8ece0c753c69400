package dev.chat.node.groups;

import java.util.List;

import dev.chat.node.history.HistoryMessage;

/** What the group API answers. Group IDs are strings to clients (opaque). */
public final class GroupViews {
    private GroupViews() {
    }

    public record Member(String username, String role) {
    }

    public record Group(String id, String name, String role, List<Member> members) {
    }

    /**
     * A line of the caller's group list: newest message ({@code null} while the group has none, so the document
     * says so), unread count (messages from others).
     */
    public record Summary(String id, String name, String role, int members,
            @org.eclipse.microprofile.openapi.annotations.media.Schema(nullable = true) HistoryMessage last, long unread) {
    }

    /** {@code expiresAt}: epoch seconds; {@code maxUses}: how many people may join with it. */
    /** Who has read a group message: {@code count} in all, the first {@code names} of them by name. */
    public record SeenBy(int count, List<String> names) {
    }

    public record Invite(String code, long expiresAt, int maxUses) {
    }
}
