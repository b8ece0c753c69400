-- Invite codes expire and run out of uses; removing a member revokes the code and bars them from joining by
-- any code (issue 18). Only an owner or admin can add a removed member back.
ALTER TABLE chat_groups ADD COLUMN invite_expires_at timestamptz;
ALTER TABLE chat_groups ADD COLUMN invite_uses_left integer;
-- Codes made before: the defaults of a new code (docs/protocol.md), from now.
UPDATE chat_groups SET invite_expires_at = now() + interval '7 days', invite_uses_left = 100
 WHERE invite_code IS NOT NULL;

CREATE TABLE group_removed (
    group_id   bigint      NOT NULL REFERENCES chat_groups (id) ON DELETE CASCADE,
    username   text        NOT NULL,
    removed_by text        NOT NULL,
    removed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (group_id, username)
);
