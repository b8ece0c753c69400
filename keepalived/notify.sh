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
# With --metrics-file FILE it keeps chat_vrrp_master and chat_vrrp_transitions_total there (Prometheus text
# format, for node_exporter's textfile collector: the rules' VrrpSplitBrain, VrrpNoMaster, VrrpTransition).
# With --alertmanager URL it also posts the transition to that Alertmanager (alert VrrpTransition, resolved by
# itself after 5 minutes), so it reaches the same receiver as Prometheus's alerts, not only a log line.
set -euo pipefail

if [[ "${1:-}" == -h || "${1:-}" == --help ]]; then
  sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi
log="${CHAT_KEEPALIVED_LOG:-/var/log/chat-keepalived.log}"
host="$(hostname)"
socket=""
metrics_file=""
alertmanager=""
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
    --metrics-file)
      metrics_file="${2:?notify.sh: --metrics-file needs a file}"
      shift 2
      ;;
    --alertmanager)
      alertmanager="${2:?notify.sh: --alertmanager needs a URL}"
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

# The state as Prometheus text: the count goes on from the file's last value (it survives keepalived restarts).
if [[ -n "$metrics_file" ]]; then
  count=0
  if [[ -f "$metrics_file" ]]; then
    count="$(awk '$1 ~ /^chat_vrrp_transitions_total/ { printf "%d", $2 }' "$metrics_file")"
  fi
  master=0
  [[ "$state" == MASTER ]] && master=1
  tmp="$metrics_file.tmp.$$"
  {
    echo "# HELP chat_vrrp_master 1 while keepalived on this host is MASTER (holds the virtual IP)."
    echo "# TYPE chat_vrrp_master gauge"
    echo "chat_vrrp_master{host=\"$host\",vrrp=\"$name\"} $master"
    echo "# HELP chat_vrrp_transitions_total VRRP state changes keepalived reported on this host."
    echo "# TYPE chat_vrrp_transitions_total counter"
    echo "chat_vrrp_transitions_total{host=\"$host\",vrrp=\"$name\"} $((${count:-0} + 1))"
  } >"$tmp" && mv -f "$tmp" "$metrics_file"
fi

# The transition as an alert of its own, straight to Alertmanager (API v2): it must not wait for a scrape.
if [[ -n "$alertmanager" ]] && command -v curl >/dev/null 2>&1; then
  now="$(date -u '+%Y-%m-%dT%H:%M:%SZ')"
  ends="$(date -u -d '+5 minutes' '+%Y-%m-%dT%H:%M:%SZ')"
  body="[{\"labels\":{\"alertname\":\"VrrpTransition\",\"severity\":\"info\",\"host\":\"$host\",\"vrrp\":\"$name\",\"state\":\"$state\"},"
  body+="\"annotations\":{\"summary\":\"keepalived on $host: $name -> $state (priority $priority)\"},"
  body+="\"startsAt\":\"$now\",\"endsAt\":\"$ends\"}]"
  timeout 5 curl -fsS -o /dev/null -m 3 -H 'Content-Type: application/json' -d "$body" "${alertmanager%/}/api/v2/alerts" \
    || echo "$(date -u '+%Y-%m-%dT%H:%M:%S.%3NZ') host=$host could not post the transition to $alertmanager" >>"$log"
fi
if command -v logger >/dev/null 2>&1; then
  timeout 2 logger -t chat-keepalived "$line" 2>/dev/null || true
fi
