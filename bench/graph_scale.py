"""Time and peak memory of the graph computations (interactions, influence, communities, bridges,
exposure: the dbt models tagged `graph` and the marts built on them) over N posts (default 10M).

The demo year's marts (fct_posts, fct_post_topics, dim_authors) are repeated into a scratch
warehouse with new post keys, author keys and handles per copy, so each copy is its own
conversation with its own accounts (the graph grows like a bigger country would, not denser). Then
`dbt build` runs the graph models as the pipeline does: once over the whole year (first build), and
once over one day (the daily incremental run). Each build is its own process; its peak memory is
the process's high-water mark (os.wait4), DuckDB included.

    .venv/bin/python bench/graph_scale.py --from-home data --posts 10000000
"""
import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SELECT = ["tag:graph", "marts.graph"]
KEYS = ["post_key", "author_key", "parent_post_key", "parent_author_key", "shared_post_key", "shared_author_key",
        "quoted_post_key", "quoted_author_key"]


def build(source: Path, target: Path, posts: int) -> tuple[int, int]:
    """Scratch warehouse with ``posts`` posts repeated from ``source``; returns (posts, authors)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    with duckdb.connect(str(target)) as con:
        con.execute(f"attach '{source}' as src (read_only)")
        base = con.execute("select count(*) from src.marts.fct_posts").fetchone()[0]
        copies = math.ceil(posts / base)
        con.execute("create schema marts; create schema intermediate")
        suffixed = ", ".join(f"p.{k} || '~' || c.i as {k}" for k in KEYS)
        con.execute(f"""
            create table marts.fct_posts as
            select p.* replace ({suffixed},
                                list_transform(p.mentions, lambda m: m || '~' || c.i) as mentions)
            from src.marts.fct_posts as p, range({copies}) as c(i)
            order by c.i, p.created_at
            limit {posts}""")
        con.execute(f"""
            create table marts.fct_post_topics as
            select t.* replace (t.post_key || '~' || c.i as post_key)
            from src.marts.fct_post_topics as t, range({copies}) as c(i)
            semi join marts.fct_posts as p on p.post_key = t.post_key || '~' || c.i""")
        con.execute(f"""
            create table marts.dim_authors as
            select a.* replace (a.author_key || '~' || c.i as author_key, a.handle || '~' || c.i as handle)
            from src.marts.dim_authors as a, range({copies}) as c(i)""")
        return (con.execute("select count(*) from marts.fct_posts").fetchone()[0],
                con.execute("select count(*) from marts.dim_authors").fetchone()[0])


def dbt_build(home: Path, extra: list[str]) -> dict:
    """One `dbt build` of the graph models in its own process: wall time, peak memory, per model."""
    with tempfile.TemporaryDirectory() as target:
        cmd = [str(BIN / "dbt"), "build", "--select", *SELECT, "--target-path", target, "--quiet",
               "--project-dir", str(REPO / "dbt_project"), "--profiles-dir", str(REPO / "dbt_project"), *extra]
        t = time.perf_counter()
        proc = subprocess.Popen(cmd, env=dict(os.environ, ESCUCHA_HOME=str(home)), stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
        out = proc.stdout.read() if proc.stdout else ""
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t
        if status != 0:
            raise SystemExit(out[-4000:])
        results = json.loads((Path(target) / "run_results.json").read_text())["results"]
    models = {r["unique_id"].split(".")[-1]: round(r["execution_time"], 2) for r in results
              if r["unique_id"].startswith("model.")}
    return {"seconds": round(wall, 2), "peak_rss_mb": round(usage.ru_maxrss / 1024, 1), "models": models}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--from-home", default=str(REPO / "data"), help="a data home with a built warehouse")
    ap.add_argument("--posts", type=int, default=10_000_000)
    ap.add_argument("--home", default=str(REPO / "data" / "bench-graph"))
    ap.add_argument("--day", default="2022-05-10", help="the day of the incremental build")
    args = ap.parse_args()
    home = Path(args.home)
    t = time.perf_counter()
    n, authors = build(Path(args.from_home) / "warehouse.duckdb", home / "warehouse.duckdb", args.posts)
    print(f"scratch warehouse: {n:,} posts, {authors:,} accounts in {time.perf_counter() - t:.1f} s", flush=True)
    runs = {}
    for name, extra in (("graph full year", ["--full-refresh"]),
                        ("graph one day", ["--vars", json.dumps({"min_date": args.day, "max_date": args.day})])):
        r = runs[name] = dbt_build(home, extra)
        print(f"{name:<18} {r['seconds']:8.1f} s  peak {r['peak_rss_mb']:8.1f} MB  "
              f"{round(n / r['seconds']):>10,} posts/s", flush=True)
        for model, secs in sorted(r["models"].items(), key=lambda kv: -kv[1]):
            print(f"    {model:<36} {secs:8.2f} s")
    dest = REPO / "bench" / "results"
    dest.mkdir(exist_ok=True)
    (dest / f"graph-{n}.json").write_text(json.dumps({"posts": n, "accounts": authors, "runs": runs}, indent=2))


if __name__ == "__main__":
    main()
