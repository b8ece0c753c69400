package dev.chat.node.groups;

/**
 * What a member may do. Owner: everything, including roles. Admin: add members, remove plain members,
 * rename, make invite links. Member: send, read, leave.
 */
public enum Role {
    OWNER, ADMIN, MEMBER;

    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Role of(String wire) {
        return valueOf(wire.toUpperCase(java.util.Locale.ROOT));
    }

    public boolean canManageMembers() {
        return this != MEMBER;
    }
}
