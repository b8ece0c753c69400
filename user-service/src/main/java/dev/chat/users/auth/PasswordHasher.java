package dev.chat.users.auth;

import java.nio.charset.StandardCharsets;

import jakarta.enterprise.context.ApplicationScoped;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.smallrye.mutiny.Uni;

/**
 * bcrypt hashing and verification. Both take tens to hundreds of milliseconds of CPU, so they run on the
 * bounded {@link HashingPool}, which resumes on the caller's context (Hibernate Reactive requires it) and fails
 * with {@link HashingBusyException} when its queue is full.
 */
@ApplicationScoped
public class PasswordHasher {
    /**
     * bcrypt reads at most 72 bytes of the password. Rather than silently ignoring the rest or pre-hashing
     * (a non-standard scheme), signup rejects longer passwords ({@link PasswordPolicy}), so every stored hash
     * is plain bcrypt over the whole password.
     */
    public static final int MAX_BYTES = 72;

    // Verified against when the account does not exist, so an unknown username costs as much as a known one.
    private static final char[] DUMMY_PASSWORD = "not-a-real-password".toCharArray();

    private final HashingPool pool;
    private final int cost;
    private volatile String dummyHash;

    public PasswordHasher(HashingPool pool, AuthConfig config) {
        this.pool = pool;
        this.cost = config.password().bcryptCost();
    }

    /**
     * The refusal a hashing job would get now, or null: lets a caller refuse before doing work that only leads to
     * one ({@link HashingPool#refusalNow()}).
     */
    public HashingBusyException busyNow() {
        return pool.refusalNow();
    }

    public Uni<String> hash(String password) {
        if (utf8Length(password) > MAX_BYTES) {
            return Uni.createFrom().failure(new IllegalArgumentException("password longer than " + MAX_BYTES + " bytes"));
        }
        return pool.run(() -> BCrypt.with(BCrypt.Version.VERSION_2B).hashToString(cost, password.toCharArray()));
    }

    /**
     * True when {@code password} matches {@code hash}. A null hash (no such account) or a password no account
     * can have still costs one full verification, and answers false.
     */
    public Uni<Boolean> verify(String password, String hash) {
        return pool.run(() -> {
            if (hash == null || utf8Length(password) > MAX_BYTES) {
                BCrypt.verifyer().verify(DUMMY_PASSWORD, dummyHash());
                return false;
            }
            return BCrypt.verifyer().verify(password.toCharArray(), hash).verified;
        });
    }

    public static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    // Made lazily, on a worker thread, with the configured cost so the dummy check is as slow as a real one.
    private String dummyHash() {
        String h = dummyHash;
        if (h == null) {
            h = BCrypt.with(BCrypt.Version.VERSION_2B).hashToString(cost, DUMMY_PASSWORD);
            dummyHash = h;
        }
        return h;
    }
}
