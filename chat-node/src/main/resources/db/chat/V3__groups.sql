-- Group conversations. A group message is one row of messages (recipient NULL, group_id set), stored once;
-- each member other than the sender gets a row in group_inbox, which carries that member's delivery state.
CREATE TABLE chat_groups (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text        NOT NULL,
    created_by  text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    invite_code text        UNIQUE
);

CREATE TABLE group_members (
    group_id   bigint      NOT NULL REFERENCES chat_groups (id) ON DELETE CASCADE,
    username   text        NOT NULL,
    role       text        NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
    -- History is shown from the moment a member joined: messages with seq above this.
    joined_seq bigint      NOT NULL,
    joined_at  timestamptz NOT NULL DEFAULT now(),
    read_ts    bigint      NOT NULL DEFAULT 0,
    PRIMARY KEY (group_id, username)
);
CREATE INDEX group_members_by_user ON group_members (username);

ALTER TABLE messages ALTER COLUMN recipient DROP NOT NULL;
ALTER TABLE messages ADD COLUMN group_id bigint REFERENCES chat_groups (id) ON DELETE CASCADE;
ALTER TABLE messages ADD CONSTRAINT messages_one_target CHECK ((recipient IS NULL) <> (group_id IS NULL));
CREATE INDEX messages_by_group ON messages (group_id, seq) WHERE group_id IS NOT NULL;

CREATE TABLE group_inbox (
    member   text   NOT NULL,
    seq      bigint NOT NULL REFERENCES messages (seq) ON DELETE CASCADE,
    group_id bigint NOT NULL,
    acked_at timestamptz,
    PRIMARY KEY (member, seq)
);
CREATE INDEX group_inbox_unacked ON group_inbox (member, seq) WHERE acked_at IS NULL;

-- Group messages never get acked_at (their state is per member, in group_inbox): keep them out of the
-- index of unacked one-to-one messages.
DROP INDEX messages_unacked;
CREATE INDEX messages_unacked ON messages (recipient, seq) WHERE acked_at IS NULL AND recipient IS NOT NULL;
