-- The message log becomes append-only (issue 16). An ack used to rewrite the message's row, never as a HOT update
-- (acked_at is in index predicates), so every index of messages got a second entry and autovacuum followed: 1,343
-- bytes of WAL per 100-byte message. Now a one-to-one message's delivery state is a small row of its own, written
-- with the message in the same statement and deleted by the recipient's ack; the message row is never changed.

-- What each recipient is owed: one row per pending one-to-one message. The key is the ack's lookup (an ack names
-- the ID alone) and enforces, also against a concurrent send, that at most one message per ID is pending for a
-- recipient (issue 18). An ack deletes the row; a message without one has been delivered.
CREATE TABLE pending (
    recipient text   NOT NULL,
    client_id text   NOT NULL,
    seq       bigint NOT NULL,
    PRIMARY KEY (recipient, client_id)
);

-- Existing unacked messages stay owed. messages_pending_id (V4) kept them unique per (ID, recipient).
INSERT INTO pending (recipient, client_id, seq)
SELECT recipient, client_id, seq FROM messages WHERE acked_at IS NULL AND recipient IS NOT NULL;

-- Delivery no longer reads messages by recipient or by acked_at.
DROP INDEX messages_unacked;
DROP INDEX messages_pending_id;
ALTER TABLE messages DROP COLUMN acked_at;

-- History: one index serves both a pair's pages (either direction is a (recipient, sender) prefix) and what a user
-- received; it replaces (sender, recipient, seq) and (recipient, seq). What a user sent is found through
-- messages_dedup (sender, client_id). One index fewer to write per message.
CREATE INDEX messages_conversation ON messages (recipient, sender, seq) WHERE recipient IS NOT NULL;
DROP INDEX messages_pair;
DROP INDEX messages_received;
