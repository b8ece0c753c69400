-- messages_conversation keys by the names' hashes (issue 16). Its entries were (recipient, sender, seq): two names
-- and a bigint, 40 bytes with the tuple header and padding for 10-character names (more for longer ones); now two
-- 4-byte hashes and the bigint, 24 whatever the names. Each message's leaf insert writes 16 bytes less WAL, and the
-- index fills pages about half as fast, so about half as many page splits (about 4 kB of WAL each). Measured
-- standalone: 466 bytes of WAL per message before, 431 after (docs/performance.md, tenth round).
--
-- The hashes find the entries, the names decide: every statement that reads through this index compares the names
-- too (ConversationIndex), so two names whose hashes collide cost an extra row read, never a wrong row. The index
-- serves what it served before, through the same prefixes: a pair's pages (either direction is a (recipient,
-- sender) prefix, in seq order), what a user received (recipient), and whether a user ever wrote to another.
--
-- hashtext is immutable, as an index expression must be; PostgreSQL keeps its values across versions and
-- pg_upgrade, which hash indexes and hash partitions depend on too. Were that ever broken, REINDEX rebuilds this.
-- Built inside the migration's transaction, as V6 built the index it replaces: appends wait for the build.
DROP INDEX messages_conversation;
CREATE INDEX messages_conversation ON messages (hashtext(recipient), hashtext(sender), seq)
    WHERE recipient IS NOT NULL;
