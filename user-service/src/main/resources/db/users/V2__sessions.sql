-- Sessions (issue 17): one sign-in on one device, and the family of refresh tokens that rotate from it.
-- Revoking a session (logout, logout everywhere, a reused refresh token) ends the whole family. chat-node reads
-- sessions.id and sessions.revoked_at (read-only) to refuse and close sockets of revoked sessions: an inter-service
-- agreement, like accounts.username.
CREATE TABLE sessions (
    id          uuid        PRIMARY KEY,
    account_id  bigint      NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);
CREATE INDEX sessions_account_idx ON sessions (account_id);
-- Every chat node asks once a second for the sessions revoked lately, to close their sockets: keep it an index scan.
CREATE INDEX sessions_revoked_idx ON sessions (revoked_at) WHERE revoked_at IS NOT NULL;

-- Refresh tokens are kept only as SHA-256 hashes: a copy of this table signs nobody in. Each is used once;
-- a used one is kept until it expires so that its reuse (a stolen copy) is recognised and revokes the family.
CREATE TABLE refresh_tokens (
    token_hash  bytea       PRIMARY KEY,
    session_id  uuid        NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz
);
CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id);
CREATE INDEX refresh_tokens_expires_idx ON refresh_tokens (expires_at);
