-- A message ID is the client's and unique per sender only, but a recipient's ack names a message by ID alone:
-- if two messages with one ID were pending for one recipient, one ack would settle both (issue 18). So a node
-- refuses a send whose ID is still pending for a recipient from someone else (error id_in_use), and each ack
-- settles one stored message.

-- Pairs made before this fix keep both messages: the newer of each pair gets an ID of its own (still 64
-- characters at most, the limit of an ack frame's ID), so each is delivered and acked on its own.
UPDATE messages m SET client_id = left(m.client_id, 63 - length(m.seq::text)) || ':' || m.seq
 WHERE m.acked_at IS NULL AND m.recipient IS NOT NULL
   AND EXISTS (SELECT 1 FROM messages o WHERE o.recipient = m.recipient AND o.client_id = m.client_id
                                          AND o.acked_at IS NULL AND o.seq < m.seq);

-- At most one pending one-to-one message per (ID, recipient), also against a concurrent send; the ack's
-- lookup. The ID comes first so that a group send's check finds pending messages by ID alone.
CREATE UNIQUE INDEX messages_pending_id ON messages (client_id, recipient)
    WHERE acked_at IS NULL AND recipient IS NOT NULL;
-- Group messages by ID: the checks of a send and the ack join them to a member's group_inbox row.
CREATE INDEX messages_group_id ON messages (client_id) WHERE group_id IS NOT NULL;
