#!/bin/sh
# docker-compose's postgres image runs this once, on a new cluster: the database 'chat' and its roles
# (roles.sql), with the passwords scripts/compose-secrets put in the env file.
set -eu
psql -v ON_ERROR_STOP=1 -X -q --username postgres --dbname postgres \
  -v owner_pw="$CHAT_DB_PASSWORD" -v users_pw="$CHAT_DB_USERS_PASSWORD" \
  -v node_pw="$CHAT_DB_NODE_PASSWORD" -v presence_pw="$CHAT_DB_PRESENCE_PASSWORD" \
  -f /chat-postgres/roles.sql
