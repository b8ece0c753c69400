-- Conversation history, newest first, both directions of a pair: (sender, recipient, seq) serves each
-- direction; (recipient, seq) finds what a user received.
CREATE INDEX messages_pair ON messages (sender, recipient, seq);
CREATE INDEX messages_received ON messages (recipient, seq);

-- How far each person has read each conversation: what is newer and from the peer is unread.
CREATE TABLE conversation_reads (
    reader  text   NOT NULL,
    peer    text   NOT NULL,
    read_ts bigint NOT NULL,
    PRIMARY KEY (reader, peer)
);
