#!/usr/bin/env bash
# keepalived notify script: logs every VRRP transition with a UTC timestamp.
# keepalived calls it as: notify.sh TYPE NAME STATE PRIORITY
#   TYPE  INSTANCE or GROUP;  NAME  the vrrp_instance;  STATE  MASTER, BACKUP, FAULT or STOP
# The log file is CHAT_KEEPALIVED_LOG (default /var/log/chat-keepalived.log); a line also goes to
# syslog when logger is available.
set -euo pipefail

if [[ "${1:-}" == -h || "${1:-}" == --help ]]; then
  sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi
type="${1:-?}" name="${2:-?}" state="${3:-?}" priority="${4:-?}"
log="${CHAT_KEEPALIVED_LOG:-/var/log/chat-keepalived.log}"
line="$(date -u '+%Y-%m-%dT%H:%M:%S.%3NZ') host=$(hostname) $type $name -> $state (priority $priority)"
echo "$line" >>"$log"
if command -v logger >/dev/null 2>&1; then
  logger -t chat-keepalived "$line" || true
fi
