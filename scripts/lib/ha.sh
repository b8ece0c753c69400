# shellcheck shell=bash disable=SC2034
# The replicated topology of the local stack (scripts/up --ha): no single process whose loss stops the chat.
# Sourced after common.sh by scripts/up, scripts/down and scripts/chaos. Every process runs under supervisord
# (Debian's 'supervisor'; autorestart=unexpected), which this file configures in RUN/supervisord.conf:
#
#   etcd-1..3            the distributed configuration store Patroni keeps its leader key in (quorum 2 of 3)
#   pg-1, pg-2           Patroni, each managing one PostgreSQL 15: a primary and a synchronous standby
#   redis-1, redis-2     a Redis master and its replica (which one is master is Sentinel's business)
#   sentinel-1..3        Redis Sentinel, quorum 2, master name 'chat'
#   user-service(-2), presence-service(-2), chat-node-1..3   the services (two of each stateless API)
#   haproxy              the front end, plus TCP listeners for PostgreSQL: B+21 -> the Patroni primary
#                        (what the services' database URL names), B+9 -> the replicas
#
# With --netns (root only; scripts/chaos's pg-primary-partition) each Patroni member runs in a network namespace of
# its own, joined to this namespace by a bridge (ha_netns_create): the primary can be cut off from etcd, the
# standby and HAProxy by taking its link down, while everything else stays on loopback.
#
# scripts/up starts them in dependency order with supervisorctl and waits for each tier; after that supervisord
# restarts whatever crashes. Ports: common.sh's component_port; docs: scripts/README.md, docs/operations.md.

HA_COMPONENTS=(etcd-1 etcd-2 etcd-3 pg-1 pg-2 redis-1 redis-2 sentinel-1 sentinel-2 sentinel-3
  user-service user-service-2 presence-service presence-service-2 chat-node-1 chat-node-2 chat-node-3 haproxy)
HA_JAVA_COMPONENTS=(user-service user-service-2 presence-service presence-service-2 chat-node-1 chat-node-2 chat-node-3)

# Patroni's timing (bootstrap DCS settings). The leader key lives HA_TTL seconds after the primary's last
# refresh (every HA_LOOP_WAIT s); a standby takes over within about TTL + LOOP_WAIT of the primary's death.
# Patroni wants loop_wait + 2 * retry_timeout <= ttl. The shipped defaults are 30/10/10; these aim at a
# takeover in about 5 s on loopback (docs/reliability.md has the measured figures).
HA_TTL="${CHAT_PATRONI_TTL:-5}"
HA_LOOP_WAIT="${CHAT_PATRONI_LOOP_WAIT:-1}"
HA_RETRY_TIMEOUT="${CHAT_PATRONI_RETRY_TIMEOUT:-2}"
# Sentinel: a master silent this long is subjectively down; two Sentinels agreeing make it objectively down.
HA_SENTINEL_DOWN_AFTER_MS="${CHAT_SENTINEL_DOWN_AFTER_MS:-2000}"

# How the services reach Redis in this topology: 'sentinel' (they ask the Sentinels for the master, the
# Quarkus client's sentinel mode) or 'direct' (redis-1's port only: no Redis failover for the services).
HA_REDIS_CLIENT="${CHAT_HA_REDIS_CLIENT:-sentinel}"

# is_ha_stack: true when the run dir holds a stack started with --ha.
is_ha_stack() {
  [[ "$(cat "$RUN/topology" 2>/dev/null)" == ha ]]
}

# use_ha_components: the component lists of the replicated topology replace the single one's.
use_ha_components() {
  COMPONENTS=("${HA_COMPONENTS[@]}")
  JAVA_COMPONENTS=("${HA_JAVA_COMPONENTS[@]}")
  CHAT_TOPOLOGY=ha
  include_scaled_nodes # common.sh: the nodes scripts/scale added (chat-node-4..6 here)
}

# ---------------------------------------------------------------- network namespaces (--netns)
#
# RUN/ha.netns holds "SUBNET PREFIX" when the stack runs its Patroni members in namespaces: PREFIX-lan holds
# the bridge br0; PREFIX-pg1 and PREFIX-pg2 one member each (SUBNET.11, SUBNET.12 on their eth0); this
# namespace reaches the bridge through the veth PREFIX (SUBNET.1), where etcd also listens. The /24 is derived
# from the port base, so stacks on different bases do not collide; nothing outside these namespaces uses it.

ha_netns_on() { [[ -s "$RUN/ha.netns" ]]; }
ha_subnet() { awk '{ print $1 }' "$RUN/ha.netns"; }
ha_ns_prefix() { awk '{ print $2 }' "$RUN/ha.netns"; }
ha_ns_lan() { echo "$(ha_ns_prefix)-lan"; }
ha_ns_of() { echo "$(ha_ns_prefix)-pg$1"; } # N: the namespace of member pg-N
ha_host_ip() { echo "$(ha_subnet).1"; }      # this namespace's address on the bridge

# ha_pg_host N: the address member pg-N's PostgreSQL and Patroni REST answer on, seen from this namespace.
ha_pg_host() {
  if ha_netns_on; then echo "$(ha_subnet).1$1"; else echo 127.0.0.1; fi
}

# ha_netns_plan BASE: records the subnet and namespace prefix of port base BASE in RUN/ha.netns.
ha_netns_plan() {
  local b=$1
  echo "10.$((64 + b / 256 % 128)).$((b % 256)) chp$b" >"$RUN/ha.netns"
}

ha_ns_exists() { ip netns list 2>/dev/null | awk '{ print $1 }' | grep -qx "$1"; }

# ha_netns_create: the bridge, the members' namespaces and this namespace's veth (as RUN/ha.netns plans
# them). Does nothing when they exist already (a restart with --only). Fails loudly.
ha_netns_create() {
  local lan sub i ns host
  lan="$(ha_ns_lan)"
  sub="$(ha_subnet)"
  host="$(ha_ns_prefix)"
  ha_ns_exists "$lan" && return 0
  ip netns add "$lan"
  ip -n "$lan" link set lo up
  ip -n "$lan" link add name br0 type bridge
  ip -n "$lan" link set br0 type bridge stp_state 0 forward_delay 0
  ip -n "$lan" link set br0 up
  ip link add name "$host" type veth peer name host netns "$lan"
  ip -n "$lan" link set host master br0 up
  ip addr add "$sub.1/24" dev "$host"
  ip link set "$host" up
  for i in 1 2; do
    ns="$(ha_ns_of "$i")"
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    ip -n "$lan" link add name "pg$i" type veth peer name eth0 netns "$ns"
    ip -n "$lan" link set "pg$i" master br0 up
    ip -n "$ns" addr add "$sub.1$i/24" dev eth0
    ip -n "$ns" link set eth0 up
  done
}

# ha_netns_link N up|down: takes member pg-N's only link (its eth0) down or up: a partition from everything
# but itself (its own loopback keeps working).
ha_netns_link() {
  ip -n "$(ha_ns_of "$1")" link set eth0 "$2"
}

# ha_netns_delete: every process still inside the members' namespaces is killed by PID (they were started
# for this stack), then the namespaces go (and with them the bridge and the veths). Quiet when none exist.
ha_netns_delete() {
  ha_netns_on || return 0
  local ns pid until
  for ns in "$(ha_ns_of 1)" "$(ha_ns_of 2)" "$(ha_ns_lan)"; do
    ha_ns_exists "$ns" || continue
    for pid in $(ip netns pids "$ns" 2>/dev/null); do
      warn "process $pid ($(cat "/proc/$pid/comm" 2>/dev/null)) still runs in $ns: killing it"
      kill -s KILL "$pid" 2>/dev/null || true
    done
    until=$((SECONDS + 10))
    while [[ -n "$(ip netns pids "$ns" 2>/dev/null)" ]] && ((SECONDS < until)); do sleep 0.1; done
    ip netns del "$ns" 2>/dev/null || warn "could not delete namespace $ns"
  done
  ip link del "$(ha_ns_prefix)" 2>/dev/null || true
  if ha_ns_exists "$(ha_ns_lan)" || ha_ns_exists "$(ha_ns_of 1)" || ha_ns_exists "$(ha_ns_of 2)"; then
    return 1
  fi
  rm -f "$RUN/ha.netns"
}

# ---------------------------------------------------------------- supervisord

ha_conf() { echo "$RUN/supervisord.conf"; }

# ha_ctl ARGS...: supervisorctl on this run dir's supervisord.
ha_ctl() {
  supervisorctl -c "$(ha_conf)" "$@"
}

# ha_state NAME: RUNNING, STARTING, STOPPED, EXITED, BACKOFF, FATAL, ... (empty when supervisord does not answer).
ha_state() {
  ha_ctl status "$1" 2>/dev/null | awk -v n="$1" '$1 == n { print $2 }'
}

# ha_pid NAME: the PID supervisord runs NAME as; fails unless it is RUNNING.
ha_pid() {
  local line
  line="$(ha_ctl status "$1" 2>/dev/null | awk -v n="$1" '$1 == n && $2 == "RUNNING" { print $4 }')" || return 1
  line="${line%,}"
  [[ "$line" =~ ^[0-9]+$ ]] || return 1
  echo "$line"
}

# ha_supervisor_answers: supervisord runs for this run dir and answers on its control socket.
ha_supervisor_answers() {
  running_pid supervisord >/dev/null && ha_ctl pid >/dev/null 2>&1
}

# The data of the replicated tier: RUN/ha when the service users (postgres, etcd, redis) can reach the run dir,
# otherwise /var/lib/chat-local/<hash of the run dir>-ha. Recorded on first use in RUN/ha.location.
ha_home() {
  if [[ -f "$RUN/ha.location" ]]; then
    cat "$RUN/ha.location"
    return
  fi
  local home="$RUN/ha"
  if is_root && ! setpriv --reuid=nobody --regid=nogroup --clear-groups -- test -x "$RUN" 2>/dev/null; then
    home="/var/lib/chat-local/$(printf '%s' "$RUN" | sha256sum | cut -c1-16)-ha"
    say "note: the service users cannot reach $RUN, so the replicated tier's data lives in $home" >&2
  fi
  echo "$home" >"$RUN/ha.location"
  echo "$home"
}

# ha_user NAME: the system user a component runs as when the scripts run as root (least privilege); empty
# when they do not (then everything runs as the invoking user) or the user does not exist.
ha_user() {
  is_root || return 0
  local u=""
  case "$1" in
    pg-*) u=postgres ;;
    etcd-*) u=etcd ;;
    redis-* | sentinel-*) u=redis ;;
    user-service* | presence-service* | chat-node-*) u="$(service_user "$1")" ;; # common.sh; HAProxy drops itself
  esac
  if [[ -n "$u" ]] && id "$u" >/dev/null 2>&1; then echo "$u"; fi
}

# ha_own_dir DIR NAME: DIR exists, mode 700, owned by NAME's user.
ha_own_dir() {
  local u
  mkdir -p "$1"
  chmod 700 "$1"
  u="$(ha_user "$2")"
  if [[ -n "$u" ]]; then chown -R "$u:" "$1"; fi
}

# sv_quote WORD: WORD for supervisord's command= (shlex) with its %-expansion escaped.
sv_quote() {
  local q
  q="$(printf '%q' "$1")"
  echo "${q//%/%%}"
}

# sv_program NAME PRIORITY ENV_ARRAY_NAME CMD...: one [program:NAME] section on stdout. Started by scripts/up
# (autostart=false: up orders the tiers), restarted by supervisord whenever it exits without being told to.
sv_program() {
  local name=$1 prio=$2 envname=$3 w cmd="" envs="" kv user
  shift 3
  for w in "$@"; do cmd+="$(sv_quote "$w") "; done
  local -n envref="$envname"
  for kv in "${envref[@]+"${envref[@]}"}"; do
    kv="${kv//%/%%}"
    envs+="${envs:+,}${kv%%=*}=\"${kv#*=}\""
  done
  user="$(ha_user "$name")"
  # A member in a namespace drops to its user itself (ip netns exec needs root): see ha_member_cmd.
  if [[ -n "${SV_NO_USER:-}" ]]; then user=""; fi
  cat <<EOF

[program:$name]
command=${cmd% }
directory=$(svc_home)
priority=$prio
autostart=false
autorestart=unexpected
exitcodes=0
startsecs=1
startretries=20
stopsignal=TERM
stopwaitsecs=30
stdout_logfile=$LOGS/$name.log
stdout_logfile_maxbytes=50MB
stdout_logfile_backups=2
redirect_stderr=true
EOF
  if [[ -n "$user" ]]; then echo "user=$user"; fi
  if [[ -n "$envs" ]]; then echo "environment=$envs"; fi
}

# ---------------------------------------------------------------- configuration files

etcd_endpoints() {
  local i out=""
  for i in 1 2 3; do out+="${out:+,}http://127.0.0.1:$(component_port "etcd-$i" "$port_base")"; done
  echo "$out"
}

# etcd_member_endpoints: where the Patroni members reach etcd (this namespace's bridge address with --netns).
etcd_member_endpoints() {
  local i out="" h=127.0.0.1
  if ha_netns_on; then h="$(ha_host_ip)"; fi
  for i in 1 2 3; do out+="${out:+,}$h:$(component_port "etcd-$i" "$port_base")"; done
  echo "$out"
}

ha_etcd_cmd() { # N: the command line of etcd-N (its data dir's first start bootstraps the cluster)
  local i=$1 cluster="" j home
  home="$(ha_home)"
  for j in 1 2 3; do
    cluster+="${cluster:+,}etcd-$j=http://127.0.0.1:$(component_port "etcd-peer-$j" "$port_base")"
  done
  local listen advertise port
  port="$(component_port "etcd-$i" "$port_base")"
  listen="http://127.0.0.1:$port"
  advertise="$listen"
  if ha_netns_on; then
    # The members in their namespaces reach etcd on the bridge; the advertised URL is the one they can use.
    listen+=",http://$(ha_host_ip):$port"
    advertise="http://$(ha_host_ip):$port"
  fi
  HA_CMD=(/usr/bin/etcd --name "etcd-$i" --data-dir "$home/etcd-$i/data"
    --listen-client-urls "$listen"
    --advertise-client-urls "$advertise"
    --listen-peer-urls "http://127.0.0.1:$(component_port "etcd-peer-$i" "$port_base")"
    --initial-advertise-peer-urls "http://127.0.0.1:$(component_port "etcd-peer-$i" "$port_base")"
    --initial-cluster "$cluster" --initial-cluster-token "chat-$port_base" --initial-cluster-state new
    --heartbeat-interval 100 --election-timeout 1000
    --enable-v2=true
    --auto-compaction-mode revision --auto-compaction-retention 1000 --snapshot-count 10000
    --logger zap --log-outputs stderr --log-level warn)
}

# ha_member_cmd N: the command line of member pg-N: Patroni, in its own namespace with --netns (entered as
# root, then run as the postgres user: ip netns exec and setpriv both exec, so supervisord's PID is Patroni's).
ha_member_cmd() {
  local i=$1 u
  HA_CMD=(/usr/bin/patroni "$(ha_home)/pg-$i/patroni.yml")
  if ha_netns_on; then
    u="$(ha_user "pg-$i")"
    if [[ -n "$u" ]]; then
      HA_CMD=(setpriv --reuid="$u" --regid="$u" --init-groups --reset-env -- "${HA_CMD[@]}")
    fi
    HA_CMD=(ip netns exec "$(ha_ns_of "$i")" "${HA_CMD[@]}")
  fi
}

# ha_write_patroni N: DATA/pg-N/patroni.yml (mode 600, the postgres user's): the member, its PostgreSQL and,
# for the first member that bootstraps, the cluster-wide settings.
ha_write_patroni() {
  local i=$1 home dir host api_listen pg_listen hba_net=""
  home="$(ha_home)"
  dir="$home/pg-$i"
  ha_own_dir "$dir" "pg-$i"
  host="$(ha_pg_host "$i")"
  api_listen="127.0.0.1:$(component_port "patroni-$i" "$port_base")"
  pg_listen="127.0.0.1:$(component_port "pg-$i" "$port_base")"
  if ha_netns_on; then
    # In its namespace the member answers on its own loopback (what the partition fault samples it through)
    # and on its bridge address; Patroni's local connection uses the first listen address.
    api_listen="0.0.0.0:$(component_port "patroni-$i" "$port_base")"
    pg_listen="127.0.0.1,$host:$(component_port "pg-$i" "$port_base")"
    hba_net="$(ha_subnet).0/24"
  fi
  (
    umask 077
    cat >"$dir/patroni.yml" <<EOF
# Generated by scripts/up --ha on every start; holds passwords. Docs: docs/operations.md.
scope: chat
namespace: /chat-ha/
name: pg-$i
log:
  level: INFO
  format: '%(asctime)s %(levelname)s: %(message)s'
restapi:
  listen: $api_listen
  connect_address: $host:$(component_port "patroni-$i" "$port_base")
# The etcd v2 API, not etcd3: Patroni 3.0.2 (Debian 12) renews its leader key through etcd3 with an
# unconditional put, so a primary whose loop stalled past the ttl (its PostgreSQL frozen, say) takes the key back
# from the standby that was promoted meanwhile: two primaries for seconds, and what the promoted one acked is
# rewound away (seen with scripts/chaos --ha pg-primary-stop; fixed upstream after 3.0.2, pull request 2689). Through the v2 API
# the renewal is a compare-and-swap on the key's value (prevValue): the stalled primary fails it and demotes.
etcd:
  hosts: $(etcd_member_endpoints)
bootstrap:
  dcs:
    ttl: $HA_TTL
    loop_wait: $HA_LOOP_WAIT
    retry_timeout: $HA_RETRY_TIMEOUT
    maximum_lag_on_failover: 1048576
    # The standby Patroni names in the DCS is the only one allowed to take over, and every commit waits for
    # it: an ack means the message is on both members' disks. Not strict: with the standby gone the primary
    # keeps accepting (on one disk) rather than stopping the chat; docs/operations.md.
    synchronous_mode: true
    synchronous_mode_strict: false
    postgresql:
      use_pg_rewind: true
      use_slots: true
      parameters:
        # 'on' with a synchronous standby: COMMIT returns once the standby has flushed the WAL to its disk.
        synchronous_commit: 'on'
        wal_level: replica
        wal_log_hints: 'on'
        hot_standby: 'on'
        max_connections: 200
        max_wal_senders: 10
        max_replication_slots: 10
        wal_keep_size: 256MB
        # A primary cut off from its standby shuts down (Patroni's demotion) only once its WAL sender gives
        # up on the standby: up to 60 s by default (12 s seen with scripts/chaos --ha pg-primary-partition;
        # 1.7 s with 3 s). Patroni 3.0.2 may run that demotion twice at once (upstream issue 3649, pull
        # request 3372): two postmasters start, one fails on the lock file, and if Patroni keeps the wrong
        # PID the other is orphaned and holds the port (the double start in five runs of five, the orphan in one; the 3-s bound does not prevent
        # it: docs/reliability.md). The bound also drops a standby silent for 3 s (it reconnects at once).
        wal_sender_timeout: 3s
        # Full-page images compressed, a checkpoint every 15 minutes: as scripts/up (docs/performance.md).
        wal_compression: lz4
        checkpoint_timeout: 15min
        max_wal_size: 4GB
  initdb:
    - encoding: UTF8
    - locale: C
    - data-checksums
postgresql:
  listen: $pg_listen
  connect_address: $host:$(component_port "pg-$i" "$port_base")
  data_dir: $dir/data
  bin_dir: $PGBIN
  pgpass: $dir/pgpass
  use_unix_socket: false
  use_unix_socket_repl: false
  # An old primary that cannot be rewound, or whose timeline diverged, is cloned again: it always rejoins.
  remove_data_directory_on_rewind_failure: true
  remove_data_directory_on_diverged_timelines: true
  create_replica_methods: [basebackup]
  basebackup:
    - checkpoint: fast
  authentication:
    superuser:
      username: postgres
      password: '$(secret postgres-superuser-password)'
    replication:
      username: replicator
      password: '$(secret postgres-replication-password)'
  parameters:
    # TCP only: no unix socket (issue 13).
    unix_socket_directories: ''
  pg_hba:
    - host replication replicator 127.0.0.1/32 scram-sha-256
    - host all all 127.0.0.1/32 scram-sha-256
$(if [[ -n "$hba_net" ]]; then
    echo "    - host replication replicator $hba_net scram-sha-256"
    echo "    - host all all $hba_net scram-sha-256"
  fi)
tags:
  nofailover: false
  noloadbalance: false
  clonefrom: false
  nosync: false
EOF
  )
  local u
  u="$(ha_user "pg-$i")"
  if [[ -n "$u" ]]; then chown "$u:" "$dir/patroni.yml"; fi
}

# ha_write_redis N: DATA/redis-N/redis.conf, once (Sentinel rewrites it on failovers: which node is master is
# state from then on). redis-2 starts as redis-1's replica.
ha_write_redis() {
  local i=$1 dir
  dir="$(ha_home)/redis-$i"
  ha_own_dir "$dir" "redis-$i"
  [[ -s "$dir/redis.conf" ]] && return 0
  (
    umask 077
    cat >"$dir/redis.conf" <<EOF
# Generated once by scripts/up --ha; holds the password of the ACL user 'chat'. Sentinel rewrites it.
bind 127.0.0.1
port $(component_port "redis-$i" "$port_base")
protected-mode yes
daemonize no
logfile ""
dir $dir
save ""
appendonly yes
appendfsync everysec
auto-aof-rewrite-percentage 100
auto-aof-rewrite-min-size 4mb
user default off
user chat on >$(secret redis-password) $(redis_acl chat)
user failover on >$(secret redis-failover-password) $(redis_acl failover)
masteruser failover
masterauth $(secret redis-failover-password)
replica-serve-stale-data yes
replica-read-only yes
EOF
    if ((i != 1)); then
      echo "replicaof 127.0.0.1 $(component_port redis-1 "$port_base")" >>"$dir/redis.conf"
    fi
  )
  local u
  u="$(ha_user "redis-$i")"
  if [[ -n "$u" ]]; then chown "$u:" "$dir/redis.conf"; fi
}

# ha_write_sentinel N: DATA/sentinel-N/sentinel.conf, once (Sentinel keeps its state in it).
ha_write_sentinel() {
  local i=$1 dir
  dir="$(ha_home)/sentinel-$i"
  ha_own_dir "$dir" "sentinel-$i"
  [[ -s "$dir/sentinel.conf" ]] && return 0
  (
    umask 077
    cat >"$dir/sentinel.conf" <<EOF
# Generated once by scripts/up --ha; Sentinel rewrites it (its state: which node is master, the others).
bind 127.0.0.1
port $(component_port "sentinel-$i" "$port_base")
daemonize no
logfile ""
dir $dir
user default off
user chat on >$(secret redis-password) ~* &* +@all
sentinel resolve-hostnames no
sentinel monitor chat 127.0.0.1 $(component_port redis-1 "$port_base") 2
sentinel auth-user chat failover
sentinel auth-pass chat $(secret redis-failover-password)
sentinel sentinel-user chat
sentinel sentinel-pass $(secret redis-password)
sentinel down-after-milliseconds chat $HA_SENTINEL_DOWN_AFTER_MS
sentinel failover-timeout chat 10000
sentinel parallel-syncs chat 1
EOF
  )
  local u
  u="$(ha_user "sentinel-$i")"
  if [[ -n "$u" ]]; then chown "$u:" "$dir/sentinel.conf"; fi
}

# ha_redis_env: the services' Redis settings in this topology (the one place to switch, see HA_REDIS_CLIENT).
ha_redis_env() {
  local pw i hosts=""
  pw="$(secret redis-password)"
  if [[ "$HA_REDIS_CLIENT" == sentinel ]]; then
    for i in 1 2 3; do
      hosts+="${hosts:+,}redis://chat:$pw@127.0.0.1:$(component_port "sentinel-$i" "$port_base")"
    done
    HA_REDIS_ENV=(QUARKUS_REDIS_CLIENT_TYPE=sentinel "QUARKUS_REDIS_HOSTS=$hosts" QUARKUS_REDIS_MASTER_NAME=chat
      QUARKUS_REDIS_ROLE=master)
  else
    HA_REDIS_ENV=("QUARKUS_REDIS_HOSTS=redis://chat:$pw@127.0.0.1:$(component_port redis-1 "$port_base")")
  fi
}

# ha_write_supervisord: RUN/supervisord.conf (mode 600: the services' environment holds passwords), every start.
ha_write_supervisord() {
  local i c conf
  conf="$(ha_conf)"
  local -a none=()
  (
    umask 077
    {
      cat <<EOF
; Generated by scripts/up --ha on every start; holds passwords (mode 600). Control it with
;   supervisorctl -c $conf status
[unix_http_server]
file=$SOCKDIR/supervisor.sock
chmod=0700

[supervisord]
logfile=$LOGS/supervisord.log
logfile_maxbytes=20MB
pidfile=$SOCKDIR/supervisord.pid
nodaemon=true
silent=true
identifier=chat-$port_base
childlogdir=$LOGS

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix://$SOCKDIR/supervisor.sock

; Chat nodes scripts/scale adds at run time (scripts/up --only chat-node-N writes their sections there).
[include]
files = $RUN/supervisord.d/*.conf
EOF
      for i in 1 2 3; do
        ha_etcd_cmd "$i"
        sv_program "etcd-$i" 100 none "${HA_CMD[@]}"
      done
      for i in 1 2; do
        ha_member_cmd "$i"
        if ha_netns_on; then
          SV_NO_USER=1 sv_program "pg-$i" 200 none "${HA_CMD[@]}"
        else
          sv_program "pg-$i" 200 none "${HA_CMD[@]}"
        fi
      done
      for i in 1 2; do
        sv_program "redis-$i" 300 none "$(command -v redis-server)" "$(ha_home)/redis-$i/redis.conf"
      done
      for i in 1 2 3; do
        sv_program "sentinel-$i" 400 none "$(command -v redis-sentinel || echo /usr/bin/redis-sentinel)" \
          "$(ha_home)/sentinel-$i/sentinel.conf"
      done
      java_opts
      for c in "${HA_JAVA_COMPONENTS[@]}"; do
        service_env "$c"
        sv_program "$c" 500 SERVICE_ENV "$JAVA_BIN" "${JAVA_OPTS_NOW[@]}" -jar "$(jar_of "$c")"
      done
      # Through scripts/lib/haproxy-run, which has it read RUN/haproxy-scaled.cfg at every start: when supervisord
      # restarts a crashed HAProxy, it comes back with the nodes scripts/scale added.
      sv_program haproxy 600 HAPROXY_ENV "$(command -v bash)" "$CHAT_ROOT/scripts/lib/haproxy-run" "$(scaled_env_file)" \
        "$HAPROXY_BIN" -db -f "$CHAT_ROOT/haproxy/haproxy.cfg"
    } >"$conf"
  )
}

# ---------------------------------------------------------------- readiness checks

etcd_healthy() {
  ETCDCTL_API=3 timeout 5 etcdctl --endpoints="$(etcd_endpoints)" --command-timeout=2s endpoint health 2>&1 \
    | grep -c 'is healthy' | grep -qx 3
}

# patroni_get N PATH: the HTTP status of Patroni N's REST API on PATH (000 when it does not answer).
patroni_get() {
  curl -s -o /dev/null -m 2 -w '%{http_code}' "http://$(ha_pg_host "$1"):$(component_port "patroni-$1" "$port_base")$2" || true
}

# ha_pg_primary: the member (pg-1 or pg-2) that is primary now; fails when none is.
ha_pg_primary() {
  local i
  for i in 1 2; do
    if [[ "$(patroni_get "$i" /primary)" == 200 ]]; then
      echo "pg-$i"
      return 0
    fi
  done
  return 1
}

# pg_pair_ready: one member is primary and the other its synchronous standby (streaming).
pg_pair_ready() {
  local p s
  p="$(ha_pg_primary)" || return 1
  s=$((3 - ${p#pg-}))
  [[ "$(patroni_get "$s" /sync)" == 200 ]]
}

redis_cli_at() { # PORT ARGS...
  REDISCLI_AUTH="$(secret redis-password)" timeout 3 redis-cli --no-auth-warning -h 127.0.0.1 -p "$1" --user chat "${@:2}"
}

# sentinel_master N: "HOST PORT" of the master Sentinel N names.
sentinel_master() {
  redis_cli_at "$(component_port "sentinel-$1" "$port_base")" sentinel get-master-addr-by-name chat 2>/dev/null | paste -sd' '
}

# ha_redis_master: the component (redis-1 or redis-2) the Sentinels name as master.
ha_redis_master() {
  local m i
  m="$(sentinel_master 1 || sentinel_master 2 || sentinel_master 3)" || return 1
  for i in 1 2; do
    if [[ "$m" == "127.0.0.1 $(component_port "redis-$i" "$port_base")" ]]; then
      echo "redis-$i"
      return 0
    fi
  done
  return 1
}

# redis_pair_ready: the master answers, the other node replicates it with its link up.
redis_pair_ready() {
  local i
  for i in 1 2; do
    [[ "$(redis_cli_at "$(component_port "redis-$i" "$port_base")" ping 2>/dev/null)" == PONG ]] || return 1
  done
  redis_cli_at "$(component_port redis-2 "$port_base")" info replication 2>/dev/null | grep -q 'master_link_status:up' \
    || redis_cli_at "$(component_port redis-1 "$port_base")" info replication 2>/dev/null | grep -q 'master_link_status:up'
}

# sentinels_ready: every Sentinel knows the master, its replica and the two other Sentinels.
sentinels_ready() {
  local i info
  for i in 1 2 3; do
    info="$(redis_cli_at "$(component_port "sentinel-$i" "$port_base")" sentinel master chat 2>/dev/null | paste -sd' ')" || return 1
    [[ " $info " == *" num-slaves 1 "* && " $info " == *" num-other-sentinels 2 "* && " $info " != *"s_down"* ]] || return 1
  done
}

# pg_listener_primary: through HAProxy's primary listener a read-write PostgreSQL answers.
pg_listener_primary() {
  [[ "$(PGPASSWORD="$(secret postgres-superuser-password)" PGCONNECT_TIMEOUT=3 "$PGBIN/psql" -X -q -A -t -h 127.0.0.1 \
    -p "$(component_port haproxy-pg "$port_base")" -U postgres -d postgres -c 'SELECT pg_is_in_recovery()' 2>/dev/null)" == f ]]
}

# ha_wait_for NAME CHECK...: polls CHECK until it succeeds, while supervisord keeps NAME going and time is left.
ha_wait_for() {
  local name=$1 st
  shift
  while ! "$@" >/dev/null 2>&1; do
    st="$(ha_state "$name")"
    case "$st" in
      FATAL | EXITED | STOPPED) fail "$name" "$name is $st (supervisord gave up starting it)" ;;
    esac
    ((SECONDS < deadline)) || fail "$name" "$name was not ready within ${timeout}s (state ${st:-unknown})"
    sleep 0.2
  done
}

# ha_start NAME...: asks supervisord to start these programs (without waiting for their readiness).
ha_start() {
  local out
  out="$(ha_ctl start "$@" 2>&1)" || true
  if grep -qiE 'ERROR|FATAL' <<<"$out"; then
    echo "$out" >&2
    fail "$1" "supervisord could not start $*"
  fi
}
