#!/usr/bin/env bash
# keepalived notify script: logs every VRRP transition with a UTC timestamp.
# keepalived calls it as: notify.sh [--log FILE] [--host NAME] [--haproxy-socket PATH] TYPE NAME STATE PRIORITY
#   TYPE  INSTANCE or GROUP;  NAME  the vrrp_instance;  STATE  MASTER, BACKUP, FAULT or STOP
# The log file is --log FILE, else CHAT_KEEPALIVED_LOG (default /var/log/chat-keepalived.log); the
# host is --host NAME, else hostname. A line also goes to syslog when logger is available.
# With --haproxy-socket (this host's HAProxy admin socket, needs socat), leaving MASTER (BACKUP, FAULT,
# STOP) also shuts down every session of this HAProxy: they came through the virtual IP, which is gone,
# so their clients are already talking to the other host; closing them at once tells those clients
# (the FIN still reaches them) and frees the chat nodes from sockets that would otherwise linger.
set -euo pipefail

if [[ "${1:-}" == -h || "${1:-}" == --help ]]; then
  sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi
log="${CHAT_KEEPALIVED_LOG:-/var/log/chat-keepalived.log}"
host="$(hostname)"
socket=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --log)
      log="${2:?notify.sh: --log needs a file}"
      shift 2
      ;;
    --host)
      host="${2:?notify.sh: --host needs a name}"
      shift 2
      ;;
    --haproxy-socket)
      socket="${2:?notify.sh: --haproxy-socket needs a path}"
      shift 2
      ;;
    *) break ;;
  esac
done
type="${1:-?}" name="${2:-?}" state="${3:-?}" priority="${4:-?}"
line="$(date -u '+%Y-%m-%dT%H:%M:%S.%3NZ') host=$host $type $name -> $state (priority $priority)"

# shutdown_sessions: every server of every backend of the local HAProxy; prints how many sessions it had.
shutdown_sessions() {
  local stat total=0 pair
  stat="$(echo "show stat" | timeout 3 socat -t 2 stdio "UNIX-CONNECT:$socket" 2>/dev/null)" || return 1
  while IFS=, read -r pair cur; do
    echo "shutdown sessions server $pair" | timeout 3 socat -t 2 stdio "UNIX-CONNECT:$socket" >/dev/null 2>&1 || true
    total=$((total + cur))
  done < <(awk -F, '$1 !~ /^#/ && $2 != "FRONTEND" && $2 != "BACKEND" && NF > 5 { print $1 "/" $2 "," ($5 == "" ? 0 : $5) }' <<<"$stat")
  echo "$total"
}

case "$state" in
  BACKUP | FAULT | STOP)
    if [[ -n "$socket" && -S "$socket" ]] && command -v socat >/dev/null 2>&1; then
      if n="$(shutdown_sessions)"; then
        line+="; shut down $n sessions of this HAProxy"
      fi
    fi
    ;;
esac

echo "$line" >>"$log"
if command -v logger >/dev/null 2>&1; then
  timeout 2 logger -t chat-keepalived "$line" 2>/dev/null || true
fi
