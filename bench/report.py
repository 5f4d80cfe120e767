#!/usr/bin/env python3
"""Renders scripts/bench.sh's figures (name=value lines) as the Markdown tables of docs/benchmarks.md.

    report.py figures.txt                       prints the tables
    report.py figures.txt --update FILE.md      replaces the part of FILE.md between the bench markers
"""
import sys

BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
PEERS_BEGIN, PEERS_END = "<!-- bench-peers:begin -->", "<!-- bench-peers:end -->"
CLUSTER_BEGIN, CLUSTER_END = "<!-- bench-cluster:begin -->", "<!-- bench-cluster:end -->"


def load(path):
    figures = {}
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            if "=" in line:
                name, value = line.rstrip("\n").split("=", 1)
                figures[name] = value
    return figures


def render(f):
    def num(name):
        value = f.get(name)
        return float(value) if value not in (None, "") else None

    def fmt(value, digits=0):
        if value is None:
            return "n/a"
        return f"{value:,.{digits}f}"

    def ratio(a, b):
        return None if a is None or b in (None, 0) else a / b

    def verdict(met):
        return "n/a" if met is None else ("yes" if met else "**no**")

    def paired(name):
        raws = [num(f"{name}_raw_{round}_hash_per_second") for round in (1, 2, 3)]
        https = [num(f"{name}_paired_{round}_rps") for round in (1, 2, 3)]
        if any(value is None for value in raws + https):
            return None, None
        return sum(raws) / 3, sum(https) / 3

    raw_password, paired_password = paired("password")
    raw_register, paired_register = paired("register")
    db = f.get("database", "?")
    db_name = "MySQL (MariaDB " + f.get("mariadb", "?") + ")" if db == "mysql" else "SQLite"
    out = []
    out.append(f"Run on {f.get('date')}: {f.get('cpu')}, {f.get('cores')} cores, {f.get('memory_gib')} GiB, "
               f"{f.get('os')} (kernel {f.get('kernel')}), .NET SDK {f.get('dotnet')} ({f.get('build', 'Release')}), database {db_name}, "
               f"load generator wrk {f.get('wrk')} **on the same machine** (it takes CPU from the servers, most of all "
               f"in the fast scenarios). Each measurement lasts {f.get('seconds')} s after a 5 s warm-up; every figure "
               "and ratio below comes from this one run.")
    out.append("")
    out.append("### Throughput")
    out.append("")
    out.append("| Scenario | Requests/s | DB queries per request | Compared with | Ratio | Target | Met |")
    out.append("|---|---:|---:|---|---:|---|---|")
    out.append(f"| Raw password-hash verifications, {f.get('password_raw_1_hash_threads')} threads, PBKDF2-HMAC-SHA512 "
               f"{fmt(num('password_raw_1_hash_iterations'))} iterations, in process (mean of the 3 rounds paired with the "
               f"password grant) | {fmt(raw_password, 1)} | | | | | |")

    def paired_row(label, http, raw, target):
        r = ratio(http, raw)
        out.append(f"| {label} (mean of 3 rounds, each after a round of the raw limit) | {fmt(http, 1)} | | raw hash limit "
                   f"of the same rounds, {fmt(raw, 1)}/s | {fmt(r, 2)} | ≥ {target} | {verdict(None if r is None else r >= target)} |")

    paired_row("Password grant, 1,000 users", paired_password, raw_password, 0.9)
    paired_row("Registration", paired_register, raw_register, 0.75)

    def row(label, name, base_label=None, base=None, target=None, target_ratio=None, target_rps=None, max_queries=None):
        rps = num(name + "_rps")
        queries = f.get(name + "_queries", "n/a")
        r = ratio(rps, base)
        if target_ratio is not None:
            met = None if r is None else r >= target_ratio
        elif target_rps is not None:
            met = None if rps is None else rps >= target_rps
            # Note: a statement bound counts only where the database counts statements (not on SQLite).
            if met and max_queries is not None and num(name + "_queries") is not None:
                met = num(name + "_queries") <= max_queries
        else:
            met = None
        out.append(f"| {label} | {fmt(rps, 1)} | {queries} | {base_label or ''} | "
                   f"{fmt(r, 2) if base_label else ''} | {target or ''} | {verdict(met) if target else ''} |")
        return rps

    row("Password grant, 1,000 users (one 10 s run)", "password")
    row("Registration (one 10 s run)", "register")
    row("client_credentials grant (RS256 signing key, the default)", "client_credentials", target="≥ 2,000/s", target_rps=2000)
    row("client_credentials grant (ES256 signing key)", "client_credentials_es256", target="≥ 1,000/s", target_rps=1000)
    row("refresh_token grant (1,000 users)", "refresh", target="≥ 600/s, ≤ 4 statements", target_rps=600, max_queries=4)
    for algorithm in ("rs256", "es256"):
        public = num(f"{algorithm}_public_rps")
        row(f"Resource API `/api/public`, anonymous ({algorithm.upper()} server)", f"{algorithm}_public")
        row(f"Resource API `/api/protected`, Bearer {algorithm.upper()} token", f"{algorithm}_protected",
            "`/api/public`", public, "≥ 0.8", target_ratio=0.8)
    out.append("")
    out.append("DB queries per request are the database's own count (`Questions`) over the measurement, divided by "
               "the requests answered; n/a on SQLite, which has no server to ask.")
    out.append("")
    out.append("### Latency at about 70% of each scenario's maximum")
    out.append("")
    out.append("| Scenario | Offered/s | Answered/s | p50 ms | p95 ms | p99 ms | p99 / p50 | Target p99 ≤ 3 × p50 | Late sends |")
    out.append("|---|---:|---:|---:|---:|---:|---:|---|---:|")
    scenarios = [("Password grant", "password"), ("Registration", "register"),
                 ("client_credentials (RS256)", "client_credentials"), ("client_credentials (ES256)", "client_credentials_es256"),
                 ("refresh_token", "refresh"),
                 ("`/api/public` (RS256 run)", "rs256_public"), ("`/api/protected` RS256", "rs256_protected"),
                 ("`/api/public` (ES256 run)", "es256_public"), ("`/api/protected` ES256", "es256_protected")]
    for label, name in scenarios:
        full = num(name + "_rps")
        offered = None if full is None else int(full * 0.7)
        p50, p99 = num(name + "_at70_p50_ms"), num(name + "_at70_p99_ms")
        r = ratio(p99, p50)
        out.append(f"| {label} | {fmt(offered)} | {fmt(num(name + '_at70_rps'), 1)} | {fmt(p50, 2)} | "
                   f"{fmt(num(name + '_at70_p95_ms'), 2)} | {fmt(p99, 2)} | {fmt(r, 2)} | "
                   f"{verdict(None if r is None else r <= 3)} | {fmt(num(name + '_at70_late_sends'))} |")
    out.append("")
    out.append("### Memory and start-up")
    out.append("")
    out.append("| Measure | Figure | Target | Met |")
    out.append("|---|---:|---|---|")
    peak = num("server_peak_rss_mb")
    out.append(f"| Identity server peak RSS over the 1,000-user scenarios (VmHWM) | {fmt(peak)} MB | ≤ 150 MB | "
               f"{verdict(None if peak is None else peak <= 150)} |")
    out.append(f"| Identity server RSS when ready | {fmt(num(db + '_ready_rss_mb'))} MB | | |")
    steps = [("password", "password grant"), ("register", "registration"), ("client_credentials", "client_credentials"),
             ("refresh", "refresh"), ("password_large", "password grant, large"), ("refresh_large", "refresh, large")]
    marks = ", ".join(f"{label} {fmt(num(name + '_peak_rss_mb'))}" for name, label in steps if num(name + "_peak_rss_mb") is not None)
    if marks:
        out.append(f"| Identity server high-water mark after each scenario (MB) | {marks} | | |")
    out.append(f"| Identity server peak RSS, the server of the scale test ({fmt(num('seed_large_seeded_users'))} users) | {fmt(num('large_peak_rss_mb'))} MB | | |")
    out.append(f"| Resource API peak RSS (RS256 run) | {fmt(num('rs256_api_peak_rss_mb'))} MB | | |")
    ready = num("sqlite_ready_ms")
    out.append(f"| Start to ready, SQLite, existing database | {fmt(ready)} ms | ≤ 1,000 ms | "
               f"{verdict(None if ready is None else ready <= 1000)} |")
    out.append(f"| Start to the first 200 from discovery, SQLite, existing database | {fmt(num('sqlite_discovery_ms'))} ms | | |")
    out.append(f"| Start to ready, SQLite, first start (creates the database) | {fmt(num('sqlite_first_ready_ms'))} ms | | |")
    if db == "mysql":
        out.append(f"| Start to ready, MySQL, existing database | {fmt(num('mysql_ready_ms'))} ms | | |")
        out.append(f"| Start to ready, MySQL, first start (creates the schema) | {fmt(num('mysql_first_ready_ms'))} ms | | |")
    out.append("")
    out.append("### Scale: 1,000 against " + fmt(num("seed_large_seeded_users")) + " users")
    out.append("")
    out.append("Two servers, one on a database of 1,000 users and one on a database of "
               + fmt(num("seed_large_seeded_users")) + ", measured in turn (small, large, small, large); each figure is "
               "the mean of its two runs.")
    out.append("")
    out.append("| Scenario | 1,000 users, req/s | Large, req/s | Large / 1,000 | Target within 10% | Large p99 at 70% ms |")
    out.append("|---|---:|---:|---:|---|---:|")

    def mean(names):
        values = [num(name) for name in names]
        return None if any(value is None for value in values) else sum(values) / len(values)

    for label, name in (("Password grant", "password"), ("refresh_token grant", "refresh")):
        small = mean([f"scale_{name}_small_{round}_rps" for round in (1, 2)])
        large = mean([f"scale_{name}_large_{round}_rps" for round in (1, 2)])
        r = ratio(large, small)
        out.append(f"| {label} | {fmt(small, 1)} | {fmt(large, 1)} | {fmt(r, 2)} | "
                   f"{verdict(None if r is None else r >= 0.9)} | {fmt(num(name + '_large_at70_p99_ms'), 2)} |")
    out.append("")
    out.append(f"Seeding {fmt(num('seed_large_seeded_users'))} users straight into the database took "
               f"{fmt(num('seed_large_seed_seconds'), 1)} s.")
    return "\n".join(out) + "\n"


def render_peers(f):
    """The comparison of scripts/bench.sh --peers: IdentityHost and oidc-provider, rounds in turn, one run."""
    def num(name):
        try:
            return float(f.get(name))
        except (TypeError, ValueError):
            return None

    def fmt(value, digits=0):
        return "n/a" if value is None else f"{value:,.{digits}f}"

    def ratio(a, b):
        return None if a is None or b in (None, 0) else a / b

    rounds = int(num("peer_rounds") or 0)

    def good(run):
        # Note: answers that were not 2xx do not count: a refresh chain that broke turns its connection into a stream
        # of fast refusals, which would otherwise inflate the figure.
        value, requests, failed = num(f"{run}_rps"), num(f"{run}_requests"), num(f"{run}_non2xx") or 0
        return None if value is None else (value if not requests else value * (requests - failed) / requests)

    def rps(name, side):
        values = [good(f"peer_{name}_{side}_{r}") for r in range(1, rounds + 1)]
        return None if not values or None in values else sum(values) / len(values)

    def each(name, side):
        return " / ".join(fmt(good(f"peer_{name}_{side}_{r}"), 1) for r in range(1, rounds + 1))

    db = f.get("database", "?")
    out = [f"Run on {f.get('date')}: {f.get('cpu')}, {f.get('cores')} cores, .NET SDK {f.get('dotnet')} "
           f"({f.get('build', 'Release')}), IdentityHost on {'MySQL (MariaDB ' + f.get('mariadb', '?') + ')' if db == 'mysql' else 'SQLite'}; "
           f"[oidc-provider](https://github.com/panva/node-oidc-provider) {f.get('peer_version')} on Node.js {f.get('peer_node')} "
           "with its in-memory adapter (`bench/peers/oidc-provider`); wrk on the same machine. Each scenario ran "
           f"{rounds} rounds of {f.get('seconds')} s on each server in turn (IdentityHost, oidc-provider, ...), after a "
           "5 s warm-up of each; latency is measured on both at one offered rate, 70% of the slower server's throughput. "
           "Only 2xx answers count. Ratio is IdentityHost's figure over oidc-provider's (above 1: IdentityHost has more throughput, or more "
           "latency, memory, start-up time).",
           "",
           "| Scenario | IdentityHost req/s (rounds) | oidc-provider req/s (rounds) | Ratio | Offered/s | IdentityHost p50 / p99 ms | oidc-provider p50 / p99 ms | Ratio p99 |",
           "|---|---:|---:|---:|---:|---:|---:|---:|"]
    labels = {"client_credentials": "client_credentials (RS256 JWT)", "refresh": "refresh_token (rotation, RS256 JWT + ID token)",
              "password": f"password grant (PBKDF2-HMAC-SHA512, {fmt(num('peer_hash_hash_iterations'))} iterations)"}
    for name in ("client_credentials", "refresh", "password"):
        ih, node = rps(name, "ih"), rps(name, "node")
        ih99, node99 = num(f"peer_{name}_ih_at70_p99_ms"), num(f"peer_{name}_node_at70_p99_ms")
        out.append(f"| {labels[name]} | {fmt(ih, 1)} ({each(name, 'ih')}) | {fmt(node, 1)} ({each(name, 'node')}) | "
                   f"{fmt(ratio(ih, node), 2)} | {fmt(num(f'peer_{name}_offered'))} | "
                   f"{fmt(num(f'peer_{name}_ih_at70_p50_ms'), 2)} / {fmt(ih99, 2)} | "
                   f"{fmt(num(f'peer_{name}_node_at70_p50_ms'), 2)} / {fmt(node99, 2)} | {fmt(ratio(ih99, node99), 2)} |")
    out.append("")
    out.append("| Measure | IdentityHost | oidc-provider | Ratio |")
    out.append("|---|---:|---:|---:|")
    for label, name, unit in (("Peak RSS over these scenarios (VmHWM)", "peak_rss_mb", " MB"),
                              ("RSS when ready", "ready_rss_mb", " MB"),
                              ("Start to ready (launch to the first 200 from discovery), existing data", "discovery_ms", " ms")):
        ih, node = num(f"peer_ih_{name}"), num(f"peer_node_{name}")
        out.append(f"| {label} | {fmt(ih)}{unit} | {fmt(node)}{unit} | {fmt(ratio(ih, node), 2)} |")
    out.append("")
    out.append("![IdentityHost against oidc-provider: throughput, latency, memory and start-up](bench-peers.svg)")
    return "\n".join(out) + "\n"


def render_cluster(f):
    def num(name):
        value = f.get(name)
        return float(value) if value not in (None, "") else None

    def fmt(value, digits=0):
        return "n/a" if value is None else f"{value:,.{digits}f}"

    out = [f"Run on {f.get('date')}: {f.get('cpu')}, {f.get('cores')} cores. Three identity server nodes behind HAProxy "
           "(round robin, checked on `/health/ready`), each on a 3-member MariaDB Galera cluster through a second HAProxy "
           "listener (`balance first` with the Galera-aware check, as `docker-compose.cluster.yml` runs them), every "
           "process on this one machine with wrk, so the cluster shares the same cores the single node had to itself. "
           "Single node: the same scenarios against one node on one MariaDB, earlier in the same run. Statements are "
           "counted on the member that takes the writes.",
           "",
           "| Scenario | Single node req/s | Cluster req/s | Cluster / single | Single p99 ms at 70% | Cluster p99 ms at 70% | Cluster statements per request |",
           "|---|---:|---:|---:|---:|---:|---:|"]
    for label, name in (("password grant", "password"), ("registration", "register"),
                        ("client_credentials (RS256)", "client_credentials"), ("refresh_token", "refresh")):
        single, cluster = num(f"{name}_rps"), num(f"cluster_{name}_rps")
        share = None if single in (None, 0) or cluster is None else cluster / single
        out.append(f"| {label} | {fmt(single, 1)} | {fmt(cluster, 1)} | {fmt(share, 2)} | {fmt(num(f'{name}_at70_p99_ms'), 1)} | "
                   f"{fmt(num(f'cluster_{name}_at70_p99_ms'), 1)} | {fmt(num(f'cluster_{name}_queries'), 1)} |")
    return "\n".join(out) + "\n"


def replace_between(text, begin, end, content):
    start, stop = text.index(begin) + len(begin), text.index(end)
    return text[:start] + "\n" + content + text[stop:]


def main():
    figures = load(sys.argv[1])
    # Note: a --peers-only run has none of the main figures, and leaves the main tables as they are.
    has_main = "server_peak_rss_mb" in figures
    has_peers = "peer_rounds" in figures
    has_cluster = "cluster_members" in figures
    parts = ([render(figures)] if has_main else []) + (["### Against oidc-provider\n\n" + render_peers(figures)] if has_peers else []) \
        + (["### On a 3-node Galera cluster\n\n" + render_cluster(figures)] if has_cluster else [])
    if len(sys.argv) == 4 and sys.argv[2] == "--update":
        with open(sys.argv[3], encoding="utf-8") as document:
            text = document.read()
        if has_main:
            text = replace_between(text, BEGIN, END, render(figures))
        if has_peers:
            text = replace_between(text, PEERS_BEGIN, PEERS_END, render_peers(figures))
        if has_cluster:
            if CLUSTER_BEGIN not in text:
                text += f"\n## On a 3-node Galera cluster\n\n{CLUSTER_BEGIN}\n{CLUSTER_END}\n"
            text = replace_between(text, CLUSTER_BEGIN, CLUSTER_END, render_cluster(figures))
        with open(sys.argv[3], "w", encoding="utf-8") as document:
            document.write(text)
    else:
        sys.stdout.write("\n".join(parts))


if __name__ == "__main__":
    main()
