#!/bin/sh
# Refuses to start without the passwords scripts/compose-secrets --ha provides, then runs Patroni.
set -eu
if [ -z "${PATRONI_SUPERUSER_PASSWORD:-}" ] || [ -z "${PATRONI_REPLICATION_PASSWORD:-}" ] || [ -z "${CHAT_DB_PASSWORD:-}" ] \
  || [ -z "${CHAT_DB_USERS_PASSWORD:-}" ] || [ -z "${CHAT_DB_NODE_PASSWORD:-}" ] || [ -z "${CHAT_DB_PRESENCE_PASSWORD:-}" ]; then
  echo "patroni: no passwords: run scripts/compose-secrets --ha and pass --env-file .run/compose-ha.env" >&2
  exit 1
fi
exec /usr/bin/patroni /etc/patroni/patroni.yml
