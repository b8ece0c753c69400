-- Full-text search of a person's own conversations (issue 18). An expression index, not a stored tsvector column: the
-- column would put a second copy of every message's lexemes in the heap and in the WAL, for no query the index alone
-- cannot serve (docs/performance.md has the figures). Only what search can show is indexed: messages and their edits
-- (an edited message is found by its newest text, the edit row's body); deletes carry no text.
-- The language is chat.search.language (application.properties), given to Flyway as a placeholder: the index expression
-- must be the very expression of the query (MessageSearch), which names the same configuration. fastupdate (the
-- default) stays on: a message's lexemes go to the index's pending list in one record instead of one B-tree insert
-- each, and are merged in bulk when the list is full or by autovacuum.
CREATE INDEX messages_search ON messages USING gin (to_tsvector('${search_language}'::regconfig, body))
    WHERE kind IS NULL OR kind = 'edit';
