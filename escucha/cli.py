"""The `escucha` command: generate demo data, run the pipeline, query the warehouse, open the UI."""
from __future__ import annotations

import argparse
import csv
import os
import shutil
import signal
import subprocess
import sys
from datetime import date
from pathlib import Path

from escucha.home import DataHome, data_home
from escucha.plain_text import escaped_controls
from escucha.processes import skip_final_collection

DEMO_START = date(2021, 11, 1)
DEMO_END = date(2022, 10, 31)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from exc


def cmd_generate(args: argparse.Namespace, home: DataHome) -> int:
    """Write the demo year's exports and ground truth under <home>/demo."""
    from escucha.demo.generator import generate

    out = Path(args.out) if args.out else home.demo  # the generator replaces only its own files
    summary = generate(out, start=args.start, end=args.end, posts_per_day=args.posts_per_day,
                       seed=args.seed)
    print(f"generated {summary['posts_total']} posts "
          f"from {args.start} to {args.end} into {out}")
    return 0


def copy_exports_to_inbox(exports: Path, home: DataHome) -> int:
    """Drop every export file into the inbox (the same path a user's files take)."""
    home.ensure()
    n = 0
    for f in sorted(p for p in exports.rglob("*") if p.is_file()):
        shutil.copy2(f, home.inbox / f.name)
        n += 1
    return n


def ingest_mapped_exports(folder: Path, home: DataHome) -> None:
    """Archive exports that need a mapping file: `<name>.mapping.yaml` reads every `<name>*` beside it."""
    from escucha.landing import archive_file

    for mapping in sorted(folder.glob("*.mapping.yaml")):
        prefix = mapping.name.removesuffix(".mapping.yaml")
        for export in sorted(p for p in folder.iterdir() if p.name.startswith(prefix) and p != mapping):
            dest = home.inbox / export.name
            shutil.copy2(export, dest)
            result = archive_file(home, dest, fmt="mapping", mapping=mapping)
            print(f"{result.status}: {export.name} through {mapping.name} ({result.rows_in} rows in)")


def _window_from_archive(home: DataHome) -> tuple[date, date] | None:
    from escucha.landing import manifests

    found = [m for m in manifests(home) if m.get("min_day")]
    if not found:
        return None
    return (date.fromisoformat(min(m["min_day"] for m in found)),
            date.fromisoformat(max(m["max_day"] for m in found)))


def cmd_run(args: argparse.Namespace, home: DataHome) -> int:
    """Archive the inbox, then land, check and model the window in one Dagster run."""
    from escucha.landing import archive_inbox
    from orchestration.run import run_pipeline

    for f in archive_inbox(home.ensure()):
        if f.status == "rejected":
            print(f"rejected: {f.error}", file=sys.stderr)
        else:
            print(f"{f.status}: {f.original_name} ({f.rows_in} rows in, {f.rows_parsed} parsed, "
                  f"{f.rows_quarantined} quarantined)")
    window = _window_from_archive(home)
    start = args.start or (window[0] if window else None)
    end = args.end or (window[1] if window else None)
    if start is None or end is None:
        print("nothing to run: the archive is empty and no --from/--to was given", file=sys.stderr)
        return 1
    if end < start:
        print(f"--to {end} is before --from {start}", file=sys.stderr)
        return 2
    print(f"running the pipeline for {start}..{end} (one run)")
    outcome = run_pipeline(home, start, end, full_refresh=getattr(args, "full_refresh", False),
                           refresh_graphs=getattr(args, "refresh_graphs", False))
    failed = {k: v for k, v in outcome.checks.items() if not v}
    for name in failed:
        kind = "warning" if outcome.check_severities.get(name) == "WARN" else "check failed"
        print(f"{kind}: {name} did not pass {outcome.check_descriptions.get(name, '')}".rstrip(),
              file=sys.stderr)
    skipped = [s for s, state in outcome.steps.items() if state != "success"]
    if not outcome.success:
        print(f"run {outcome.run_id} failed; steps not completed: {', '.join(skipped) or 'none'}",
              file=sys.stderr)
        for step, error in outcome.errors.items():
            print(f"{step} failed: {error}", file=sys.stderr)
        return 1
    print(f"run {outcome.run_id} succeeded")
    print(f"warehouse: {home.warehouse}")
    print(f"report: {home.reports / 'overview.html'}")
    return 0


def cmd_demo(args: argparse.Namespace, home: DataHome) -> int:
    """Generate the demo year, ingest it through the connectors, run everything, write the reports."""
    gen = argparse.Namespace(out=None, start=args.start, end=args.end,
                             posts_per_day=args.posts_per_day, seed=args.seed)
    cmd_generate(gen, home)
    n = copy_exports_to_inbox(home.demo / "exports", home)
    print(f"{n} export files dropped in {home.inbox}")
    ingest_mapped_exports(home.demo / "exports_mapped", home)
    return cmd_run(argparse.Namespace(start=args.start, end=args.end, full_refresh=False), home)


def cmd_ingest(args: argparse.Namespace, home: DataHome) -> int:
    """Put files in the inbox and archive them now, printing how every row was accounted for.

    The inbox sensor (or `--run`, or a later `escucha run`) lands them for exactly the days they touch."""
    from escucha.calendar import run_windows
    from escucha.landing import archive_file

    home.ensure()
    options = {"mapping": Path(args.mapping)} if args.mapping else {}
    fmt = "mapping" if args.mapping else args.format
    status = 0
    touched: set[date] = set()
    for name in args.files:
        src = Path(name)
        if not src.is_file():
            print(f"{name}: no such file", file=sys.stderr)
            status = 1
            continue
        dest = home.inbox / src.name
        shutil.copy2(src, dest)
        result = archive_file(home, dest, fmt=fmt, **options)
        if result.status == "rejected":
            print(f"rejected: {result.error}", file=sys.stderr)
            status = 1
        elif result.status == "already_archived":
            print(f"{src.name}: already archived (same checksum), nothing new")
        else:
            print(f"{src.name}: {result.rows_in} rows in = {result.rows_landed} landed + "
                  f"{result.rows_duplicate} duplicate + {result.rows_quarantined} quarantined "
                  f"({result.format}, {result.min_day}..{result.max_day})")
            touched.update(date.fromisoformat(d) for d in result.days)
    if args.run and touched:
        from orchestration.run import run_pipeline

        for first, last in run_windows(sorted(touched)):
            outcome = run_pipeline(home, first, last)
            print(f"run {outcome.run_id} for {first}..{last}: {'succeeded' if outcome.success else 'FAILED'}")
            status = status or (0 if outcome.success else 1)
    elif touched:
        print("archived; the inbox sensor (make dev) or `escucha run` lands them")
    return status


def warehouse_missing(home: DataHome) -> bool:
    """True, after saying so on stderr, when the data home has no warehouse yet."""
    if home.warehouse.exists():
        return False
    print(f"no warehouse at {home.warehouse}: run `escucha demo` or `escucha run` first", file=sys.stderr)
    return True


# What an analyst's session may not do: write the warehouse (it is opened read-only), nor touch any
# other file: no COPY ... TO, EXPORT, ATTACH, INSTALL or read_csv('/any/file') (external access off).
ANALYST_SESSION = {"enable_external_access": False}


def cmd_query(args: argparse.Namespace, home: DataHome) -> int:
    """Run SQL against the warehouse, opened read-only with no file access (waiting while a run
    writes it); print a table or CSV."""
    import duckdb

    from escucha.warehouse import WarehouseLocked, connect

    if warehouse_missing(home):
        return 1
    try:
        with connect(home.warehouse, read_only=True, config=ANALYST_SESSION) as con:
            cur = con.execute(args.sql)
            columns = [d[0] for d in cur.description or []]
            rows = cur.fetchall()
    except (duckdb.PermissionException, duckdb.InvalidInputException) as exc:
        first = str(exc).splitlines()[0]
        if "read-only" in first or "disabled by configuration" in first:
            print("query refused: `escucha query` is read-only; it reads the warehouse and writes "
                  f"nothing, neither tables nor files ({first})", file=sys.stderr)
        else:
            print(f"query failed: {first}", file=sys.stderr)
        return 1
    except duckdb.Error as exc:
        print(f"query failed: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 1
    except WarehouseLocked as exc:
        print(f"query failed: {exc}", file=sys.stderr)
        return 1
    if args.csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows([spreadsheet_safe(v) for v in row] for row in rows)
    else:
        print(format_table(columns, rows))
    return 0


def format_table(columns: list[str], rows: list[tuple]) -> str:
    """A plain-text table, columns padded to their widest value."""
    cells = [[escaped_controls(v) for v in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    line = lambda vals: " | ".join(v.ljust(w) for v, w in zip(vals, widths))  # noqa: E731
    out = [line(columns), "-+-".join("-" * w for w in widths)] + [line(r) for r in cells]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


# A spreadsheet reads a cell that starts with one of these as a formula (=HYPERLINK, +cmd|...).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """A CSV value: text a spreadsheet would run as a formula gets a leading apostrophe (OWASP's
    advice); numbers, dates and other text are unchanged."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


def cmd_ui(args: argparse.Namespace, home: DataHome) -> int:
    """Serve the Dagster UI on 127.0.0.1 with escucha's assets, sharing the CLI's run history."""
    from orchestration.run import prepare_dagster_home

    prepare_dagster_home(home)
    repo = Path(__file__).resolve().parents[1]
    dagster = Path(sys.executable).with_name("dagster")
    cmd = [str(dagster), "dev", "-w", str(repo / "workspace.yaml"), "-h", "127.0.0.1", "-p", str(args.port)]
    # Processes here may inherit ignored SIGINT/SIGTERM: restore the defaults so Ctrl-C stops the UI.
    proc = subprocess.Popen(cmd, cwd=repo, env=os.environ.copy(),
                            preexec_fn=lambda: (signal.signal(signal.SIGINT, signal.SIG_DFL),
                                                signal.signal(signal.SIGTERM, signal.SIG_DFL)))
    print(f"Dagster UI on http://127.0.0.1:{args.port} (pid {proc.pid}); Ctrl-C stops it")
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        return proc.wait()


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="escucha", description="Social listening warehouse.")
    p.add_argument("--home", help="data home (default $ESCUCHA_HOME or ./data)")
    sub = p.add_subparsers(dest="command", required=True)

    def size_args(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--from", dest="start", type=_date, default=DEMO_START, help="first day (UTC)")
        sp.add_argument("--to", dest="end", type=_date, default=DEMO_END, help="last day, inclusive")
        sp.add_argument("--posts-per-day", type=int, default=600, help="mean posts per day")
        sp.add_argument("--seed", type=int, default=7, help="random seed (same seed, same files)")

    g = sub.add_parser("generate", help="write a demo year of exports and its ground truth")
    size_args(g)
    g.add_argument("--out", help="output folder (default <home>/demo)")
    g.set_defaults(func=cmd_generate)

    d = sub.add_parser("demo", help="generate, ingest, run the whole pipeline, write the reports")
    size_args(d)
    d.set_defaults(func=cmd_demo)

    r = sub.add_parser("run", help="archive the inbox and run the pipeline over a window, in one run")
    r.add_argument("--from", dest="start", type=_date, help="first day (default: earliest archived)")
    r.add_argument("--to", dest="end", type=_date, help="last day, inclusive (default: latest archived)")
    r.add_argument("--full-refresh", action="store_true",
                   help="rebuild every warehouse table from scratch (after changing topics or models)")
    r.add_argument("--refresh-graphs", action="store_true",
                   help="compute the running month's and quarter's graphs (influence, communities) again now, "
                        "not on their cadence (every ESCUCHA_GRAPH_REFRESH_DAYS days of data, default 7)")
    r.set_defaults(func=cmd_run)

    i = sub.add_parser("ingest", help="archive export files now and report landed/duplicate/quarantined rows")
    i.add_argument("files", nargs="+", help="export files (any known format)")
    how = i.add_mutually_exclusive_group()
    how.add_argument("--format", help="the files' format when detection should not guess")
    how.add_argument("--mapping", help="a mapping YAML for a CSV/NDJSON export no connector knows")
    i.add_argument("--run", action="store_true", help="then run the pipeline for the days they touch")
    i.set_defaults(func=cmd_ingest)

    q = sub.add_parser("query", help="run SQL on the warehouse (read-only)")
    q.add_argument("sql", help='e.g. "select * from marts.fct_topic_daily limit 10"')
    q.add_argument("--csv", action="store_true", help="print CSV instead of a table (text that a spreadsheet would "
                   "read as a formula, starting with = + - @, gets a leading ')")
    q.set_defaults(func=cmd_query)

    u = sub.add_parser("ui", help="serve the Dagster UI on 127.0.0.1")
    u.add_argument("--port", type=int, default=3000)
    u.set_defaults(func=cmd_ui)

    from escucha.topics.commands import add_inquire_parser, add_label_parser, add_topics_parser

    add_topics_parser(sub)
    add_inquire_parser(sub)
    add_label_parser(sub)
    from reports.commands import add_report_parser

    add_report_parser(sub)
    from reports.digest_commands import add_digest_parser

    add_digest_parser(sub)
    from escucha.alerts.commands import add_alerts_parser

    add_alerts_parser(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    skip_final_collection()  # a second and a half after every command that loaded Dagster
    args = build_parser().parse_args(argv)
    home = data_home(args.home)
    os.environ["ESCUCHA_HOME"] = str(home.root)
    return int(args.func(args, home) or 0)


if __name__ == "__main__":
    sys.exit(main())
