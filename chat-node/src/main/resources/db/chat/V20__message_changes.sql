-- Edits and deletes (issue 18). A change is itself a message row (append-only: the row it changes is never
-- rewritten): it has its own client ID, deduplicated on (sender, client_id) like any message, and goes to the
-- same people as the message it changes through the same delivery state (pending for one-to-one, group_inbox
-- for a group), so it is stored before its ack, redelivered until acked and learnt on reconnect. History shows
-- a message with its newest edit, or as deleted, and never the change rows themselves (kind IS NOT NULL).
ALTER TABLE messages ADD COLUMN kind text CHECK (kind IN ('edit', 'delete'));
-- The changed message: by seq for history, and by its sender and client ID for the frame (denormalized, so
-- that a redelivery reads the change's own row alone).
ALTER TABLE messages ADD COLUMN target_seq bigint;
ALTER TABLE messages ADD COLUMN target_id text;
ALTER TABLE messages ADD COLUMN target_from text;
ALTER TABLE messages ADD CONSTRAINT messages_change_target
    CHECK ((kind IS NULL) = (target_seq IS NULL) AND (kind IS NULL) = (target_id IS NULL)
           AND (kind IS NULL) = (target_from IS NULL)) NOT VALID; -- old rows have none: no scan of the table
-- A history page finds each message's newest change through this.
CREATE INDEX messages_changes ON messages (target_seq, seq) WHERE target_seq IS NOT NULL;
-- "Seen by N" of a group message counts the members whose read mark reached it: a range of this index, read only
-- when a page of history is asked for (never pushed to the group).
CREATE INDEX group_members_read ON group_members (group_id, read_ts);
