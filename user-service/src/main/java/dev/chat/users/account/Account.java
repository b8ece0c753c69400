package dev.chat.users.account;

import java.time.OffsetDateTime;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A registered user. The schema is Flyway's (db/users), never generated from this mapping. */
@Entity
@Table(name = "accounts")
public class Account {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(nullable = false, unique = true, updatable = false)
    private String username;

    @Column(name = "password_hash", nullable = false)
    private String passwordHash;

    // The database stamps it (DEFAULT now()); unknown in memory right after an insert.
    @Column(name = "created_at", insertable = false, updatable = false)
    private OffsetDateTime createdAt;

    @Column(name = "deleted_at", insertable = false, updatable = false)
    private OffsetDateTime deletedAt;

    // Profile (V3): written by Profiles with SQL, never through this mapping.
    @Column(name = "display_name", insertable = false, updatable = false)
    private String displayName;

    @Column(name = "avatar_type", insertable = false, updatable = false)
    private String avatarType;

    @Column(name = "avatar_version", insertable = false, updatable = false)
    private Integer avatarVersion;

    protected Account() {
    }

    public Account(String username, String passwordHash) {
        this.username = username;
        this.passwordHash = passwordHash;
    }

    public Long id() {
        return id;
    }

    public String username() {
        return username;
    }

    public String passwordHash() {
        return passwordHash;
    }

    /** The name shown beside the username, or null for none. */
    public String displayName() {
        return displayName;
    }

    /** True when the account has an avatar. */
    public boolean hasAvatar() {
        return avatarType != null;
    }

    /** Changes with every new avatar; part of its URL, so caches never serve an old one. */
    public int avatarVersion() {
        return avatarVersion == null ? 0 : avatarVersion;
    }

    public OffsetDateTime createdAt() {
        return createdAt;
    }
}
