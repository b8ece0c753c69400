-- The durable message log. A row is written once, when a node accepts a message, and updated once,
-- when the recipient acks it. (sender, client_id) is the deduplication key: clients retry with the
-- same ID until acked, so a second insert must find the first.
CREATE TABLE messages (
    seq        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sender     text   NOT NULL,
    client_id  text   NOT NULL,
    recipient  text   NOT NULL,
    body       text   NOT NULL,
    ts         bigint NOT NULL, -- epoch ms at acceptance, the "ts" of the msg frame
    acked_at   timestamptz,
    CONSTRAINT messages_dedup UNIQUE (sender, client_id)
);

-- What a reconnecting or swept user is owed: small, because acked rows leave it.
CREATE INDEX messages_unacked ON messages (recipient, seq) WHERE acked_at IS NULL;
