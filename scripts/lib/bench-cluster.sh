# scripts/bench.sh --cluster: the single-node scenarios again, through HAProxy, on three identity server nodes that
# share a 3-node MariaDB Galera cluster (behind a second HAProxy listener with the Galera-aware check, as
# docker-compose.cluster.yml runs them). Sourced by bench.sh; uses its functions (start_server, measure, record).

bench_cluster() {
  # shellcheck source=galera.sh
  source "$root/scripts/lib/galera.sh"
  echo "==> cluster: 3 Galera members, HAProxy, 3 identity server nodes (all on this machine)"
  local members database_proxy connection index node_ports=() node_pids=()
  members=$(start_galera_cluster 3)
  record cluster_members 3
  database_proxy=$(start_galera_proxy "$members")
  connection="Server=127.0.0.1;Port=$database_proxy;Database=identityhost;User ID=root;Password=;SslMode=Disabled;"
  local saved_database=$database saved_provider=$provider saved_port=${mysql_port:-}
  database=mysql provider=MySql
  # Note: HAProxy sends every connection to the first member, so its statement counter counts them all.
  mysql_port=${members%% *}
  # Note: one issuer for all three, the load balancer's address, as a real deployment has: a token from one node is
  # then valid at the others.
  local http_port
  http_port=$(free_port)
  export BENCH_ISSUER="http://127.0.0.1:$http_port/"
  for index in 0 1 2; do
    start_server "cluster_node$index" RS256 "$connection"
    node_pids+=("$server_pid")
    node_ports+=("${server_url##*:}")
  done
  local http_proxy
  http_proxy=$(start_http_proxy "${node_ports[*]}" "$http_port")
  unset BENCH_ISSUER
  server_url="http://127.0.0.1:$http_proxy"
  wait_for "$server_url/health/ready"
  dotnet "$bench_dll" seed "$root/src/IdentityServer" MySql "$connection" 0 "$small_users" "$password" \
    | record_output seed_cluster
  BENCH_USERS=$small_users BENCH_PASSWORD=$password BENCH_PASSWORD_CLIENT=bench-password BENCH_RUN=$RANDOM
  BENCH_AUTHORIZATION=$basic_authorization
  export server_url BENCH_USERS BENCH_PASSWORD BENCH_PASSWORD_CLIENT BENCH_RUN BENCH_AUTHORIZATION
  local saved_watch=${watch_pid:-}
  watch_pid=${node_pids[0]}
  measure cluster_password password "$server_url" 2 8
  measure cluster_register register "$server_url" 2 8
  measure cluster_client_credentials client_credentials "$server_url" 2 32
  measure cluster_refresh refresh "$server_url" 2 32
  for index in 0 1 2; do
    record "cluster_node${index}_peak_rss_mb" "$(peak_rss_mb "${node_pids[index]}")"
    stop "${node_pids[index]}"
  done
  watch_pid=$saved_watch
  database=$saved_database provider=$saved_provider mysql_port=$saved_port
}
