-- The database 'chat' and its roles, for every topology (scripts/up, scripts/up --ha through HAProxy's primary
-- listener, docker-compose's postgres and Patroni images). Run by a superuser, connected to any database, with
-- one password per role (local setup generates them; none is committed):
--
--   psql -v ON_ERROR_STOP=1 -v owner_pw=... -v node_pw=... -v users_pw=... -v presence_pw=... -f roles.sql
--
-- Idempotent: an existing role keeps its grants and takes the given password.
--
--   chat           owns the database and every table: the services' Flyway migrations alone log in as it.
--   chat_users     user-service at run time: accounts, sessions, refresh tokens (granted by db/users V10).
--   chat_node      chat-node at run time: messages and groups (db/chat V50), and of user-service's data only
--                  the views account_names and revoked_sessions (db/users V10), profile_changes (V11) and
--                  pending_name_releases (V12: it may set released_at of a deleted name, nothing else).
--   chat_presence  presence-service at run time: the view revoked_sessions, nothing else.
--
-- None of them may create roles or databases; the runtime roles own nothing, so they cannot alter or drop a
-- table, and they see only what the migrations grant them.
SELECT format('CREATE ROLE %I', r)
  FROM unnest(ARRAY['chat', 'chat_users', 'chat_node', 'chat_presence']) AS r
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r) \gexec
ALTER ROLE chat WITH LOGIN NOCREATEDB NOCREATEROLE PASSWORD :'owner_pw';
ALTER ROLE chat_users WITH LOGIN NOCREATEDB NOCREATEROLE PASSWORD :'users_pw';
ALTER ROLE chat_node WITH LOGIN NOCREATEDB NOCREATEROLE PASSWORD :'node_pw';
ALTER ROLE chat_presence WITH LOGIN NOCREATEDB NOCREATEROLE PASSWORD :'presence_pw';
SELECT 'CREATE DATABASE chat OWNER chat' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'chat') \gexec
-- Only these roles connect; PUBLIC's default CONNECT and TEMP go.
REVOKE ALL ON DATABASE chat FROM PUBLIC;
GRANT CONNECT ON DATABASE chat TO chat_users, chat_node, chat_presence;
