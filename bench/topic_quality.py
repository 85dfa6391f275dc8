"""Topic relevance: the rules (boolean queries) against the per-topic classifier, on the demo year.

A simulated analyst labels posts from the demo ground truth in rounds, as `escucha label suggest`
would propose them, and the model is retrained between rounds (escucha/topics/evaluation.py).
At each label budget the rule and the model are measured against the ground truth over all posts.

Needs the demo warehouse (`make demo`): <home>/warehouse.duckdb and
<home>/demo/ground_truth/posts.parquet.  Writes <home>/bench/topic_quality.json.
Usage: python bench/topic_quality.py [--home data] [--budgets 50,200,1000] [--check]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from escucha.topics import classifier, evaluation  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--home", default=str(REPO / "data"), help="data home holding the demo warehouse")
    ap.add_argument("--config", default=os.environ.get("ESCUCHA_PROGRAMMES", str(REPO / "config" / "programmes.yaml")))
    ap.add_argument("--budgets", default="50,200,1000", help="label budgets, comma separated")
    ap.add_argument("--rounds", type=int, default=2, help="labelling rounds between two budgets")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--topics", default="", help="only these topics (comma separated)")
    ap.add_argument("--check", action="store_true",
                    help="exit 1 unless the model's F1 beats the rule's for every topic at the largest budget")
    args = ap.parse_args()
    home = Path(args.home).resolve()
    warehouse = home / "warehouse.duckdb"
    truth = home / "demo" / "ground_truth" / "posts.parquet"
    for p in (warehouse, truth):
        if not p.exists():
            raise SystemExit(f"missing {p}: run `make demo` (or `escucha demo`) first")
    budgets = tuple(int(b) for b in args.budgets.split(",") if b.strip())
    topics = [t for t in args.topics.split(",") if t] or None

    t0 = time.perf_counter()
    rows = evaluation.evaluate_demo(warehouse, truth, args.config, budgets=budgets, seed=args.seed,
                                    rounds=args.rounds, topics=topics)
    seconds = time.perf_counter() - t0

    head = (f"{'topic':<22} {'labels':>6} {'(+)':>4} | {'rule P':>6} {'R':>6} {'F1':>6} | "
            f"{'model P':>7} {'R':>6} {'F1':>6} | {'dF1':>7}")
    print(head)
    print("-" * len(head))
    last = max(budgets)
    beaten = []
    for r in rows:
        d = r["model_f1"] - r["rule_f1"]
        print(f"{r['topic']:<22} {r['labels']:>6} {r['labelled_positive']:>4} | {r['rule_p']:>6.3f} "
              f"{r['rule_r']:>6.3f} {r['rule_f1']:>6.3f} | {r['model_p']:>7.3f} {r['model_r']:>6.3f} "
              f"{r['model_f1']:>6.3f} | {d:>+7.3f}")
        if r["labels"] == last:
            beaten.append((r["topic"], d > 0))
    wins = sum(ok for _, ok in beaten)
    print(f"at {last} labels the model beats the rule's F1 for {wins} of {len(beaten)} topics; "
          f"{seconds:.1f} s")
    (home / "bench").mkdir(parents=True, exist_ok=True)
    out = home / "bench" / "topic_quality.json"
    params = {"budgets": list(budgets), "rounds": args.rounds, "seed": args.seed,
              "weak_weight": classifier.WEAK_WEIGHT, "weak_cap": classifier.WEAK_CAP, "c": classifier.C,
              "folds": classifier.FOLDS, "max_features": classifier.MAX_FEATURES}
    out.write_text(json.dumps({"seconds": round(seconds, 1), "params": params, "rows": rows}, indent=2) + "\n")
    print(f"written {out}")
    if args.check and wins < len(beaten):
        print("FAIL: " + ", ".join(t for t, ok in beaten if not ok))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
