"""`make bench`: the pipeline at 1M and 10M posts, stage by stage, against bare DuckDB and pandas.

For each size N (``--sizes``, default 1M and 10M): generate about N posts over a year, then time
  * the full year from raw exports to reports in one run (`escucha run`: archive and parse every
    export, land, gate, build the warehouse, render the reports), over every day but the last;
  * a one-day incremental run (the last day lands, every model and report is brought up to date; the
    running month's and quarter's graphs follow their cadence, every 7 days of data, so they wait);
  * the same day again with the graphs refreshed (`--refresh-graphs`: a day when the cadence is due);
  * an ad-hoc inquiry over the whole year (`escucha inquire`, a question no topic defines);
  * a report render (`escucha report evolution` for all programmes over the year);
  * the floor: the same exports loaded and aggregated to topic-day counts by one bare DuckDB script;
  * the alternative: the same aggregation by a plain pandas script (stopped after --pandas-limit s).
Each stage is its own process tree; its peak memory is the largest sum of the tree's resident
memory, sampled every 0.1 s. Prints wall time, peak memory and posts per second per stage, the
ratios, and writes bench/results/bench-<posts>.json. The quality benches (topics, graph,
demographics, sentiment, alerts and events) then run on the smallest size's warehouse.

    .venv/bin/python bench/run.py [--sizes 1000000,10000000] [--home data/bench] [--reuse-exports]
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

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate_posts import generate_posts  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
START, END = date(2021, 11, 1), date(2022, 10, 31)
# a crisis question no topic defines: phrases, NEAR, a wildcard, a hashtag, NOT
INQUIRY = ('((derrame OR crudo) NEAR/5 (mar OR playa* OR ventanilla)) OR #DerrameDePetróleo '
           'OR "mancha de petróleo" NOT simulacro')
QUALITY = [["topic_quality.py"], ["graph_quality.py", "--no-sensitivity"], ["demographics_quality.py"],
           ["sentiment_quality.py"], ["alerts_quality.py"]]


def tree_rss(proc: psutil.Process) -> tuple[int, list[tuple[int, str]]]:
    """Resident memory of a process and all its descendants, in bytes, and each member's
    (rss, short command line)."""
    members = []
    for p in [proc, *proc.children(recursive=True)]:
        try:
            members.append((p.memory_info().rss, " ".join(p.cmdline()[:4])[-120:]))
        except psutil.Error:
            pass
    return sum(rss for rss, _ in members), members


def stage(name: str, cmd: list[str], env: dict, posts: int | None = None, limit: float | None = None) -> dict:
    """Run one stage as its own process tree; wall time, sampled peak memory, posts per second."""
    t = time.perf_counter()
    log = open(Path(env["BENCH_LOGS"]) / f"{name.split(':')[0].replace(' ', '_')}.log", "w")
    proc = subprocess.Popen(cmd, env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    watched, peak, stopped = psutil.Process(proc.pid), 0, False
    # the tree's memory over time (one line a second) and who held it at the peak, beside the log:
    # a stage's peak can then be put on one of its steps
    timeline = open(Path(log.name).with_suffix(".rss.tsv"), "w")
    last_line, at_peak = -1.0, []
    while proc.poll() is None:
        total, members = tree_rss(watched)
        if total > peak:
            peak, at_peak = total, members
        now = time.perf_counter() - t
        if now - last_line >= 1.0:
            top = max(members, default=(0, ""))
            timeline.write(f"{now:.1f}\t{total / 2**20:.0f}\t{top[0] / 2**20:.0f}\t{top[1]}\n")
            last_line = now
        if limit and time.perf_counter() - t > limit:
            for p in [*watched.children(recursive=True), watched]:
                p.kill()
            proc.wait()
            stopped = True
            break
        time.sleep(0.1)
    wall = time.perf_counter() - t
    log.close()
    timeline.close()
    if proc.returncode != 0 and not stopped:
        print(Path(log.name).read_text()[-3000:])
        raise SystemExit(f"stage {name} failed (log: {log.name})")
    result = {"stage": name, "seconds": round(wall, 2), "peak_rss_mb": round(peak / 2**20, 1),
              "stopped_after_limit": stopped,
              "peak_processes": [{"rss_mb": round(rss / 2**20, 1), "command": cmd}
                                 for rss, cmd in sorted(at_peak, reverse=True)[:3]]}
    if posts:
        result["posts_per_second"] = round(posts / wall)
    shown = f"> {limit:.0f} s (stopped)" if stopped else f"{wall:8.2f} s"
    print(f"  {name:<34} {shown:>10}  peak {result['peak_rss_mb']:8.1f} MB"
          + (f"  {result['posts_per_second']:>10,} posts/s" if posts else ""), flush=True)
    return result


def bench_size(n: int, root: Path, pandas_limit: float, reuse: bool = False, floor_runs: int = 2) -> dict:
    home = root / f"n{n}"
    logs = home / "logs"
    env = dict(os.environ, ESCUCHA_HOME=str(home), BENCH_LOGS=str(logs))
    escucha = str(BIN / "escucha")
    for sub in ("warehouse.duckdb", "warehouse.duckdb.wal", "lake", "archive", "inbox", "reports", "dagster",
                "topics", "alerts", "logs"):
        subprocess.run(["rm", "-rf", str(home / sub)], check=True)
    logs.mkdir(parents=True)
    print(f"\n== {n:,} posts ({home})", flush=True)
    gen = ("import json, sys; from datetime import date; from pathlib import Path; "
           "sys.path.insert(0, 'bench'); from generate_posts import generate_posts; "
           f"s = generate_posts(Path({str(home / 'demo')!r}), {n}, date.fromisoformat('{START}'), "
           f"date.fromisoformat('{END}')); Path({str(home / 'generated.json')!r}).write_text(json.dumps(s))")
    generated = home / "generated.json"
    if reuse and generated.exists() and json.loads(generated.read_text()).get("target_posts") == n:
        # the generator is deterministic: the same N gives the same exports, so they can be kept
        print(f"  {'generate':<34} reused: {home / 'demo'} (generated earlier for {n:,} posts)", flush=True)
        results = [{"stage": "generate", "reused": True}]
    else:
        results = [stage("generate", [sys.executable, "-c", gen], env)]
        record = json.loads(generated.read_text())
        generated.write_text(json.dumps(record | {"target_posts": n}))
    posts = json.loads(generated.read_text())["posts_total"]
    exports = home / "demo" / "exports"
    # the exports arrive in the inbox as hard links (the archive moves them away; the floors read
    # the originals): no second copy of 10M posts on disk
    (home / "inbox").mkdir(parents=True, exist_ok=True)
    for f in sorted(p for p in exports.rglob("*") if p.is_file()):
        os.link(f, home / "inbox" / f.name)
    last = END
    results.append(stage("full year, raw exports to reports", [escucha, "--home", str(home), "run", "--from",
                                                               str(START), "--to", str(last - timedelta(days=1))],
                         env, posts))
    results.append(stage("one-day incremental run", [escucha, "--home", str(home), "run", "--from", str(last),
                                                     "--to", str(last)], env))
    results.append(stage("one-day run, graphs refreshed", [escucha, "--home", str(home), "run", "--from", str(last),
                                                           "--to", str(last), "--refresh-graphs"], env))
    results.append(stage("inquiry over the whole year", [escucha, "--home", str(home), "inquire", INQUIRY,
                                                         "--by", "week", "--json"], env, posts))
    results.append(stage("report render", [escucha, "--home", str(home), "report", "evolution", "--period",
                                           str(START.year + 1), "--out", str(home / "bench_report")], env))
    config = str(REPO / "config" / "programmes.yaml")
    # the floor is the best of a few runs: the same script on the same files varied by a third
    # between bench runs (75 to 103 s at 10M), and the ratio to it should not move with that
    floors = [stage("floor: bare DuckDB script" + (f" (run {i + 1})" if floor_runs > 1 else ""),
                    [sys.executable, "bench/floor_duckdb.py", str(exports), config], env, posts)
              for i in range(floor_runs)]
    floor = min(floors, key=lambda r: r["seconds"]) | {"stage": "floor: bare DuckDB script",
                                                       "runs_seconds": [r["seconds"] for r in floors]}
    pandas = stage("alternative: pandas script", [sys.executable, "bench/floor_pandas.py", str(exports), config],
                   env, posts, limit=pandas_limit)
    results += [floor, pandas]
    full = results[1]["seconds"]
    over_floor = full / floor["seconds"]
    pandas_ratio = pandas["seconds"] / floor["seconds"]
    print(f"  posts: {posts:,}; full year / DuckDB floor = {over_floor:.1f}x; "
          f"pandas / DuckDB floor = {'>' if pandas['stopped_after_limit'] else ''}{pandas_ratio:.1f}x; "
          f"peak memory {max(r['peak_rss_mb'] for r in results[1:5]):,.0f} MB", flush=True)
    out = REPO / "bench" / "results"
    out.mkdir(exist_ok=True)
    record = {"posts": posts, "target_posts": n, "stages": results, "full_year_over_floor": round(over_floor, 2),
              "pandas_over_floor": round(pandas_ratio, 2), "pandas_stopped": pandas["stopped_after_limit"],
              "home": str(home)}
    path = out / f"bench-{posts}.json"
    path.write_text(json.dumps(record, indent=2))
    print(f"  written {path}")
    return record


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default=os.environ.get("BENCH_SIZES", "1000000,10000000"),
                    help="posts per size, comma-separated")
    ap.add_argument("--home", default=str(REPO / "data" / "bench"))
    ap.add_argument("--pandas-limit", type=float, default=1800.0,
                    help="seconds after which the pandas alternative is stopped (reported as a lower bound)")
    ap.add_argument("--no-quality", action="store_true", help="skip the quality benches")
    ap.add_argument("--floor-runs", type=int, default=2,
                    help="times the bare DuckDB floor runs; the fastest is the floor")
    ap.add_argument("--reuse-exports", action="store_true",
                    help="keep a size's exports generated by an earlier bench run instead of generating them again")
    args = ap.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    records = [bench_size(n, Path(args.home), args.pandas_limit, args.reuse_exports, args.floor_runs)
               for n in sizes]
    if len(records) > 1:
        a, b = records[0], records[-1]
        growth = b["posts"] / a["posts"]
        peak = {r["posts"]: max(s["peak_rss_mb"] for s in r["stages"][1:5]) for r in (a, b)}
        print(f"\npeak memory {peak[a['posts']]:,.0f} MB -> {peak[b['posts']]:,.0f} MB for {growth:.1f}x the posts "
              f"({peak[b['posts']] / peak[a['posts']]:.1f}x)")
    if not args.no_quality:
        env = dict(os.environ, ESCUCHA_HOME=records[0]["home"])
        for script, *flags in QUALITY:
            subprocess.run([sys.executable, f"bench/{script}", "--home", records[0]["home"], *flags], env=env,
                           check=True)


if __name__ == "__main__":
    main()
