# Helpers for scripts that run a MariaDB Galera cluster and HAProxy on loopback (Debian packages mariadb-server,
# galera-4, rsync and haproxy), as tests/IdentityServer.ClusterTests does; source it after lib/local-servers.sh and
# after setting $work. Every process's pid goes to $work/*.pid, for the caller's cleanup.

# HAProxy's Galera-aware check, which these helpers also use to wait for a member.
galera_check=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/deploy/galera/galera-check.sh

galera_provider() {
  local candidate
  for candidate in /usr/lib/galera/libgalera_smm.so /usr/lib/libgalera_smm.so /usr/lib64/galera-4/libgalera_smm.so; do
    [[ -e "$candidate" ]] && { echo "$candidate"; return 0; }
  done
  return 1
}

# Succeeds once member $1 (a client port) is Synced in the Primary component: HAProxy's own check, run as root, since the unprivileged check user exists only once the cluster is up.
galera_synced() {
  HAPROXY_SERVER_ADDR=127.0.0.1 HAPROXY_SERVER_PORT=$1 GALERA_CHECK_USER=root "$galera_check"
}

# Starts a Galera cluster of $1 members (3 by default) with small buffer pools and an empty database "identityhost",
# and prints the members' client ports, space-separated. The first member bootstraps; the others join by a state
# transfer (rsync). Failure detection is tightened as in the cluster tests, so a lost member is evicted in seconds.
start_galera_cluster() {
  local size=${1:-3} provider index
  provider=$(galera_provider) || { echo "FAIL: galera-4 is not installed (apt-get install galera-4 rsync)" >&2; return 1; }
  local ports=() groups=() ists=() ssts=() addresses=""
  for ((index = 0; index < size; index++)); do
    ports+=("$(free_port)"); groups+=("$(free_port)"); ists+=("$(free_port)"); ssts+=("$(free_port)")
    addresses+="${addresses:+,}127.0.0.1:${groups[index]}"
  done
  local as_root=()
  [[ "$(id -u)" == 0 ]] && as_root=(--user=root)
  for ((index = 0; index < size; index++)); do
    local data=$work/galera/node$index
    mkdir -p "$work/galera"
    mariadb-install-db --no-defaults --datadir="$data" --auth-root-authentication-method=normal --skip-test-db \
      --skip-name-resolve "${as_root[@]}" >"$work/galera/install$index.log" 2>&1
    # Note: the joiners' rsync daemon runs as nobody and must write their data directories.
    [[ "$(id -u)" == 0 && $index -gt 0 ]] && chown -R nobody:nogroup "$data"
    local bootstrap=()
    ((index == 0)) && bootstrap=(--wsrep-new-cluster)
    mariadbd --no-defaults --datadir="$data" --port="${ports[index]}" --bind-address=127.0.0.1 \
      --socket="$data.sock" --pid-file="$data.pid" --log-error="$work/galera/node$index.log" --skip-name-resolve \
      "${as_root[@]}" --innodb-buffer-pool-size=128M --innodb-log-file-size=64M --max-connections=500 \
      --character-set-server=utf8mb4 --binlog-format=ROW --innodb-autoinc-lock-mode=2 \
      --wsrep-on=ON --wsrep-provider="$provider" --wsrep-cluster-address="gcomm://$addresses" \
      --wsrep-node-address="127.0.0.1:${groups[index]}" --wsrep-node-name="node$index" --wsrep-cluster-name=bench \
      --wsrep-sst-method=rsync --wsrep-sst-receive-address="127.0.0.1:${ssts[index]}" "${bootstrap[@]}" \
      "--wsrep-provider-options=gmcast.listen_addr=tcp://127.0.0.1:${groups[index]};ist.recv_addr=127.0.0.1:${ists[index]};gcache.size=128M;evs.keepalive_period=PT0.5S;evs.inactive_check_period=PT0.5S;evs.suspect_timeout=PT2S;evs.inactive_timeout=PT4S;evs.install_timeout=PT4S" \
      >/dev/null 2>&1 &
    echo $! >"$work/galera-$index.pid"
    local synced=0
    for _ in $(seq 1 240); do
      if galera_synced "${ports[index]}"; then synced=1; break; fi
      sleep 0.5
    done
    if ((synced == 0)); then
      echo "FAIL: Galera member $index did not become Synced" >&2
      tail -n 30 "$work/galera/node$index.log" >&2
      return 1
    fi
  done
  mariadb --no-defaults --protocol=tcp -h 127.0.0.1 -P "${ports[0]}" -u root -e \
    "CREATE DATABASE identityhost CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci; CREATE USER 'haproxy_check'@'%'"
  echo "${ports[*]}"
}

haproxy_binary() { command -v haproxy 2>/dev/null || { [[ -x /usr/sbin/haproxy ]] && echo /usr/sbin/haproxy; }; }

# Starts HAProxy ($2 names it in $work) with configuration $1 and waits for it to accept connections on port $3.
run_haproxy() {
  local configuration=$1 name=$2 port=$3 binary
  binary=$(haproxy_binary) || { echo "FAIL: haproxy is not installed (apt-get install haproxy)" >&2; return 1; }
  printf '%s\n' "$configuration" >"$work/$name.cfg"
  "$binary" -c -q -f "$work/$name.cfg" >&2 || return 1
  "$binary" -db -f "$work/$name.cfg" >"$work/$name.log" 2>&1 &
  echo $! >"$work/$name.pid"
  for _ in $(seq 1 100); do
    (: <"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "FAIL: HAProxy ($name) did not listen on $port" >&2
  return 1
}

# Puts the Galera members whose client ports are in $1 (space-separated) behind one MySQL address, as
# deploy/galera/haproxy.cfg does: "balance first" (every connection to the first healthy member, so writes meet no
# certification conflict) with the Galera-aware check deploy/galera/galera-check.sh. Prints the address's port.
start_galera_proxy() {
  local port index=0 member servers=""
  port=$(free_port)
  for member in $1; do servers+="    server galera$((index++)) 127.0.0.1:$member check"$'\n'; done
  run_haproxy "global
    insecure-fork-wanted
    external-check
    maxconn 4000

defaults
    timeout connect 2s
    timeout client 1h
    timeout server 1h
    timeout check 3s

listen galera
    bind 127.0.0.1:$port
    mode tcp
    balance first
    option external-check
    external-check path \"/usr/bin:/bin:/usr/sbin\"
    external-check command $galera_check
    default-server inter 1s fall 2 rise 2 on-marked-down shutdown-sessions
$servers" haproxy-galera "$port" || return 1
  echo "$port"
}

# Puts the identity server nodes whose ports are in $1 behind one HTTP address (on port $2, or a free one), round
# robin, each in rotation while /health/ready answers 200. Prints the address's port.
start_http_proxy() {
  local port=${2:-} index=0 node servers=""
  [[ -n "$port" ]] || port=$(free_port)
  for node in $1; do servers+="    server identityhost$((index++)) 127.0.0.1:$node check"$'\n'; done
  run_haproxy "global
    maxconn 4000

defaults
    timeout connect 2s
    timeout client 60s
    timeout server 60s

listen identityhost
    bind 127.0.0.1:$port
    mode http
    balance roundrobin
    option httpchk GET /health/ready
    http-check expect status 200
    retries 2
    retry-on conn-failure empty-response
    option redispatch
    default-server inter 1s fall 2 rise 2
$servers" haproxy-http "$port" || return 1
  echo "$port"
}
