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
