#!/usr/bin/env bash
# Validates docker-compose.yml without a Docker engine (scripts/test.sh and so CI call this), with every compose
# found: docker-compose (v1, Debian's package) and/or docker compose (v2). Checks that
#   - it renders with the required secrets set, with the expected services, the database password reaching the
#     identity server's connection string;
#   - it refuses to render, naming the variable, when a required secret is missing or empty;
#   - no password is written in it: every one comes from ${VAR:?message}, or ${VAR:-} with an empty default;
#   - the monitoring files it mounts are valid: Prometheus' configuration (promtool, from Debian's prometheus
#     package, when installed), Grafana's provisioning YAML and the dashboard JSON (python3), every file it mounts
#     exists.
#   - docker-compose.cluster.yml (three Galera members, HAProxy, three identity server nodes) renders, with the nodes
#     reaching the database through HAProxy, refuses to render without its secrets, writes none, mounts only files that
#     exist, and HAProxy's configuration (deploy/galera/haproxy.cfg) passes haproxy -c.
# A developer's own .env is ignored (an empty --env-file is passed). Prints one line; exits non-zero on a problem.
set -euo pipefail
cd "$(dirname "$0")/.."
file=docker-compose.yml
required=(MYSQL_PASSWORD MYSQL_ROOT_PASSWORD GRAFANA_ADMIN_PASSWORD)
expected_services="grafana identityserver mailpit mysql prometheus resourceapi"

tools=()
command -v docker-compose >/dev/null 2>&1 && tools+=("docker-compose")
docker compose version >/dev/null 2>&1 && tools+=("docker compose")
if ((${#tools[@]} == 0)); then
  echo "compose: FAIL: neither docker-compose nor docker compose is installed" >&2
  exit 1
fi

work=$(mktemp -d -t identityhost-compose-XXXXXX)
trap 'rm -rf "$work"' EXIT
: >"$work/empty.env"
problems=()
problem() { problems+=("$*"); }

# Usage: render TOOL [VAR=value ...] -- COMPOSE-ARGS. Runs compose with only the given secrets in its environment.
render() {
  local tool=$1 assignments=()
  shift
  while [[ $1 != -- ]]; do assignments+=("$1"); shift; done
  shift
  local unset_args=()
  for name in "${required[@]}" IDENTITYHOST_ADMIN_USERNAME IDENTITYHOST_ADMIN_PASSWORD; do unset_args+=(-u "$name"); done
  # shellcheck disable=SC2086 # "docker compose" is two words on purpose
  env "${unset_args[@]}" ${assignments[@]+"${assignments[@]}"} \
    $tool --env-file "$work/empty.env" -f "$file" --project-directory . "$@"
}

versions=()
for tool in "${tools[@]}"; do
  versions+=("$tool $($tool version --short 2>/dev/null || $tool version | head -n 1)")
  secrets=()
  for name in "${required[@]}"; do secrets+=("$name=check-$name"); done

  if ! render "$tool" "${secrets[@]}" -- config -q 2>"$work/err"; then
    problem "$tool: does not render with the secrets set: $(tr '\n' ' ' <"$work/err")"
    continue
  fi

  services=$(render "$tool" "${secrets[@]}" -- config --services 2>/dev/null | sort | tr '\n' ' ' | sed 's/ $//')
  [[ "$services" == "$expected_services" ]] || problem "$tool: services are '$services', expected '$expected_services'"

  render "$tool" "${secrets[@]}" -- config >"$work/rendered.yml" 2>/dev/null || true
  grep -q "Password=check-MYSQL_PASSWORD;" "$work/rendered.yml" ||
    problem "$tool: MYSQL_PASSWORD does not reach the identity server's connection string"
  grep -Eq "Email__Smtp__Host: ['\"]?mailpit" "$work/rendered.yml" ||
    problem "$tool: the identity server does not send its mail to the mailpit service"

  for missing in "${required[@]}"; do
    for value in unset empty; do
      others=()
      for name in "${required[@]}"; do
        if [[ "$name" != "$missing" ]]; then others+=("$name=check-$name"); elif [[ $value == empty ]]; then others+=("$name="); fi
      done
      if render "$tool" "${others[@]}" -- config -q 2>"$work/err"; then
        problem "$tool: renders with $missing $value"
      elif ! grep -q "set $missing" "$work/err"; then
        problem "$tool: fails with $missing $value, but without naming it: $(tr '\n' ' ' <"$work/err")"
      fi
    done
  done
done

# No secret literal: outside comments, every password or secret value must come from the environment, and an
# optional one (${VAR:-}) must default to empty.
while IFS= read -r line; do
  problem "a password or secret is written in $file: ${line%%:*}: (value hidden)"
done < <(grep -nEi '(password|secret|pwd)[a-z_]*[[:space:]]*[:=]' "$file" | grep -vE '^[0-9]+:[[:space:]]*#' | grep -v '\${' || true)
while IFS= read -r line; do
  problem "an optional secret has a non-empty default in $file: line ${line%%:*}"
done < <(grep -nEi '(password|secret)[a-z_]*:-[^}]' "$file" || true)

# The monitoring files: every mounted path exists, and each file parses as what it claims to be.
while IFS= read -r source; do
  [[ -e "$source" ]] || problem "$file mounts $source, which does not exist"
done < <(grep -oE '^\s+- \./[^:]+' "$file" | sed -E 's/^\s+- //')
if command -v promtool >/dev/null 2>&1; then
  promtool check config deploy/prometheus/prometheus.yml >"$work/err" 2>&1 ||
    problem "promtool: deploy/prometheus/prometheus.yml: $(tr '\n' ' ' <"$work/err")"
elif [[ "${IDENTITYHOST_REQUIRE_ALL:-0}" == 1 ]]; then
  problem "promtool is not installed (Debian package prometheus), so deploy/prometheus/prometheus.yml was not checked"
fi
python3 - <<'PY' 2>"$work/err" || problem "monitoring files: $(tr '\n' ' ' <"$work/err")"
import json, pathlib, re
dashboard = json.loads(pathlib.Path("deploy/grafana/dashboards/identityhost.json").read_text())
assert dashboard["uid"] and dashboard["panels"], "the dashboard has no uid or no panels"
for panel in dashboard["panels"]:
    assert panel["targets"], f"panel {panel['title']} has no query"
    for target in panel["targets"]:
        assert target["datasource"]["uid"] == "prometheus", f"panel {panel['title']} does not use the provisioned data source"
for path in pathlib.Path("deploy/grafana/provisioning").rglob("*.yml"):
    text = path.read_text()
    assert re.search(r"^apiVersion: 1$", text, re.M), f"{path}: not a Grafana provisioning file"
    assert "\t" not in text, f"{path}: a tab in YAML"
PY

# The cluster file (README, "Running a cluster"): three Galera members, HAProxy, three identity server nodes.
cluster=docker-compose.cluster.yml
cluster_required=(MYSQL_PASSWORD MYSQL_ROOT_PASSWORD)
cluster_services="galera1 galera2 galera3 haproxy identityserver1 identityserver2 identityserver3 mailpit"
render_cluster() {
  local tool=$1
  shift
  # shellcheck disable=SC2086 # "docker compose" is two words on purpose
  env -u MYSQL_PASSWORD -u MYSQL_ROOT_PASSWORD -u IDENTITYHOST_ADMIN_USERNAME -u IDENTITYHOST_ADMIN_PASSWORD "$@"
}
for tool in "${tools[@]}"; do
  # shellcheck disable=SC2086
  if ! render_cluster "$tool" MYSQL_PASSWORD=check-MYSQL_PASSWORD MYSQL_ROOT_PASSWORD=check-MYSQL_ROOT_PASSWORD \
      $tool --env-file "$work/empty.env" -f "$cluster" --project-directory . config >"$work/cluster.yml" 2>"$work/err"; then
    problem "$tool: $cluster does not render with the secrets set: $(tr '\n' ' ' <"$work/err")"
    continue
  fi
  # shellcheck disable=SC2086
  services=$(render_cluster "$tool" MYSQL_PASSWORD=x MYSQL_ROOT_PASSWORD=y $tool --env-file "$work/empty.env" -f "$cluster" \
    --project-directory . config --services 2>/dev/null | sort | tr '\n' ' ' | sed 's/ $//')
  [[ "$services" == "$cluster_services" ]] || problem "$tool: $cluster services are '$services', expected '$cluster_services'"
  [[ $(grep -c "Server=haproxy;Port=3306;.*Password=check-MYSQL_PASSWORD;" "$work/cluster.yml") == 3 ]] ||
    problem "$tool: $cluster: the three identity server nodes do not reach the database through HAProxy with MYSQL_PASSWORD"
  grep -q -- "--wsrep-sync-wait=1" "$work/cluster.yml" || problem "$tool: $cluster: the Galera members do not read causally"
  for missing in "${cluster_required[@]}"; do
    others=()
    for name in "${cluster_required[@]}"; do [[ "$name" == "$missing" ]] || others+=("$name=check-$name"); done
    # shellcheck disable=SC2086
    if render_cluster "$tool" "${others[@]}" $tool --env-file "$work/empty.env" -f "$cluster" --project-directory . config -q 2>"$work/err"; then
      problem "$tool: $cluster renders without $missing"
    elif ! grep -q "set $missing" "$work/err"; then
      problem "$tool: $cluster fails without $missing, but without naming it"
    fi
  done
done
while IFS= read -r line; do
  problem "a password or secret is written in $cluster: ${line%%:*}: (value hidden)"
done < <(grep -nEi '(password|secret|pwd|auth)[a-z_]*[[:space:]]*[:=]' "$cluster" | grep -vE '^[0-9]+:[[:space:]]*#' | grep -v '\${' || true)
while IFS= read -r source; do
  [[ -e "$source" ]] || problem "$cluster mounts $source, which does not exist"
done < <(grep -oE '^\s+- \./[^:]+' "$cluster" | sed -E 's/^\s+- //')
sh -n deploy/galera/galera-check.sh || problem "deploy/galera/galera-check.sh: not valid sh"
if command -v haproxy >/dev/null 2>&1; then
  haproxy -c -q -f deploy/galera/haproxy.cfg >"$work/err" 2>&1 || problem "haproxy -c: deploy/galera/haproxy.cfg: $(tr '\n' ' ' <"$work/err")"
elif [[ "${IDENTITYHOST_REQUIRE_ALL:-0}" == 1 ]]; then
  problem "haproxy is not installed (Debian package haproxy), so deploy/galera/haproxy.cfg was not checked"
fi

if ((${#problems[@]})); then
  printf 'compose: FAIL: %s\n' "${problems[@]}" >&2
  exit 1
fi
echo "compose: OK: $file renders with ${versions[*]} (services: $expected_services); missing or empty ${required[*]} refused; no secret literal; monitoring files valid; $cluster renders (services: $cluster_services), missing ${cluster_required[*]} refused, HAProxy configuration valid"
