#!/bin/sh
# Patroni's post_bootstrap hook: $1 is a connection URL to the new primary as the superuser.
set -eu
psql -v ON_ERROR_STOP=1 -v pw="$CHAT_DB_PASSWORD" "$1" <<'SQL'
CREATE ROLE chat LOGIN PASSWORD :'pw';
CREATE DATABASE chat OWNER chat;
SQL
