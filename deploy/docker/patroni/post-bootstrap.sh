#!/bin/sh
# Patroni's post_bootstrap hook: $1 is a connection URL to the new primary as the superuser. The database 'chat'
# and its roles (deploy/postgres/roles.sql), with the passwords scripts/compose-secrets --ha put in the env file.
set -eu
psql -v ON_ERROR_STOP=1 -X -q -v owner_pw="$CHAT_DB_PASSWORD" -v users_pw="$CHAT_DB_USERS_PASSWORD" \
  -v node_pw="$CHAT_DB_NODE_PASSWORD" -v presence_pw="$CHAT_DB_PRESENCE_PASSWORD" \
  -f /etc/patroni/roles.sql "$1"
