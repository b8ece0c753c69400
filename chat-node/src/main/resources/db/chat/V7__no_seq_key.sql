-- The primary key on messages (seq) goes (issue 16): it was a fourth index written with every message, and no query of
-- the hot path needs it. A pending row now names its message's dedup key (sender, ID), the way redelivery and the
-- ack find the message (messages_dedup); a group_inbox row names its message by (group_id, seq)
-- (messages_by_group). seq stays an identity column: unique by construction, the order of the log and history's
-- page cursor.

ALTER TABLE pending ADD COLUMN sender text;
UPDATE pending p SET sender = m.sender FROM messages m WHERE m.seq = p.seq;
ALTER TABLE pending ALTER COLUMN sender SET NOT NULL;

-- group_inbox referenced messages (seq) for the cascade of a group's deletion; it now follows its group directly.
ALTER TABLE group_inbox DROP CONSTRAINT group_inbox_seq_fkey;
ALTER TABLE group_inbox ADD CONSTRAINT group_inbox_group_fkey
    FOREIGN KEY (group_id) REFERENCES chat_groups (id) ON DELETE CASCADE;

ALTER TABLE messages DROP CONSTRAINT messages_pkey;
