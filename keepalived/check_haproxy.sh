#!/usr/bin/env bash
# keepalived vrrp_script: exits 0 while the local HAProxy answers, non-zero otherwise.
# It asks HAProxy itself (never pidof: the hosts of a pair may share a PID namespace, and a
# hung process is not a healthy one):
#   check_haproxy.sh http://127.0.0.1:8084/healthz     the stats front end's monitor-uri
#   check_haproxy.sh /path/to/haproxy.sock              the admin socket ('show info', needs socat)
set -euo pipefail

target="${1:-http://127.0.0.1:8084/healthz}"
case "$target" in
  -h | --help)
    sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  http://* | https://*)
    exec curl -fsS -o /dev/null -m 2 "$target"
    ;;
  /*)
    command -v socat >/dev/null 2>&1 || { echo "check_haproxy.sh: socat is needed for $target" >&2; exit 2; }
    echo "show info" | socat -t 2 stdio "UNIX-CONNECT:$target" | grep -q '^Pid: '
    ;;
  *)
    echo "check_haproxy.sh: expected an http(s) URL or a socket path, not '$target'" >&2
    exit 2
    ;;
esac
