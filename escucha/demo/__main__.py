"""Command line: ``python -m escucha.demo OUT_DIR [--start 2021-11-01] [--end 2022-10-31]
[--posts-per-day 600] [--seed 7]``; prints the summary as JSON."""
from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

from .generator import generate


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, generate the demo data and print the summary."""
    ap = argparse.ArgumentParser(prog="python -m escucha.demo", description=__doc__)
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--start", type=date.fromisoformat, default=date(2021, 11, 1))
    ap.add_argument("--end", type=date.fromisoformat, default=date(2022, 10, 31))
    ap.add_argument("--posts-per-day", type=int, default=600)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    summary = generate(args.out_dir, start=args.start, end=args.end, posts_per_day=args.posts_per_day,
                       seed=args.seed)
    print(json.dumps(summary, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
