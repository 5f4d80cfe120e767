#!/usr/bin/env python3
"""Draws scripts/bench.sh --peers's comparison as one SVG (Python's standard library only).

    chart.py figures.txt out.svg

Top row: throughput of each scenario (mean of the rounds), then peak RSS. Bottom row: p50 and p99 latency of each
scenario at one offered rate for both servers (70% of the slower one's throughput), then start to ready.
"""
import sys
from html import escape

SCENARIOS = [("client_credentials", "client_credentials"), ("refresh", "refresh_token"), ("password", "password grant")]
SIDES = [("ih", "IdentityHost", "#3366cc"), ("node", "oidc-provider", "#e07b00")]
WIDTH, HEIGHT = 1040, 560
PANEL_W, PANEL_H = 210, 170
LEFT, TOP, GAP_X, GAP_Y = 60, 80, 35, 95


def load(path):
    figures = {}
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            if "=" in line:
                name, value = line.rstrip("\n").split("=", 1)
                figures[name] = value
    return figures


def number(figures, name):
    value = figures.get(name)
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def mean_rps(figures, name, side):
    rounds = int(number(figures, "peer_rounds") or 0)
    values = [number(figures, f"peer_{name}_{side}_{r}_rps") for r in range(1, rounds + 1)]
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None


def nice_top(value):
    if not value or value <= 0:
        return 1
    magnitude = 10 ** len(str(int(value))) / 10
    for step in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if step * magnitude >= value:
            return step * magnitude
    return value


def label(value):
    if value is None:
        return "n/a"
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def panel(out, x, y, title, unit, groups, series):
    """groups: [(group label, [value per series])]; series: [(name, colour)]."""
    values = [v for _, vs in groups for v in vs if v is not None]
    top = nice_top(max(values) if values else 1)
    out.append(f'<text x="{x + PANEL_W / 2}" y="{y - 22}" class="title">{escape(title)}</text>')
    out.append(f'<text x="{x + PANEL_W / 2}" y="{y - 8}" class="unit">{escape(unit)}</text>')
    for tick in range(5):
        ty = y + PANEL_H - PANEL_H * tick / 4
        out.append(f'<line x1="{x}" y1="{ty:.1f}" x2="{x + PANEL_W}" y2="{ty:.1f}" class="grid"/>')
        out.append(f'<text x="{x - 4}" y="{ty + 3:.1f}" class="tick">{label(top * tick / 4)}</text>')
    group_w = PANEL_W / len(groups)
    bar_w = min(34, (group_w - 12) / len(series))
    for g, (group_label, vs) in enumerate(groups):
        gx = x + g * group_w + (group_w - bar_w * len(series)) / 2
        for s, value in enumerate(vs):
            bx = gx + s * bar_w
            h = 0 if value is None else PANEL_H * value / top
            out.append(f'<rect x="{bx:.1f}" y="{y + PANEL_H - h:.1f}" width="{bar_w - 2:.1f}" height="{h:.1f}" '
                       f'fill="{series[s][1]}"><title>{escape(series[s][0])}: {label(value)} {escape(unit)}</title></rect>')
            out.append(f'<text x="{bx + bar_w / 2 - 1:.1f}" y="{y + PANEL_H - h - 3:.1f}" class="value">{label(value)}</text>')
        if group_label:
            out.append(f'<text x="{x + g * group_w + group_w / 2:.1f}" y="{y + PANEL_H + 14}" class="group">{escape(group_label)}</text>')
    out.append(f'<line x1="{x}" y1="{y + PANEL_H}" x2="{x + PANEL_W}" y2="{y + PANEL_H}" class="axis"/>')


def render(figures):
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" '
           'font-family="sans-serif">',
           '<style>.title{font-size:13px;font-weight:bold;text-anchor:middle}.unit{font-size:11px;fill:#555;text-anchor:middle}'
           '.tick{font-size:10px;fill:#555;text-anchor:end}.value{font-size:10px;text-anchor:middle}'
           '.group{font-size:11px;text-anchor:middle}.grid{stroke:#ddd;stroke-width:1}.axis{stroke:#333;stroke-width:1}'
           '.head{font-size:15px;font-weight:bold}.note{font-size:11px;fill:#444}</style>',
           f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>']
    out.append(f'<text x="{LEFT - 40}" y="24" class="head">IdentityHost against oidc-provider '
               f'{escape(figures.get("peer_version", "?"))} (Node.js {escape(figures.get("peer_node", "?"))}, in memory), '
               f'{escape(figures.get("cores", "?"))} cores, database {escape(figures.get("database", "?"))}, '
               f'{escape(figures.get("date", ""))}</text>')
    legend_x = LEFT - 40
    for i, (_, name, colour) in enumerate(SIDES):
        out.append(f'<rect x="{legend_x + i * 150}" y="36" width="12" height="12" fill="{colour}"/>')
        out.append(f'<text x="{legend_x + i * 150 + 17}" y="46" class="note">{escape(name)}</text>')
    series = [(name, colour) for _, name, colour in SIDES]
    for i, (name, title) in enumerate(SCENARIOS):
        x = LEFT + i * (PANEL_W + GAP_X)
        panel(out, x, TOP, title, "requests/s, mean of the rounds",
              [("", [mean_rps(figures, name, side) for side, _, _ in SIDES])], series)
        offered = number(figures, f"peer_{name}_offered")
        panel(out, x, TOP + PANEL_H + GAP_Y, title, f"ms at {label(offered)}/s offered to both",
              [("p50", [number(figures, f"peer_{name}_{side}_at70_p50_ms") for side, _, _ in SIDES]),
               ("p99", [number(figures, f"peer_{name}_{side}_at70_p99_ms") for side, _, _ in SIDES])], series)
    x = LEFT + 3 * (PANEL_W + GAP_X)
    panel(out, x, TOP, "peak RSS under the load", "MB (VmHWM)",
          [("", [number(figures, f"peer_{side}_peak_rss_mb") for side, _, _ in SIDES])], series)
    panel(out, x, TOP + PANEL_H + GAP_Y, "start to ready", "ms, launch to discovery 200",
          [("", [number(figures, f"peer_{side}_discovery_ms") for side, _, _ in SIDES])], series)
    out.append(f'<text x="{LEFT - 40}" y="{HEIGHT - 12}" class="note">Both servers and wrk share the machine; each '
               'throughput figure is the mean of rounds run in turn (IdentityHost, peer, ...). Drawn by bench/chart.py '
               'from artifacts/bench/figures.txt.</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    with open(sys.argv[2], "w", encoding="utf-8") as svg:
        svg.write(render(load(sys.argv[1])))


if __name__ == "__main__":
    main()
