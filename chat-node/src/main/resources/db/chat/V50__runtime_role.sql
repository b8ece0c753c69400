-- Least privilege (deploy/postgres/roles.sql): this migration runs as the owner 'chat'; chat-node runs as
-- chat_node, which may read and write its own tables and, of user-service's, only the views account_names and
-- revoked_sessions (db/users V10). The runtime role owns nothing: it cannot alter, drop or truncate a table.
GRANT SELECT, INSERT, UPDATE, DELETE
   ON messages, chat_groups, group_members, group_inbox, group_removed, pending, conversation_reads
   TO chat_node;
