"""Time `escucha inquire` over N posts (default 10M) without generating and loading N posts:
the posts of an existing warehouse (the demo year) are repeated, with new keys, into a scratch
warehouse that has the two tables an inquiry reads (intermediate.int_posts_searchable and
marts.fct_posts, plus marts.dim_authors). The inquiry itself runs exactly as an analyst runs it:
a fresh `escucha inquire` process on the read-only warehouse.

    .venv/bin/python bench/inquiry_scale.py --from-home data --posts 10000000
"""
import argparse
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
QUERIES = [
    '((derrame OR crudo) NEAR/5 (mar OR playa* OR ventanilla)) OR #DerrameDePetróleo OR "mancha de petróleo" NOT simulacro',
    'paro NEAR/3 (transportistas OR agricultores) OR #ParoNacional',
    'congres* AND (vacancia OR "cuestión de confianza") AND NOT @congresoperu',
]


def build(source: Path, target: Path, posts: int) -> int:
    """Scratch warehouse with ``posts`` posts repeated from ``source``; returns the row count."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    with duckdb.connect(str(target)) as con:
        con.execute(f"attach '{source}' as src (read_only)")
        base = con.execute("select count(*) from src.marts.fct_posts").fetchone()[0]
        copies = math.ceil(posts / base)
        con.execute("create schema intermediate; create schema marts")
        con.execute(f"""
            create table marts.fct_posts as
            select p.* replace (p.post_key || '~' || c.i as post_key)
            from src.marts.fct_posts as p, range({copies}) as c(i)
            limit {posts}""")
        con.execute(f"""
            create table intermediate.int_posts_searchable as
            select s.* replace (s.post_key || '~' || c.i as post_key)
            from src.intermediate.int_posts_searchable as s, range({copies}) as c(i)
            where s.post_key || '~' || c.i in (select post_key from marts.fct_posts)""")
        con.execute("create table marts.dim_authors as select * from src.marts.dim_authors")
        return con.execute("select count(*) from marts.fct_posts").fetchone()[0]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--from-home", default=str(REPO / "data"), help="a data home with a built warehouse")
    ap.add_argument("--posts", type=int, default=10_000_000)
    ap.add_argument("--home", default=str(REPO / "data" / "bench-inquiry"))
    args = ap.parse_args()
    home = Path(args.home)
    t = time.perf_counter()
    n = build(Path(args.from_home) / "warehouse.duckdb", home / "warehouse.duckdb", args.posts)
    print(f"scratch warehouse: {n:,} posts in {time.perf_counter() - t:.1f} s")
    results = []
    for q in QUERIES:
        t = time.perf_counter()
        proc = subprocess.run([str(BIN / "escucha"), "--home", str(home), "inquire", q, "--by", "week", "--json"],
                              capture_output=True, text=True, env=dict(os.environ, ESCUCHA_HOME=str(home)))
        wall = time.perf_counter() - t
        if proc.returncode != 0:
            raise SystemExit(proc.stderr)
        out = json.loads(proc.stdout)
        results.append({"query": q, "posts_matched": out["posts"], "query_seconds": out["seconds"],
                        "process_seconds": round(wall, 2)})
        print(f"inquiry over {n:,} posts: {out['posts']:>9,} matched, query {out['seconds']:.2f} s, "
              f"whole command {wall:.2f} s   {q}")
    dest = REPO / "bench" / "results"
    dest.mkdir(exist_ok=True)
    (dest / f"inquiry-{n}.json").write_text(json.dumps({"posts": n, "inquiries": results}, indent=2))


if __name__ == "__main__":
    main()
