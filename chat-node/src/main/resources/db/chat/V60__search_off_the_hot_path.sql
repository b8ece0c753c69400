-- Search's index leaves the hot path (issue 16). V40's GIN expression index on messages was written by every append
-- (463 to 503 bytes of WAL per message, docs/performance.md). Its words now live in message_words, derived data that
-- chat-node's SearchIndexer fills in bulk a moment after the messages are stored, and that writes no WAL: both tables
-- here are UNLOGGED. A crash of PostgreSQL empties them, and a promoted standby has them empty; the indexer then
-- builds them again from messages, and search stays exact meanwhile, because it reads what is not indexed yet (every
-- message after search_progress's watermark, through messages_seq_brin) straight from messages (MessageSearch).
DROP INDEX messages_search;

-- One row per message or edit that search can show (kind NULL or 'edit'; deletes carry no text), up to the watermark.
-- (sender, client_id) finds the row in messages (messages_dedup), whose body a hit shows; the reader columns let a
-- search drop other people's rows before any join. A deleted account's re-keying (NameReleases) rewrites these names
-- too. doc is to_tsvector(search_progress.language, body). A group's deletion takes its messages along but not their
-- rows here: a search joins every row to the log by key and seq, so such a row shows nothing, and a later message
-- that reuses the key replaces it (the indexer's ON CONFLICT DO UPDATE). The watermark's exactness (PgIndexPass) rests
-- on messages_seq_seq handing out one value at a time (CACHE 1, the identity column's default).
CREATE UNLOGGED TABLE message_words (
    seq       bigint   NOT NULL,
    sender    text     NOT NULL,
    client_id text     NOT NULL,
    recipient text,
    group_id  bigint,
    doc       tsvector NOT NULL,
    CONSTRAINT message_words_key UNIQUE (sender, client_id)
);
CREATE INDEX message_words_doc ON message_words USING gin (doc);
-- A name release finds an account's rows by sender (the key above) and by recipient (this).
CREATE INDEX message_words_recipient ON message_words (recipient) WHERE recipient IS NOT NULL;

-- How far message_words goes, and in which language: every message with seq <= indexed_through that search can show
-- has its row. At most one row (key true). noted_through and waiting_for are the indexer's next step: the sequence's
-- last value it saw, and the transactions then running (virtual IDs, pg_locks), any of which may still commit a
-- message at or below it; it indexes up to noted_through once none of them is running.
CREATE UNLOGGED TABLE search_progress (
    key             boolean PRIMARY KEY DEFAULT true CHECK (key),
    language        text    NOT NULL,
    indexed_through bigint  NOT NULL,
    noted_through   bigint,
    waiting_for     text[]
);

-- The unindexed tail (seq > the watermark): messages has had no index on seq since V7. A BRIN index costs an append
-- nothing while the heap's last block range is unsummarized: an insert into an unsummarized range writes no index
-- record. autosummarize asks autovacuum to summarize each range once it is full (one record per 128 pages), so the
-- unsummarized part, which every indexer pass and every search's tail reads whole, stays one range long; without it
-- that part grew until the next VACUUM of the table (autovacuum's insert threshold: a fifth of the table). The build
-- summarizes every range, the last one too, even on an empty table, and each append would then widen that summary
-- (72 bytes of WAL per message, measured): so the last range is unsummarized again here, and a search reads its
-- blocks as it reads any unsummarized range.
CREATE INDEX messages_seq_brin ON messages USING brin (seq) WITH (autosummarize = on);
SELECT brin_desummarize_range('messages_seq_brin',
                              GREATEST(pg_relation_size('messages') / current_setting('block_size')::bigint - 1, 0));

-- The indexer's and search's needs only (V50): the sequence's last value is read, never advanced.
GRANT SELECT, INSERT, UPDATE, DELETE ON message_words, search_progress TO chat_node;
GRANT SELECT ON SEQUENCE messages_seq_seq TO chat_node;
