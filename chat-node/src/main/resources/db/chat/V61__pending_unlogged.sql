-- Delivery state without WAL on the hot path (issue 16). The pending row written with each one-to-one message and
-- deleted by its ack cost ~280 bytes of WAL per message (docs/performance.md "Delivery state without WAL"). pending
-- becomes UNLOGGED: its rows vanish in a PostgreSQL crash, and a promoted standby has it empty. What is owed is
-- then rebuilt by a node's keeper (PendingKeeper) from two logged tables it keeps up to date every few seconds:
--
--   pending_kept: durable copies of pending rows that stayed pending for a while (offline recipients);
--   pending_mark: kept_through, such that every one-to-one message with seq <= kept_through is acked or has a row
--                 in pending_kept;
--   pending_epoch (UNLOGGED, one row): present iff pending is whole. A crash or a promotion empties it with pending;
--                 while it is empty, appends store nothing (the node answers unavailable), since pending's key could
--                 not enforce id_in_use; the keeper's rebuild puts it back.

-- Waits for every transaction writing pending (every one-to-one append writes it in the statement that takes its
-- seq) and holds off new ones until commit: the mark set below is exact.
ALTER TABLE pending SET UNLOGGED;

CREATE TABLE pending_kept (
    recipient text   NOT NULL,
    client_id text   NOT NULL,
    sender    text   NOT NULL,
    seq       bigint NOT NULL,
    PRIMARY KEY (recipient, client_id)
);
INSERT INTO pending_kept (recipient, client_id, sender, seq) SELECT recipient, client_id, sender, seq FROM pending;

CREATE TABLE pending_mark (
    one          boolean PRIMARY KEY DEFAULT true CHECK (one),
    kept_through bigint  NOT NULL
);
INSERT INTO pending_mark (kept_through)
SELECT COALESCE(pg_sequence_last_value(pg_get_serial_sequence('messages', 'seq')::regclass), 0);

CREATE UNLOGGED TABLE pending_epoch (
    one   boolean     PRIMARY KEY DEFAULT true CHECK (one),
    since timestamptz NOT NULL DEFAULT now()
);
INSERT INTO pending_epoch DEFAULT VALUES;

-- A rebuild reads the messages after the mark (a few seconds' worth) by seq; the same index as V60's (search).
CREATE INDEX IF NOT EXISTS messages_seq_brin ON messages USING brin (seq);

-- Least privilege (V50): acks delete kept rows, the keeper copies and prunes them and moves the mark, name releases
-- re-key them; the epoch row is only ever inserted by the runtime role (a crash removes it). The keeper reads the
-- sequence's last value (SELECT on the sequence; it cannot take values from it).
GRANT SELECT, INSERT, UPDATE, DELETE ON pending_kept TO chat_node;
GRANT SELECT, UPDATE ON pending_mark TO chat_node;
GRANT SELECT, INSERT ON pending_epoch TO chat_node;
DO $$
BEGIN
    EXECUTE format('GRANT SELECT ON SEQUENCE %s TO chat_node', pg_get_serial_sequence('messages', 'seq'));
END
$$;
