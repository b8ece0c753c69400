-- Owned by user-service. chat-node reads accounts.username (read-only) to validate recipients,
-- so the table and column names are part of an inter-service agreement: rename neither.
CREATE TABLE accounts (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username      text        NOT NULL,
    password_hash text        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT accounts_username_key UNIQUE (username)
);

-- The unique index follows the database collation, which cannot serve LIKE 'prefix%' outside the
-- C locale; this one can, and keeps user search an index range scan.
CREATE INDEX accounts_username_prefix_idx ON accounts (username text_pattern_ops);
