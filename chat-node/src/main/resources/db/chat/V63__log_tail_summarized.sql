-- The log's tail, summarized as it fills (issue 16). Search's indexer (PgIndexPass) and every search (MessageSearch)
-- read the messages after the index's watermark through messages_seq_brin (V60). A range of that index is summarized
-- only when autovacuum comes round (autosummarize: up to a naptime, a minute, after the range filled), and a bitmap
-- scan reads every unsummarized range whole: in the benchmark an indexing pass of 900 messages read 1,070 blocks and
-- rechecked 42,468 rows, 7.6 of its 14.8 ms (docs/performance.md, tenth round). The indexer now summarizes, before
-- each pass, the full ranges behind the last one, so a tail read covers the range being filled, the one before it,
-- and only such older ranges as a late insert widened (an insert into an old page's free space, even one rolled back,
-- widens that range's summary for good). The last range stays unsummarized: were it summarized, every append would
-- widen its summary (V60).
--
-- brin_summarize_range needs the index's owner, and the node's role owns nothing (V50): this function runs as the
-- owner (SECURITY DEFINER) and does only that. It walks back from the range before the last and stops at the first
-- one already summarized (ranges fill, and get summarized, in order), 64 at most. It waits for no one: a range
-- summarization takes the table's SHARE UPDATE EXCLUSIVE lock, which a running VACUUM holds for long, so it gives up
-- after 100 ms and answers what it did (the next pass, or autovacuum, does the rest). Answers how many ranges it
-- summarized. The range's size is read from the index (V60 leaves the default, 128 pages).
CREATE FUNCTION summarize_log_tail() RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path FROM CURRENT
    SET lock_timeout = '100ms'
AS $$
DECLARE
    pages_per_range constant bigint := COALESCE(
        (SELECT option_value::bigint FROM pg_class c, pg_options_to_table(c.reloptions)
          WHERE c.oid = 'messages_seq_brin'::regclass AND option_name = 'pages_per_range'), 128);
    last_range bigint := (pg_relation_size('messages') / current_setting('block_size')::bigint - 1) / pages_per_range;
    summarized integer := 0;
    now_done integer;
BEGIN
    FOR r IN REVERSE last_range - 1 .. GREATEST(last_range - 64, 0) LOOP
        BEGIN
            now_done := brin_summarize_range('messages_seq_brin', r * pages_per_range);
        EXCEPTION WHEN lock_not_available THEN
            RETURN summarized; -- the ranges summarized before this one stay so
        END;
        EXIT WHEN now_done = 0;
        summarized := summarized + now_done;
    END LOOP;
    RETURN summarized;
END
$$;
REVOKE ALL ON FUNCTION summarize_log_tail() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION summarize_log_tail() TO chat_node;
