#!/usr/bin/env python3
"""Turns the JSON lines of one benchmark run into a Markdown table with the
ratios Vindplaats/peer and an SVG chart of latency percentiles and queries
per second. Usage: summarize.py RESULTS.json OUTPUT_PREFIX"""
import json
import sys


def load(path):
    rows = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                rows.append(json.loads(line))
    return rows


def pick(rows, system, what, threads=None):
    for r in rows:
        if r.get("system") == system and r.get("what") == what and \
                (threads is None or r.get("threads") == threads):
            return r
    return None


def fmt(v, digits=1):
    return "-" if v is None else f"{v:.{digits}f}"


def ratio(a, b):
    return "-" if not a or not b else f"{a / b:.2f}"


def main():
    rows = load(sys.argv[1])
    prefix = sys.argv[2]
    label = rows[0]["label"] if rows else "?"
    systems = [("vindplaats-engine", "Vindplaats (engine, in process)"),
               ("xapian-raw", "plain Xapian (the floor)"),
               ("sqlite-fts5", "SQLite FTS5"),
               ("postgres-fts", "PostgreSQL FTS")]
    index_sys = {"vindplaats-engine": "vindplaats", "xapian-raw": "xapian-raw", "sqlite-fts5": "sqlite-fts5",
                 "postgres-fts": "postgres-fts"}
    out = [f"# Benchmark {label}", "",
           "Same corpus, same 2,000-query mix, same machine, same run.", "",
           "| system | index offerings/s | index size MB | threads | p50 ms | p95 ms | p99 ms | queries/s |",
           "|---|---|---|---|---|---|---|---|"]
    for sid, name in systems:
        idx = pick(rows, index_sys[sid], "index")
        for t in (1, 2):
            s = pick(rows, sid, "search", t)
            if not s:
                continue
            out.append(f"| {name} | {fmt(idx and idx.get('per_second'), 0)} | "
                       f"{fmt(idx and idx.get('size_mb'), 0)} | {t} | {fmt(s['p50_ms'], 2)} | "
                       f"{fmt(s['p95_ms'], 2)} | {fmt(s['p99_ms'], 2)} | {fmt(s['qps'], 0)} |")
    oai = pick(rows, "vindplaats", "harvest-oai")
    if oai:
        out += ["", f"Indexing through the OAI-PMH connector over loopback (oai_dc, pages of 500): "
                    f"{fmt(oai.get('per_second'), 0)} records/s (bench/harvest.sh)."]
    http = pick(rows, "vindplaats-http", "search")
    sugg_http = pick(rows, "vindplaats-http", "suggest")
    mem = pick(rows, "vindplaats-http", "memory")
    sugg = pick(rows, "vindplaats-engine", "suggest", 2)
    out += ["", "Over HTTP (`vindplaats-server`, 2 worker threads, wrk with 32 connections on the same 2 cores):", "",
            "| what | requests/s | p50 ms | p90 ms | p99 ms | non-2xx |", "|---|---|---|---|---|---|"]
    for name, r in (("search mix", http), ("suggest mix", sugg_http)):
        if r:
            out.append(f"| {name} | {fmt(r['qps'], 0)} | {fmt(r['p50_ms'], 2)} | {fmt(r['p90_ms'], 2)} | "
                       f"{fmt(r['p99_ms'], 2)} | {r['non2xx']} |")
    # The Zipfian mix (bench-engine --zipf 1 --draws 10000): the uncached
    # path and the answer cache, from empty, measured apart.
    zrows = []
    for name, sysid, what in (("engine, uncached", "vindplaats-engine", "search-zipf"),
                              ("engine, answer cache", "vindplaats-engine", "search-zipf-cached"),
                              ("HTTP, uncached", "vindplaats-http", "search-zipf"),
                              ("HTTP, answer cache", "vindplaats-http", "search-zipf-cached")):
        r = pick(rows, sysid, what, 2 if sysid == "vindplaats-engine" else None)
        counts = pick(rows, "vindplaats-http", "answer-cache")
        if r and sysid == "vindplaats-http" and what.endswith("-cached") and counts and \
                counts["hits"] + counts["misses"]:
            r = dict(r, hit_percent=100.0 * counts["hits"] / (counts["hits"] + counts["misses"]))
        if r:
            hits = f"{r['hit_percent']:.1f}%" if "hit_percent" in r else "-"
            zrows.append(f"| {name} | {fmt(r['qps'], 0)} | {fmt(r['p50_ms'], 3)} | "
                         f"{fmt(r['p99_ms'], 2)} | {hits} |")
    if zrows:
        out += ["", "Zipfian mix (10,000 draws from the mix, s = 1; engine at 2 threads, HTTP at 32 "
                    "connections), without and with the answer cache:", "",
                "| path | queries/s | p50 ms | p99 ms | cache hits |", "|---|---|---|---|---|"] + zrows
    if sugg:
        out += ["", f"Suggest in process (2 threads): p50 {fmt(sugg['p50_ms'], 3)} ms, "
                    f"p99 {fmt(sugg['p99_ms'], 3)} ms, {fmt(sugg['qps'], 0)}/s."]
    if mem:
        out += ["", f"Server peak resident memory under load: {mem['peak_rss_mb']} MB."]
    vidx = pick(rows, "vindplaats", "index")
    out += ["", "Ratios Vindplaats / peer at 1 and 2 threads (above 1 is better for queries/s and "
                "indexing, below 1 is better for latency). Indexing at 2 threads: Vindplaats "
                "`load --shards 2` against plain Xapian's 2 writer threads into 2 shards:", "",
            "| peer | threads | queries/s | p50 | p99 | indexing rate |", "|---|---|---|---|---|---|"]
    index2 = {"xapian-raw": "xapian-raw-threads-2"}
    for sid, name in systems[1:]:
        pidx = pick(rows, sid, "index")
        for t in (1, 2):
            v = pick(rows, "vindplaats-engine", "search", t)
            p = pick(rows, sid, "search", t)
            if not p:
                continue
            vi = vidx if t == 1 else pick(rows, "vindplaats-shards-2", "index")
            pi = pidx if t == 1 else pick(rows, index2.get(sid, ""), "index")
            out.append(f"| {name} | {t} | {ratio(v and v['qps'], p['qps'])} | "
                       f"{ratio(v and v['p50_ms'], p['p50_ms'])} | {ratio(v and v['p99_ms'], p['p99_ms'])} | "
                       f"{ratio(vi and vi['per_second'], pi and pi['per_second'])} |")
    for sid, name in (("vindplaats-shards-2", "Vindplaats `load --shards 2`"),
                      ("xapian-raw-threads-2", "plain Xapian, 2 writer threads")):
        r = pick(rows, sid, "index")
        one = pick(rows, "vindplaats" if sid.startswith("vindplaats") else "xapian-raw", "index")
        if r:
            out.append("")
            out.append(f"{name}: {fmt(r.get('per_second'), 0)} offerings/s, "
                       f"{ratio(r.get('per_second'), one and one.get('per_second'))}x one writer.")
    with open(prefix + ".md", "w") as f:
        f.write("\n".join(out) + "\n")
    print("\n".join(out))

    # SVG: two panels, latency percentiles (log scale) and queries per second.
    bars = []
    for sid, name in systems:
        s = pick(rows, sid, "search", 2)
        if s:
            bars.append((name.split(" (")[0], s["p50_ms"], s["p95_ms"], s["p99_ms"], s["qps"]))
    if http:
        bars.append(("Vindplaats HTTP", http["p50_ms"], http["p90_ms"], http["p99_ms"], http["qps"]))
    import math
    w, h, pad = 760, 320, 50
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="11">',
           f'<text x="{pad}" y="18" font-size="14">Benchmark {label}: latency (ms, log scale) and queries/s, 2 threads</text>']
    colors = ["#1b6ca8", "#6aa84f", "#cc4125"]
    panel = (w - 3 * pad) / 2
    maxlat = max([b[3] for b in bars] + [1])
    top = math.log10(maxlat * 2)
    bottom = math.log10(0.05)
    for i, b in enumerate(bars):
        gx = pad + i * panel / max(len(bars), 1)
        gw = panel / max(len(bars), 1) * 0.8
        for k in range(3):
            v = max(b[1 + k], 0.05)
            bh = (math.log10(v) - bottom) / (top - bottom) * (h - 2 * pad)
            x = gx + k * gw / 3
            svg.append(f'<rect x="{x:.1f}" y="{h - pad - bh:.1f}" width="{gw / 3 - 2:.1f}" height="{bh:.1f}" fill="{colors[k]}"/>')
            svg.append(f'<text x="{x:.1f}" y="{h - pad - bh - 3:.1f}" font-size="9">{b[1 + k]:.1f}</text>')
        svg.append(f'<text x="{gx:.1f}" y="{h - pad + 14}" font-size="10">{b[0]}</text>')
    maxq = max([b[4] for b in bars] + [1])
    for i, b in enumerate(bars):
        gx = 2 * pad + panel + i * panel / max(len(bars), 1)
        gw = panel / max(len(bars), 1) * 0.6
        bh = b[4] / maxq * (h - 2 * pad)
        svg.append(f'<rect x="{gx:.1f}" y="{h - pad - bh:.1f}" width="{gw:.1f}" height="{bh:.1f}" fill="#674ea7"/>')
        svg.append(f'<text x="{gx:.1f}" y="{h - pad - bh - 3:.1f}" font-size="9">{b[4]:.0f}/s</text>')
        svg.append(f'<text x="{gx:.1f}" y="{h - pad + 14}" font-size="10">{b[0]}</text>')
    for k, name in enumerate(("p50", "p95/p90", "p99")):
        svg.append(f'<rect x="{pad + k * 80}" y="{h - 18}" width="10" height="10" fill="{colors[k]}"/>')
        svg.append(f'<text x="{pad + k * 80 + 14}" y="{h - 9}">{name}</text>')
    svg.append("</svg>")
    with open(prefix + ".svg", "w") as f:
        f.write("\n".join(svg) + "\n")


if __name__ == "__main__":
    main()
