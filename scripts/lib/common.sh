# shellcheck shell=bash disable=SC2034
# Shared functions for the operator scripts. Sourced, never run: every script in scripts/ does
#   source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# and gets the repo root, the run-dir layout, process bookkeeping by PID and the port plan.

CHAT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PROG="scripts/$(basename "$0")"

# The components of the local stack, in start order.
COMPONENTS=(postgres redis user-service presence-service chat-node-1 chat-node-2 chat-node-3 haproxy)
JAVA_COMPONENTS=(user-service presence-service chat-node-1 chat-node-2 chat-node-3)

DEFAULT_PORT_BASE=8080

STARTED=()    # components this invocation launched (see launch)
LAUNCH_ENV=() # VAR=VALUE entries for the next launch
LAUNCH_USER="" # the system user the next launch runs as (empty: this script's user)
LAUNCH_DIR=""  # its working directory (empty: the run dir)

die() {
  echo "$PROG: $*" >&2
  exit 1
}

say() {
  echo "$PROG: $*"
}

warn() {
  echo "$PROG: warning: $*" >&2
}

is_root() {
  [[ "$(id -u)" == 0 ]]
}

# usage_error MESSAGE: a bad command line, with a pointer to --help.
usage_error() {
  echo "$PROG: $*" >&2
  echo "Try '$PROG --help'." >&2
  exit 2
}

# need_value OPTION "$@": fails unless the option has a value after it.
need_value() {
  [[ $# -ge 2 && -n "$2" ]] || usage_error "option $1 needs a value"
}

is_component() {
  local c
  for c in "${COMPONENTS[@]}"; do
    [[ "$c" == "$1" ]] && return 0
  done
  return 1
}

is_java_component() {
  local c
  for c in "${JAVA_COMPONENTS[@]}"; do
    [[ "$c" == "$1" ]] && return 0
  done
  return 1
}

# ---------------------------------------------------------------- run dir layout

default_run_dir() {
  echo "$CHAT_ROOT/.run"
}

# abs_path DIR: DIR made absolute (it need not exist).
abs_path() {
  case "$1" in
    /*) echo "$1" ;;
    *) echo "$PWD/$1" ;;
  esac
}

# set_run_dir DIR: defines RUN and the paths inside it.
set_run_dir() {
  RUN="$(abs_path "$1")"
  RUN="${RUN%/}"
  PIDS="$RUN/pids"
  LOGS="$RUN/logs"
  SECRETS="$RUN/secrets"
  SOCKDIR=""
  HAPROXY_SOCKET=""
  if SOCKDIR="$(recorded_socket_dir)"; then
    HAPROXY_SOCKET="$SOCKDIR/haproxy.sock"
  fi
  include_scaled_nodes
}

# ---------------------------------------------------------------- nodes added at run time

# Chat nodes beyond the configuration's three join at run time (scripts/scale out: chat-node-4..9, ports from the
# plan below). Each is recorded, one name a line, in RUN/scaled-nodes while it belongs to the stack, so that
# scripts/up --only, scripts/drain and scripts/down treat it like the others; scripts/down of the whole stack
# forgets them (a new stack starts with the configuration's nodes).
SCALED_NODE_RE='^chat-node-[4-9]$'

# scaled_nodes: the recorded nodes of $RUN, one a line (none while RUN is not known yet: scripts/chaos lists the
# stack's components before it picks the run dir).
scaled_nodes() {
  [[ -n "${RUN:-}" && -f "$RUN/scaled-nodes" ]] || return 0
  grep -E "$SCALED_NODE_RE" "$RUN/scaled-nodes" | sort -u || true
}

# scalable_nodes: the names scripts/scale may add in this topology, in the order it takes them: chat-node-4..9, or
# chat-node-4..6 with --ha, whose etcd and Sentinels hold the ports B+14..B+19 (see component_port).
scalable_nodes() {
  if [[ "${CHAT_TOPOLOGY:-single}" == ha ]]; then
    echo chat-node-4 chat-node-5 chat-node-6
  else
    echo chat-node-4 chat-node-5 chat-node-6 chat-node-7 chat-node-8 chat-node-9
  fi
}

# HAProxy forgets servers added through its runtime API when it restarts or reloads ('add server' lives only in the
# running process; its server-state-file does not bring them back either: it restores the state of servers the
# configuration names, and nothing else). So the recorded nodes are also written, as the variables
# haproxy/haproxy.cfg reads for node-4..9 (CHAT_NODE_N_ADDR, CHAT_NODE_N_CHECK_PORT), into RUN/haproxy-scaled.cfg: a
# configuration file of 'setenv' lines (haproxy/haproxy-scaled.cfg plus the nodes) that every HAProxy of this run
# dir reads before haproxy.cfg (scripts/lib/haproxy-run puts it first), at each start and at each reload: a proxy
# that restarts or reloads, for whatever reason and by whatever starts it, comes back with exactly those nodes.
scaled_env_file() {
  echo "$RUN/haproxy-scaled.cfg"
}

# service_host: where HAProxy reaches this run dir's services: the address they listen on (scripts/up
# --bind-addr, recorded in RUN/bind-addr), loopback for 0.0.0.0 or when nothing is recorded.
service_host() {
  local h=127.0.0.1
  if [[ -f "$RUN/bind-addr" ]]; then
    h="$(tr -d '[:space:]' <"$RUN/bind-addr")"
    [[ -n "$h" && "$h" != 0.0.0.0 ]] || h=127.0.0.1
  fi
  echo "$h"
}

# write_scaled_env: RUN/haproxy-scaled.cfg made again from RUN/scaled-nodes (replaced at once, never half
# written); with no node recorded it is haproxy/haproxy-scaled.cfg as committed (it stays: a running master-worker
# HAProxy reads it again at its next reload). Needs RUN/port-base when a node is recorded.
write_scaled_env() {
  local file n base="" host
  file="$(scaled_env_file)"
  if [[ -n "$(scaled_nodes)" ]]; then
    base="$(tr -d '[:space:]' <"$RUN/port-base")" || die "no port base recorded in $RUN"
  fi
  host="$(service_host)"
  {
    cat "$CHAT_ROOT/haproxy/haproxy-scaled.cfg"
    echo "    # Written by scripts/scale from $RUN/scaled-nodes."
    for n in $(scaled_nodes); do
      echo "    setenv CHAT_NODE_${n#chat-node-}_ADDR $host:$(component_port "$n" "$base")"
      echo "    setenv CHAT_NODE_${n#chat-node-}_CHECK_PORT $(management_port "$n" "$base")"
    done
  } >"$file.tmp" || die "could not write $file"
  mv "$file.tmp" "$file"
}

# write_scrape_targets: the chat nodes Prometheus scrapes (scripts/monitoring, job chat-node), the configuration's
# three and the recorded ones, as RUN/monitoring/chat-nodes.json (Prometheus's file_sd format: their management
# ports on the stack's --bind-addr), written whenever the record changes and at each monitoring start. Prometheus reads the file again when it
# changes, so a node scripts/scale adds is scraped from then on and one it takes out leaves the job (no reload, no
# restart). Nothing when monitoring never ran for RUN (no RUN/monitoring). Needs RUN/port-base.
write_scrape_targets() {
  [[ -d "$RUN/monitoring" ]] || return 0
  local file="$RUN/monitoring/chat-nodes.json" base n out="" host
  base="$(tr -d '[:space:]' <"$RUN/port-base")" || die "no port base recorded in $RUN"
  # Where the nodes answer: the address scripts/up bound them to (--bind-addr; loopback for 0.0.0.0).
  host="$(tr -d '[:space:]' <"$RUN/bind-addr" 2>/dev/null || true)"
  [[ -n "$host" && "$host" != 0.0.0.0 ]] || host=127.0.0.1
  for n in chat-node-1 chat-node-2 chat-node-3 $(scaled_nodes); do
    out+="${out:+, }\"$host:$(management_port "$n" "$base")\""
  done
  echo "[{\"targets\": [$out]}]" >"$file.tmp" || die "could not write $file"
  chmod 644 "$file.tmp"
  mv "$file.tmp" "$file"
}

# include_scaled_nodes: the recorded nodes join COMPONENTS (before HAProxy) and JAVA_COMPONENTS.
include_scaled_nodes() {
  local n c
  for n in $(scaled_nodes); do
    is_component "$n" && continue
    local -a with=()
    for c in "${COMPONENTS[@]}"; do
      [[ "$c" == haproxy ]] && with+=("$n")
      with+=("$c")
    done
    [[ " ${with[*]} " == *" $n "* ]] || with+=("$n") # a list without HAProxy
    COMPONENTS=("${with[@]}")
    JAVA_COMPONENTS+=("$n")
  done
}

# ---------------------------------------------------------------- unix sockets

# A unix socket's path is limited to 107 bytes on Linux (97 in HAProxy's 'stats socket'), and a run dir inside
# a clone is often longer than that. So no socket lives in the run dir: each run dir has a short socket folder
# of its own (mode 700, under $XDG_RUNTIME_DIR when that is short, else /tmp), made on first use, recorded in
# RUN/sockdir, and removed by scripts/down when it stops the whole stack. RUN/haproxy.sock links to HAProxy's
# admin socket there, for people typing commands (it connects only while the run dir's path is short).

# recorded_socket_dir: prints the socket folder recorded for $RUN when it still exists; fails otherwise.
recorded_socket_dir() {
  local dir
  [[ -f "$RUN/sockdir" ]] || return 1
  dir="$(tr -d '\n' <"$RUN/sockdir")"
  [[ -n "$dir" && -d "$dir" && -O "$dir" ]] || return 1
  echo "$dir"
}

# use_socket_dir: sets SOCKDIR (and HAPROXY_SOCKET) to $RUN's socket folder, making and recording it when
# there is none yet.
use_socket_dir() {
  local base="${XDG_RUNTIME_DIR:-}"
  if SOCKDIR="$(recorded_socket_dir)"; then
    HAPROXY_SOCKET="$SOCKDIR/haproxy.sock"
    return 0
  fi
  # Room for the longest name a script puts there ("proxy2/haproxy.sock") and the folder's own name.
  if [[ -z "$base" || ! -d "$base" || ! -w "$base" ]] || ((${#base} > 40)); then
    base=/tmp
  fi
  SOCKDIR="$(mktemp -d "$base/chat-sock.XXXXXX")" || die "could not make a socket folder under $base"
  chmod 700 "$SOCKDIR"
  mkdir -p "$RUN"
  echo "$SOCKDIR" >"$RUN/sockdir"
  HAPROXY_SOCKET="$SOCKDIR/haproxy.sock"
}

# remove_socket_dir: deletes $RUN's socket folder (only one that use_socket_dir made) and its record.
remove_socket_dir() {
  local dir
  if dir="$(recorded_socket_dir)"; then
    case "$(basename "$dir")" in
      chat-sock.*) rm -rf "$dir" ;;
      *) warn "not deleting $dir: not a socket folder scripts make" ;;
    esac
  fi
  rm -f "$RUN/sockdir" "$RUN/haproxy.sock"
  SOCKDIR=""
  HAPROXY_SOCKET=""
}

pid_file() { echo "$PIDS/$1.pid"; }
start_file() { echo "$PIDS/$1.start"; }
log_file() { echo "$LOGS/$1.log"; }

# ---------------------------------------------------------------- port plan

validate_port_base() {
  [[ "$1" =~ ^[0-9]+$ ]] || usage_error "--port-base must be a number, not '$1'"
  (($1 >= 1024 && $1 + 49 <= 65535)) || usage_error "--port-base must be between 1024 and 65486, not $1"
}

# component_port NAME BASE: the port NAME listens on.
component_port() {
  local base=$2
  case "$1" in
    haproxy) echo "$base" ;;
    haproxy-tls) echo $((base + 3)) ;;
    haproxy-stats) echo $((base + 4)) ;;
    haproxy-redirect) echo $((base + 5)) ;;
    user-service) echo $((base + 1)) ;;
    presence-service) echo $((base + 2)) ;;
    chat-node-[1-3]) echo $((base + 10 + ${1#chat-node-})) ;;
    # Nodes added at run time (scripts/scale). With --ha, etcd and the Sentinels hold B+14..B+19: nodes 4..6 take
    # B+38..B+40 there, and 7..9 have no room.
    chat-node-[4-9])
      if [[ "${CHAT_TOPOLOGY:-single}" != ha ]]; then
        echo $((base + 10 + ${1#chat-node-}))
      elif ((${1#chat-node-} <= 6)); then
        echo $((base + 34 + ${1#chat-node-}))
      else
        die "$1 has no port in the replicated topology's plan (chat-node-4..6 there)"
      fi
      ;;
    redis) echo $((base + 20)) ;;
    postgres) echo $((base + 21)) ;;
    # The replicated topology (scripts/up --ha, scripts/lib/ha.sh): the gaps of the plan above, all below B+29.
    user-service-2) echo $((base + 6)) ;;
    presence-service-2) echo $((base + 7)) ;;
    redis-2) echo $((base + 8)) ;;
    haproxy-pg-replicas) echo $((base + 9)) ;;
    sentinel-[1-3]) echo $((base + 13 + ${1#sentinel-})) ;;
    etcd-[1-3]) echo $((base + 16 + ${1#etcd-})) ;;
    redis-1) echo $((base + 20)) ;;
    haproxy-pg) echo $((base + 21)) ;;
    etcd-peer-[1-3]) echo $((base + 21 + ${1#etcd-peer-})) ;;
    pg-[1-2]) echo $((base + 24 + ${1#pg-})) ;;
    patroni-[1-2]) echo $((base + 26 + ${1#patroni-})) ;;
    *) die "internal error: no port for '$1'" ;;
  esac
}

# management_port NAME BASE: the port of service NAME's management interface (health /q/health/*, metrics
# /q/metrics), 30 above its public port (B+31, B+32, B+36, B+37; chat-node-N B+40+N, which is that too except for
# --ha's added nodes 4..6, whose public ports moved): on its own port, HAProxy's front
# end cannot reach it whatever the path's spelling. HAProxy checks it; scripts read metrics from it.
management_port() {
  is_java_component "$1" || [[ "$1" == user-service-2 || "$1" == presence-service-2 ]] \
    || die "internal error: '$1' has no management interface"
  case "$1" in
    # B+40+N in both topologies (--ha moves nodes 4..6's public ports, not these).
    chat-node-[1-9]) echo $(($2 + 40 + ${1#chat-node-})) ;;
    *) echo $(($(component_port "$1" "$2") + 30)) ;;
  esac
}

# app_jar APP_DIR: the application's own jar in a Quarkus build (APP_DIR/app/*.jar, exactly one), which the two
# readers below unzip. Dies when there is none or unzip is missing.
app_jar() {
  command -v unzip >/dev/null 2>&1 || die "unzip is not installed (needed to read the builds' jars): run scripts/install-deps"
  local -a jars=("$1"/app/*.jar)
  [[ ${#jars[@]} -eq 1 && -f "${jars[0]}" ]] || die "no single application jar in $1/app: is $1 a Quarkus build?"
  echo "${jars[0]}"
}

# migrations_grant_role ROLE APP_DIR...: whether a Flyway migration packed in one of these Quarkus builds'
# application jars (APP_DIR/app/*.jar, its *.sql outside comments) names the database role ROLE, as the grants of
# the runtime roles do (user-service's V10 grants chat_users and chat_presence, chat-node's V50 chat_node;
# deploy/postgres/roles.sql). Builds from before those migrations (issue 16's baseline a4b3dc2) grant nothing: their
# services log in as the owner 'chat', which scripts/up then gives them. Dies when a jar cannot be read.
migrations_grant_role() {
  local role=$1 dir jar sql
  shift
  for dir in "$@"; do
    jar="$(app_jar "$dir")" || exit 1
    # Read whole before grep, not piped into it: grep -q leaving early would fail the pipe (pipefail).
    sql="$(unzip -p "$jar" '*.sql' 2>/dev/null | sed 's/--.*//' || true)"
    if grep -qw -- "$role" <<<"$sql"; then
      return 0
    fi
  done
  return 1
}

# app_has_management_interface APP_DIR: whether the Quarkus build in APP_DIR (a MODULE/target/quarkus-app folder)
# serves health and metrics on a management interface of its own. quarkus.management.enabled is fixed at build
# time, so the build decides, not the caller: it is read from the application.properties the build packed into the
# application's jar (APP_DIR/app/*.jar), a '%prod.' entry winning over the plain one (a packaged jar runs the prod
# profile). Builds from before the management interface (issue 16's baseline a4b3dc2, which scripts/bench
# --compare runs) have no such entry and serve /q/health/* on their public port. Dies when the jar or its
# application.properties cannot be read, rather than guess a port.
app_has_management_interface() {
  local dir=$1 jar props
  jar="$(app_jar "$dir")" || exit 1
  props="$(unzip -p "$jar" application.properties 2>/dev/null)" || die "$jar has no application.properties"
  # The last plain entry, overridden by the last %prod. one; true or false, as Quarkus reads a boolean.
  awk '
    match($0, /^[ \t]*(%prod\.)?quarkus\.management\.enabled[ \t]*[=:][ \t]*/) {
      v = tolower(substr($0, RLENGTH + 1)); sub(/[ \t\r]+$/, "", v)
      if ($0 ~ /^[ \t]*%prod\./) { prod = v; has_prod = 1 } else { plain = v }
    }
    END { exit !((has_prod ? prod : plain) == "true") }' <<<"$props"
}

# component_ports NAME BASE: every port NAME needs (HAProxy also has HTTPS, stats and the redirect to HTTPS; a
# service its management interface).
component_ports() {
  component_port "$1" "$2"
  case "$1" in
    user-service* | presence-service* | chat-node-*) management_port "$1" "$2" ;;
  esac
  if [[ "$1" == haproxy ]]; then
    component_port haproxy-tls "$2"
    component_port haproxy-stats "$2"
    component_port haproxy-redirect "$2"
    if [[ "${CHAT_TOPOLOGY:-single}" == ha ]]; then
      component_port haproxy-pg-replicas "$2"
      component_port haproxy-pg "$2"
    fi
  fi
  case "$1" in
    etcd-[1-3]) component_port "etcd-peer-${1#etcd-}" "$2" ;;
    pg-[1-2]) component_port "patroni-${1#pg-}" "$2" ;;
  esac
}

# port_listener PORT: prints who listens on TCP PORT (any address) and succeeds, or fails when nobody does.
port_listener() {
  local port=$1 line users hex inode pids=""
  if command -v ss >/dev/null 2>&1; then
    line="$(ss -H -ltnp "sport = :$port" 2>/dev/null | head -n 1 || true)"
    [[ -n "$line" ]] || return 1
    users="$(grep -o 'users:(.*)' <<<"$line" || true)"
    if [[ -n "$users" ]]; then
      # users:(("java",pid=123,fd=10)) -> java (pid 123)
      sed -E 's/users:\(\("([^"]*)",pid=([0-9]+).*/\1 (pid \2)/' <<<"$users"
    else
      echo "a process this user cannot see"
    fi
    return 0
  fi
  # No ss: read the kernel's socket tables and look the inode up among the processes' fds.
  hex="$(printf '%04X' "$port")"
  inode="$(awk -v p=":$hex" '$4 == "0A" && substr($2, length($2) - 4) == p { print $10; exit }' \
    /proc/net/tcp /proc/net/tcp6 2>/dev/null || true)"
  [[ -n "$inode" ]] || return 1
  pids="$(find /proc/[0-9]*/fd -lname "socket:\[$inode\]" 2>/dev/null | cut -d/ -f3 | sort -u | head -n 1 || true)"
  if [[ -n "$pids" ]]; then
    echo "$(cat "/proc/$pids/comm" 2>/dev/null || echo '?') (pid $pids)"
  else
    echo "a process this user cannot see"
  fi
}

# check_ports_free BASE NAME...: fails loudly on the first port already taken.
check_ports_free() {
  local base=$1 name port who
  shift
  for name in "$@"; do
    for port in $(component_ports "$name" "$base"); do
      if who="$(port_listener "$port")"; then
        die "port $port (for $name) is in use by $who; stop it or pick another --port-base"
      fi
    done
  done
}

# ---------------------------------------------------------------- processes by PID

# proc_field PID: prints "STATE STARTTIME" of a process from /proc, fails when it does not exist.
proc_state() {
  local stat rest
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  rest="${stat##*) }" # the command name may hold spaces and parentheses: cut after the last ')'
  # shellcheck disable=SC2086
  set -- $rest
  # rest starts at field 3 (state); starttime is field 22, i.e. the 20th here.
  echo "$1 ${20}"
}

# is_alive PID: true while the process runs. A zombie counts as gone: nothing may reap the
# stack's processes (they outlive scripts/up and PID 1 of a container need not reap orphans).
is_alive() {
  local st
  [[ "$1" =~ ^[0-9]+$ ]] || return 1
  st="$(proc_state "$1")" || return 1
  [[ "${st%% *}" != Z && "${st%% *}" != X ]]
}

# running_pid NAME: prints the PID recorded for NAME when that very process still runs
# (same PID and same start time as recorded, so a recycled PID is never mistaken for it).
running_pid() {
  local pidf startf pid recorded st
  pidf="$(pid_file "$1")"
  startf="$(start_file "$1")"
  [[ -f "$pidf" ]] || return 1
  pid="$(tr -d '[:space:]' <"$pidf")"
  is_alive "$pid" || return 1
  if [[ -f "$startf" ]]; then
    recorded="$(tr -d '[:space:]' <"$startf")"
    st="$(proc_state "$pid")" || return 1
    [[ "${st#* }" == "$recorded" ]] || return 1
  fi
  echo "$pid"
}

# launch NAME CMD...: starts CMD in the background in its own session, with stdin from /dev/null and
# stdout+stderr appended to the component's log; records its PID and start time. The VAR=VALUE
# entries of the array LAUNCH_ENV are exported to CMD only (never on a command line, where ps would
# show secrets). setsid execs in place (as do setpriv and env), so the recorded PID is the server's.
# With LAUNCH_USER set (scripts run as root), CMD runs as that system user (setpriv, no new privileges),
# in LAUNCH_DIR (default the run dir), which that user must be able to reach.
launch() {
  local name=$1 pid st
  shift
  mkdir -p "$PIDS" "$LOGS"
  {
    echo
    echo "==== $(date -u '+%Y-%m-%dT%H:%M:%SZ') $PROG starting $name${LAUNCH_USER:+ as $LAUNCH_USER}"
  } >>"$(log_file "$name")"
  local -a as=()
  if [[ -n "${LAUNCH_USER:-}" ]]; then
    as=(setpriv "--reuid=$LAUNCH_USER" "--regid=$LAUNCH_USER" --init-groups --no-new-privs --)
  fi
  (
    cd "${LAUNCH_DIR:-$RUN}" || exit 1
    exec 9>&- # the run-dir lock must not outlive this script
    for kv in "${LAUNCH_ENV[@]+"${LAUNCH_ENV[@]}"}"; do
      export "${kv?}"
    done
    exec setsid "${as[@]+"${as[@]}"}" "$@"
  ) >>"$(log_file "$name")" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$(pid_file "$name")"
  if st="$(proc_state "$pid")"; then
    echo "${st#* }" >"$(start_file "$name")"
  fi
  STARTED+=("$name")
}

# stop_components TIMEOUT NAME...: stops each running component by its recorded PID (TERM, or
# INT for PostgreSQL's fast shutdown), waits up to TIMEOUT seconds for all of them, then KILLs
# what is left. Removes their pid files. Silent about components that were not running.
stop_components() {
  local timeout=$1 name pid sig deadline left
  shift
  local -a names=() pids=()
  for name in "$@"; do
    if pid="$(running_pid "$name")"; then
      sig=TERM
      [[ "$name" == postgres ]] && sig=INT
      kill -s "$sig" "$pid" 2>/dev/null || true
      names+=("$name")
      pids+=("$pid")
      say "stopping $name (pid $pid)"
    fi
    rm -f "$(pid_file "$name")" "$(start_file "$name")"
  done
  ((${#pids[@]} > 0)) || return 0
  deadline=$((SECONDS + timeout))
  while :; do
    left=0
    for pid in "${pids[@]}"; do
      is_alive "$pid" && left=$((left + 1))
    done
    ((left == 0)) && return 0
    ((SECONDS >= deadline)) && break
    sleep 0.1
  done
  local i
  for i in "${!pids[@]}"; do
    if is_alive "${pids[$i]}"; then
      warn "${names[$i]} (pid ${pids[$i]}) did not stop within ${timeout}s: killing it"
      kill -s KILL "${pids[$i]}" 2>/dev/null || true
    fi
  done
  deadline=$((SECONDS + 5))
  for pid in "${pids[@]}"; do
    while is_alive "$pid" && ((SECONDS < deadline)); do sleep 0.1; done
  done
}

# stop_in_order TIMEOUT NAME...: stops the given components front to back: HAProxy and the
# services first, then Redis and PostgreSQL once nothing uses them any more.
stop_in_order() {
  local timeout=$1 name
  shift
  local -a front=() back=()
  for name in "$@"; do
    case "$name" in
      postgres | redis) back+=("$name") ;;
      *) front+=("$name") ;;
    esac
  done
  ((${#front[@]} == 0)) || stop_components "$timeout" "${front[@]}"
  ((${#back[@]} == 0)) || stop_components "$timeout" "${back[@]}"
}

# lock_run_dir: one scripts/up or scripts/down at a time per run dir (fd 9, released on exit).
lock_run_dir() {
  mkdir -p "$RUN"
  exec 9>"$RUN/.lock"
  if command -v flock >/dev/null 2>&1; then
    flock -w 30 9 || die "another scripts/up or scripts/down is still working on $RUN (lock $RUN/.lock)"
  fi
}

# log_tail NAME [LINES]: the last lines of a component's log, indented, for failure messages.
log_tail() {
  local f lines=${2:-40}
  f="$(log_file "$1")"
  if [[ -s "$f" ]]; then
    echo "---- last $lines lines of $f"
    tail -n "$lines" "$f" | sed 's/^/  | /'
    echo "----"
  else
    echo "---- $f is empty or missing"
  fi
}

# ---------------------------------------------------------------- secrets

# ensure_secrets: generates, once, the JWT key pair and the passwords into $SECRETS (mode 700/600).
# Existing files are kept, so a stack keeps its data and tokens across restarts.
ensure_secrets() {
  command -v openssl >/dev/null 2>&1 || die "openssl is not installed: run scripts/install-deps"
  case "$SECRETS/" in
    "$CHAT_ROOT"/*)
      case "$SECRETS/" in
        "$CHAT_ROOT/.run/"* | "$CHAT_ROOT"/*/target/*) ;;
        *) die "refusing to write secrets to $SECRETS: inside the repository only .run/ and target/ are git-ignored" ;;
      esac
      ;;
  esac
  mkdir -p "$SECRETS"
  chmod 700 "$SECRETS"
  (
    umask 077
    local f
    if [[ ! -s "$SECRETS/jwt-private.pem" ]]; then
      openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$SECRETS/jwt-private.pem.tmp" 2>/dev/null \
        || die "openssl could not generate the JWT key pair"
      mv "$SECRETS/jwt-private.pem.tmp" "$SECRETS/jwt-private.pem"
      rm -f "$SECRETS/jwt-public.pem"
      say "generated a new JWT key pair in $SECRETS"
    fi
    if [[ ! -s "$SECRETS/jwt-public.pem" ]]; then
      openssl pkey -in "$SECRETS/jwt-private.pem" -pubout -out "$SECRETS/jwt-public.pem" 2>/dev/null \
        || die "openssl could not derive the JWT public key from $SECRETS/jwt-private.pem"
    fi
    for f in redis-password redis-failover-password postgres-password postgres-superuser-password \
      postgres-replication-password postgres-users-password postgres-node-password postgres-presence-password; do
      if [[ ! -s "$SECRETS/$f" ]]; then
        openssl rand -hex 24 >"$SECRETS/$f"
      fi
    done
    chmod 600 "$SECRETS"/*
  )
}

secret() {
  tr -d '[:space:]' <"$SECRETS/$1"
}

# redis_acl NAME: the ACL rules of Redis user NAME (deploy/redis/NAME-user.acl: chat for the services, failover
# for replicas and Sentinels), shared with the tests' Redis (test-support RedisAcl).
redis_acl() {
  local f="$CHAT_ROOT/deploy/redis/$1-user.acl"
  [[ -s "$f" ]] || die "missing Redis ACL rules: $f"
  tr -s '[:space:]' ' ' <"$f"
}

# ensure_tls_cert DIR SAN...: a self-signed certificate (ECDSA P-256, 825 days) for HAProxy's HTTPS
# front end: DIR/tls.pem holds certificate and key (HAProxy's crt, mode 600), DIR/tls-cert.pem the
# certificate alone (what clients trust, e.g. curl --cacert, loadgen --ca-cert). SANs like IP:127.0.0.1
# or DNS:localhost; the certificate is made again when the wanted SANs change (DIR/tls.sans).
ensure_tls_cert() {
  local dir=$1 sans
  shift
  sans="$(
    IFS=,
    echo "$*"
  )"
  command -v openssl >/dev/null 2>&1 || die "openssl is not installed: run scripts/install-deps"
  if [[ -s "$dir/tls.pem" && -s "$dir/tls-cert.pem" && "$(cat "$dir/tls.sans" 2>/dev/null)" == "$sans" ]]; then
    return 0
  fi
  mkdir -p "$dir"
  (
    umask 077
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 825 \
      -subj "/O=chat/CN=chat proxy (self-signed)" -keyout "$dir/tls-key.tmp" -out "$dir/tls-cert.tmp" \
      -addext "subjectAltName=$sans" -addext "basicConstraints=critical,CA:FALSE" \
      -addext "keyUsage=critical,digitalSignature" -addext "extendedKeyUsage=serverAuth" >/dev/null 2>&1 \
      || die "openssl could not make the TLS certificate in $dir"
    cat "$dir/tls-cert.tmp" "$dir/tls-key.tmp" >"$dir/tls.pem"
    mv "$dir/tls-cert.tmp" "$dir/tls-cert.pem"
    rm -f "$dir/tls-key.tmp"
    echo "$sans" >"$dir/tls.sans"
    chmod 600 "$dir/tls.pem"
    chmod 644 "$dir/tls-cert.pem"
  ) || die "could not make the TLS certificate in $dir"
  say "generated a self-signed TLS certificate for $sans in $dir"
}

# ensure_peers_certs DIR NAME...: TLS for HAProxy's peers link (haproxy.cfg: CHAT_PEERS_CERT, CHAT_PEERS_CA): a CA
# of the pair's own (DIR/peers-ca.pem, its key DIR/peers-ca-key.pem, both made once, ECDSA P-256, 825 days) and
# for each peer NAME DIR/peers-NAME.pem (certificate with CN and SAN DNS:NAME, for server and client use, and
# its key; mode 600), signed by that CA. Each proxy presents its own and accepts only certificates that CA
# signed. Kept while present; nothing of it is ever committed.
ensure_peers_certs() {
  local dir=$1 name
  shift
  command -v openssl >/dev/null 2>&1 || die "openssl is not installed: run scripts/install-deps"
  mkdir -p "$dir"
  (
    umask 077
    if [[ ! -s "$dir/peers-ca.pem" || ! -s "$dir/peers-ca-key.pem" ]]; then
      openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 825 \
        -subj "/O=chat/CN=chat HAProxy peers CA" -keyout "$dir/peers-ca-key.pem" -out "$dir/peers-ca.tmp" \
        -addext "basicConstraints=critical,CA:TRUE,pathlen:0" -addext "keyUsage=critical,keyCertSign,cRLSign" \
        >/dev/null 2>&1 || die "openssl could not make the peers CA in $dir"
      mv "$dir/peers-ca.tmp" "$dir/peers-ca.pem"
      chmod 644 "$dir/peers-ca.pem"
      for name in "$dir"/peers-*.pem; do # certificates of an older CA go with it
        case "$name" in */peers-ca.pem | */peers-ca-key.pem) ;; *) rm -f "$name" ;; esac
      done
    fi
    for name in "$@"; do
      [[ -s "$dir/peers-$name.pem" ]] && continue
      openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/O=chat/CN=$name" \
        -keyout "$dir/peers-$name.key.tmp" -out "$dir/peers-$name.csr.tmp" >/dev/null 2>&1 \
        || die "openssl could not make the key of peer $name"
      printf '%s\n' "subjectAltName=DNS:$name" "basicConstraints=critical,CA:FALSE" \
        "keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth,clientAuth" >"$dir/peers-$name.ext.tmp"
      openssl x509 -req -in "$dir/peers-$name.csr.tmp" -CA "$dir/peers-ca.pem" -CAkey "$dir/peers-ca-key.pem" \
        -CAcreateserial -days 825 -extfile "$dir/peers-$name.ext.tmp" -out "$dir/peers-$name.crt.tmp" >/dev/null 2>&1 \
        || die "openssl could not sign the certificate of peer $name"
      cat "$dir/peers-$name.crt.tmp" "$dir/peers-$name.key.tmp" >"$dir/peers-$name.pem"
      rm -f "$dir/peers-$name".*.tmp
    done
  ) || die "could not make the peers' TLS certificates in $dir"
}

# ---------------------------------------------------------------- tools

postgres_bin() {
  if [[ -n "${PG_BIN:-}" ]]; then
    echo "$PG_BIN"
    return
  fi
  local d best="" v bestv=0
  for d in /usr/lib/postgresql/*/bin; do
    [[ -x "$d/postgres" ]] || continue
    v="$(basename "$(dirname "$d")")"
    [[ "$v" =~ ^[0-9]+$ ]] || continue
    if ((v > bestv)); then
      bestv=$v
      best=$d
    fi
  done
  [[ -n "$best" ]] || return 1
  echo "$best"
}

# as_postgres CMD...: runs CMD as the postgres system user when we are root (PostgreSQL refuses
# root); setpriv execs in place, so a PID taken of it is the server's.
as_postgres() {
  if is_root; then
    setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"
  else
    "$@"
  fi
}

# ---------------------------------------------------------------- least privilege (scripts run as root)

# Run as root, scripts/up starts nothing as root that does not need it (docs/operations.md, "Least privilege"):
# each Java service runs as a system user of its own (no login shell, no home), Redis as 'redis', PostgreSQL as
# 'postgres', and HAProxy drops to 'haproxy' itself once it has bound its ports. The JWT signing key is readable
# by user-service's user alone; the verifiers get the public key. Run as anyone else, everything runs as that
# user, as before.
SERVICE_USERS=(chat-users chat-presence chat-node redis haproxy)

# service_user NAME: the system user component NAME runs as when the scripts run as root; nothing otherwise.
service_user() {
  is_root || return 0
  case "$1" in
    user-service*) echo chat-users ;;
    presence-service*) echo chat-presence ;;
    chat-node-*) echo chat-node ;;
    redis) echo redis ;;
    haproxy) echo haproxy ;;
  esac
}

# ensure_service_users: creates, once, the system users of SERVICE_USERS that do not exist yet (each with a
# group of its own, no home, no login shell). Serialised across stacks started at the same time.
ensure_service_users() {
  is_root || return 0
  local u
  for u in setpriv useradd flock; do
    command -v "$u" >/dev/null 2>&1 || die "$u is needed to run the stack's processes as unprivileged users (scripts run as root)"
  done
  (
    flock -w 60 8 || die "could not take /run/lock/chat-service-users.lock"
    for u in "${SERVICE_USERS[@]}"; do
      id -u "$u" >/dev/null 2>&1 && continue
      useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
        --comment "chat local stack ($u)" "$u" || die "could not create the system user $u"
      say "created the system user $u"
    done
  ) 8>/run/lock/chat-service-users.lock
}

# svc_home: the folder the unprivileged processes work in (their working directory, the keys they may read,
# Redis's data): the run dir itself when those users can reach it; otherwise (a clone under /root, which others
# cannot traverse) /var/lib/chat-local/<hash of the run dir>-svc, so no parent folder's mode is ever widened.
# Recorded on first use in RUN/svc.location; scripts/down --purge deletes it.
svc_home() {
  if [[ -f "$RUN/svc.location" ]]; then
    cat "$RUN/svc.location"
    return
  fi
  local home="$RUN"
  if is_root && ! setpriv --reuid=nobody --regid=nogroup --clear-groups -- test -x "$RUN" 2>/dev/null; then
    home="/var/lib/chat-local/$(printf '%s' "$RUN" | sha256sum | cut -c1-16)-svc"
    say "note: the service users cannot reach $RUN, so their working folder is $home" >&2
  fi
  mkdir -p "$home"
  chmod 755 "$home"
  echo "$home" >"$RUN/svc.location"
  echo "$home"
}

# jwt_key_dir: where the services read the JWT keys: the secrets folder when not root; otherwise
# svc_home/keys (mode 755): jwt-public.pem (644, for the verifiers) and jwt-private.pem (400, owned by
# user-service's user alone), copied from the secrets folder (700, root's) whenever they differ.
jwt_key_dir() {
  if ! is_root; then
    echo "$SECRETS"
    return
  fi
  echo "$(svc_home)/keys"
}

ensure_service_keys() {
  is_root || return 0
  local dir
  dir="$(jwt_key_dir)"
  mkdir -p "$dir"
  chown root:root "$dir"
  chmod 755 "$dir"
  if ! cmp -s "$SECRETS/jwt-public.pem" "$dir/jwt-public.pem"; then
    install -o root -g root -m 644 "$SECRETS/jwt-public.pem" "$dir/jwt-public.pem" || die "could not copy the JWT public key to $dir"
  fi
  if ! cmp -s "$SECRETS/jwt-private.pem" "$dir/jwt-private.pem"; then
    install -o chat-users -g chat-users -m 400 "$SECRETS/jwt-private.pem" "$dir/jwt-private.pem" \
      || die "could not copy the JWT signing key to $dir"
  fi
  # Whatever an earlier start left: the owner and mode are part of the guarantee, not only of the copy.
  chown chat-users:chat-users "$dir/jwt-private.pem"
  chmod 400 "$dir/jwt-private.pem"
}
