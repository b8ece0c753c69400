-- Least privilege (deploy/postgres/roles.sql): this migration runs as the owner 'chat'; user-service runs as
-- chat_users, which may read and write its own tables and nothing of chat-node's. Other services see only what
-- they need of these tables, through views that run with the owner's rights:
--   account_names     whether a name is registered (chat-node: sends, group members, socket upgrades);
--   revoked_sessions  which sessions were revoked and when (chat-node and presence-service refuse their tokens),
--                     never the refresh-token hashes, password hashes or anything else of an account.
GRANT SELECT, INSERT, UPDATE, DELETE ON accounts, sessions, refresh_tokens TO chat_users;
GRANT SELECT, INSERT ON retired_usernames TO chat_users;

CREATE VIEW account_names AS SELECT username FROM accounts;
CREATE VIEW revoked_sessions AS SELECT id, revoked_at FROM sessions WHERE revoked_at IS NOT NULL;
GRANT SELECT ON account_names TO chat_node;
GRANT SELECT ON revoked_sessions TO chat_node, chat_presence;
