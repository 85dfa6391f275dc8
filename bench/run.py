"""`make bench`: time each stage (wall, peak memory, posts/s) and compare with bare DuckDB and pandas.

Each stage runs as its own process so its peak memory is its own (os.wait4 rusage).
Usage: python bench/run.py [--posts-per-day N] [--days D]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def stage(name: str, cmd: list[str], env: dict, posts: int | None = None) -> dict:
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    out = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    if status != 0:
        print(out[-3000:])
        raise SystemExit(f"stage {name} failed")
    result = {"stage": name, "seconds": round(wall, 2), "peak_rss_mb": round(usage.ru_maxrss / 1024, 1)}
    if posts:
        result["posts_per_second"] = round(posts / wall)
    print(f"{name:<28} {wall:8.2f} s  peak {result['peak_rss_mb']:8.1f} MB"
          + (f"  {result['posts_per_second']:>10,} posts/s" if posts else ""), flush=True)
    return result


# a crisis question no topic defines: phrases, NEAR, a wildcard, a hashtag, NOT
INQUIRY = '((derrame OR crudo) NEAR/5 (mar OR playa* OR ventanilla)) OR #DerrameDePetróleo OR "mancha de petróleo" NOT simulacro'


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--posts-per-day", type=int, default=int(os.environ.get("BENCH_POSTS_PER_DAY", 600)))
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--home", default=str(REPO / "data" / "bench"))
    ap.add_argument("--inquiry-posts", type=int, default=10_000_000)
    ap.add_argument("--graph-posts", type=int, default=10_000_000)
    args = ap.parse_args()
    start = date(2021, 11, 1)
    end = start + timedelta(days=args.days - 1)
    env = dict(os.environ, ESCUCHA_HOME=args.home)
    escucha = str(BIN / "escucha")
    results = [stage("generate", [escucha, "--home", args.home, "generate", "--from", str(start),
                                  "--to", str(end), "--posts-per-day", str(args.posts_per_day)], env)]
    summary = json.loads((Path(args.home) / "demo" / "ground_truth" / "summary.json").read_text())
    posts = int(summary["posts_total"])
    exports = str(Path(args.home) / "demo" / "exports")
    config = str(REPO / "config" / "programmes.yaml")
    for sub in ("warehouse.duckdb", "lake", "archive", "inbox"):
        subprocess.run(["rm", "-rf", str(Path(args.home) / sub)], check=True)
    x_files = sorted(str(p) for p in (Path(exports) / "x").glob("*.jsonl"))
    x_posts = int(summary["posts_per_network"].get("x", 0)) if "posts_per_network" in summary else None
    results.append(stage("ingest X API v2 NDJSON", [escucha, "--home", args.home, "ingest", *x_files],
                         env, x_posts))
    results.append(stage("floor: bare DuckDB read_json", [sys.executable, "bench/read_json_floor.py",
                                                         *x_files], env, x_posts))
    copy = ("from pathlib import Path; from escucha.cli import copy_exports_to_inbox; "
            "from escucha.home import data_home; "
            f"copy_exports_to_inbox(Path({exports!r}), data_home({args.home!r}))")
    subprocess.run([sys.executable, "-c", copy], env=env, check=True)
    results.append(stage("pipeline full year (1 run)", [escucha, "--home", args.home, "run", "--from",
                                                        str(start), "--to", str(end)], env, posts))
    results.append(stage("pipeline one day", [escucha, "--home", args.home, "run", "--from", str(end),
                                              "--to", str(end)], env))
    results.append(stage("inquiry over the whole year", [escucha, "--home", args.home, "inquire", INQUIRY,
                                                         "--by", "week", "--json"], env, posts))
    floor = stage("floor: bare DuckDB script", [sys.executable, "bench/floor_duckdb.py", exports, config],
                  env, posts)
    pandas = stage("alternative: pandas script", [sys.executable, "bench/floor_pandas.py", exports, config],
                   env, posts)
    results += [floor, pandas]
    full = next(r for r in results if r["stage"].startswith("pipeline full year"))["seconds"]
    ingest = next(r for r in results if r["stage"] == "ingest X API v2 NDJSON")
    read = next(r for r in results if r["stage"] == "floor: bare DuckDB read_json")
    print(f"ingest X NDJSON: {ingest.get('posts_per_second', 0):,} posts/s "
          f"vs bare read_json {read.get('posts_per_second', 0):,} posts/s")
    print(f"posts: {posts:,}; pipeline / DuckDB floor = {full / floor['seconds']:.1f}x; "
          f"pandas / DuckDB floor = {pandas['seconds'] / floor['seconds']:.1f}x")
    # the inquiry over 10M posts (the bench warehouse's posts repeated) and the topic models against
    # the generator's ground truth (simulated analyst labels)
    subprocess.run([sys.executable, "bench/inquiry_scale.py", "--from-home", args.home, "--posts",
                    str(args.inquiry_posts), "--home", str(Path(args.home) / "inquiry")], env=env, check=True)
    subprocess.run([sys.executable, "bench/topic_quality.py", "--home", args.home], env=env, check=True)
    # the graph computations (interactions, influence, communities) over 10M posts: time and peak
    # memory of a whole-year build and of a one-day build; then their quality against the truth
    subprocess.run([sys.executable, "bench/graph_scale.py", "--from-home", args.home, "--posts",
                    str(args.graph_posts), "--home", str(Path(args.home) / "graph"),
                    "--day", str(end - timedelta(days=30))], env=env, check=True)
    subprocess.run([sys.executable, "bench/graph_quality.py", "--home", args.home, "--no-sensitivity"],
                   env=env, check=True)
    subprocess.run([sys.executable, "bench/demographics_quality.py", "--home", args.home], env=env, check=True)
    # sentiment against the demo truth (and TASS 2020 when ../shared has it); alerts, event effects
    # and changepoints against the planted events
    subprocess.run([sys.executable, "bench/sentiment_quality.py", "--home", args.home], env=env, check=True)
    subprocess.run([sys.executable, "bench/alerts_quality.py", "--home", args.home], env=env, check=True)
    out = REPO / "bench" / "results"
    out.mkdir(exist_ok=True)
    path = out / f"bench-{posts}.json"
    path.write_text(json.dumps({"posts": posts, "stages": results}, indent=2))
    print(f"written {path}")


if __name__ == "__main__":
    main()
