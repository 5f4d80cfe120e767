# Helpers for scripts that start IdentityHost's servers on loopback; source it after setting $work (the
# directory whose *.log files are shown when a server does not come up).

# Prints a free TCP port on 127.0.0.1.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null \
  || echo $((20000 + RANDOM % 20000)); }

# Waits up to 60 s for a URL to answer 2xx; on failure shows the tail of the servers' logs.
wait_for() {
  for _ in $(seq 1 120); do
    if curl -fs "$1" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  echo "FAIL: $1 did not answer within 60 s" >&2
  tail -n 40 "$work"/*.log >&2
  return 1
}

# Starts a private mariadbd (Debian package mariadb-server) in $work on a free port with an empty database
# "identityhost" (root, no password, loopback only) and prints the port; its pid goes to $work/mariadbd.pid, for
# the caller's cleanup. Arguments are passed on to mariadbd (e.g. --innodb-buffer-pool-size=1G).
start_mariadb() {
  local data=$work/mariadb port
  port=$(free_port)
  local as_root=()
  [[ "$(id -u)" == 0 ]] && as_root=(--user=root)
  mariadb-install-db --no-defaults --datadir="$data" --auth-root-authentication-method=normal --skip-test-db \
    --skip-name-resolve "${as_root[@]}" >"$work/mariadb-install.log" 2>&1
  mariadbd --no-defaults --datadir="$data" --port="$port" --bind-address=127.0.0.1 --socket="$work/mysqld.sock" \
    --pid-file="$work/mysqld.pid" --log-error="$work/mariadb.log" --skip-log-bin --character-set-server=utf8mb4 \
    "${as_root[@]}" "$@" &
  # Note: this function runs in a command substitution (a subshell), so the pid goes to a file for cleanup.
  echo $! >"$work/mariadbd.pid"
  for _ in $(seq 1 60); do
    if mariadb --no-defaults --protocol=tcp -h 127.0.0.1 -P "$port" -u root -e "SELECT 1" >/dev/null 2>&1; then
      mariadb --no-defaults --protocol=tcp -h 127.0.0.1 -P "$port" -u root \
        -e "CREATE DATABASE identityhost CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
      echo "$port"
      return 0
    fi
    sleep 0.5
  done
  echo "FAIL: mariadbd did not start" >&2
  cat "$work/mariadb.log" >&2
  return 1
}

# Stops every process whose pid is in a $work/*.pid file (the private mariadbd, Galera members, HAProxy) and waits,
# up to 30 s, until each has exited: they run in command substitutions, so the shell's `wait` does not wait for
# them, and removing $work while mariadbd still writes there fails ("Directory not empty").
stop_pid_files() {
  local file pid pids=()
  for file in "$work"/*.pid; do
    [[ -f "$file" ]] || continue
    pid=$(cat "$file" 2>/dev/null) || continue
    [[ "$pid" =~ ^[0-9]+$ ]] || continue
    kill "$pid" 2>/dev/null && pids+=("$pid")
  done
  for _ in $(seq 1 300); do
    local alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    ((alive == 0)) && return 0
    sleep 0.1
  done
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
}
