"""`escucha report evolution`: render a conversation-evolution page from the warehouse (read-only)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from escucha.home import DataHome


def cmd_report_evolution(args: argparse.Namespace, home: DataHome) -> int:
    """Render the evolution page of a programme (or all) for a period, refresh the folder's index,
    print the page's path. Without --period: the latest complete month of the data."""
    from escucha.cli import warehouse_missing
    from reports.render import latest_periods, period_bounds, render_evolution, render_index, warehouse_last_day

    if warehouse_missing(home):
        return 1
    spec = args.period
    if spec is None:
        last_day = warehouse_last_day(home.warehouse)
        if last_day is None:
            print("the warehouse has no collected days: give --period", file=sys.stderr)
            return 1
        spec = latest_periods(last_day)[0]
    programme = None if args.programme in (None, "all") else args.programme
    out = Path(args.out) if args.out else home.reports
    try:
        start, end = period_bounds(spec)
        path = render_evolution(home.warehouse, out, programme, start, end, spec, lang=args.lang)
    except ValueError as exc:
        print(f"report: {exc}", file=sys.stderr)
        return 2
    render_index(out, lang=args.lang)
    print(path)
    return 0


def add_report_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register `escucha report evolution`."""
    rp = subparsers.add_parser("report", help="render report pages from the warehouse (read-only)")
    sub = rp.add_subparsers(dest="report_command", required=True)
    ev = sub.add_parser("evolution", help="how a programme's conversation evolved over a month, quarter or year",
                        description="Writes <out>/evolution-<programme|all>-<period>.html and refreshes "
                                    "<out>/index.html; prints the page's path.")
    ev.add_argument("--programme", help="programme id (default: all programmes together)")
    ev.add_argument("--period", help="2022-01 (month), 2022-Q1 (quarter) or 2022 (year); "
                                     "default: the latest complete month of the data")
    ev.add_argument("--lang", choices=("es", "en"), default="es", help="language of the page (es)")
    ev.add_argument("--out", help="output folder (default <home>/reports)")
    ev.set_defaults(func=cmd_report_evolution)
    return rp
