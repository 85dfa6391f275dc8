"""Demographic inference quality: escucha.people.profiles against the demo generator's ground truth.

Reads the pipeline's own inferences, ``internal.author_profiles`` of the demo home's warehouse
(read-only), and ``demo/ground_truth/authors.parquet``; with ``--recompute`` (or a warehouse built
before author_profiles existed) it runs ``profile_authors`` over ``marts.dim_authors`` instead.
Prints, per attribute:

* coverage: share of the authors with a known truth that got an answer (not unknown/null);
* accuracy: share of those answers that equal the truth;
* a confusion summary (truth x answer counts) and the answers given where the truth itself is
  unknown (persons of unknown gender, accounts with no department).

With ``--recompute``, the reference year defaults to the year of the latest post in
``marts.fct_posts`` (the pipeline uses each author's latest post).
Writes <home>/bench/demographics_quality.json.
Usage: python bench/demographics_quality.py [--home data] [--reference-year 2022] [--check]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from escucha.people.profiles import profile_authors  # noqa: E402

#: --check fails below these (accuracy among answers, coverage)
TARGETS = {"account_type": (0.9, 0.5), "gender": (0.9, 0.5), "age_band": (0.85, 0.2),
           "department": (0.9, 0.3), "country": (0.9, 0.3)}


def load(home: Path) -> tuple[pd.DataFrame, pd.DataFrame, int, pd.DataFrame | None]:
    warehouse = home / "warehouse.duckdb"
    truth = home / "demo" / "ground_truth" / "authors.parquet"
    for p in (warehouse, truth):
        if not p.exists():
            raise SystemExit(f"missing {p}: run `make demo` (or `escucha demo`) first")
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        authors = con.sql("select author_key, network, handle, display_name, bio, location, followers, verified "
                          "from marts.dim_authors").df()
        year = con.execute("select year(max(created_at)) from marts.fct_posts").fetchone()[0]
        built = con.execute("select count(*) from information_schema.tables where table_schema = 'internal' "
                            "and table_name = 'author_profiles'").fetchall()[0][0]
        profiles = con.sql("select * exclude (input_hash) from internal.author_profiles").df() if built else None
    finally:
        con.close()
    gt = pd.read_parquet(truth)
    return authors, gt, int(year or 2022), profiles


def _summary(truth: pd.Series, pred: pd.Series, answered: pd.Series) -> dict:
    """Coverage and accuracy where the truth is known; confusion counts truth x answer."""
    n = int(len(truth))
    cov = int(answered.sum())
    correct = int(((truth == pred) & answered).sum())
    conf = (pd.crosstab(truth.fillna("∅"), pred.fillna("∅").where(answered, "unknown"))
            if n else pd.DataFrame())
    return {
        "n": n, "answered": cov, "coverage": round(cov / n, 4) if n else None,
        "correct": correct, "accuracy": round(correct / cov, 4) if cov else None,
        "confusion": {str(t): {str(p): int(v) for p, v in row.items() if v} for t, row in conf.iterrows()},
    }


def evaluate(authors: pd.DataFrame, gt: pd.DataFrame, reference_year: int,
             profiles: pd.DataFrame | None = None) -> dict:
    """Coverage and accuracy of ``profiles`` (the warehouse's) or, when None, of profiles computed
    here from ``authors``."""
    t0 = time.perf_counter()
    prof = profile_authors(authors, reference_year) if profiles is None else profiles
    seconds = time.perf_counter() - t0
    for c in ("account_type_confidence", "gender_confidence", "age_confidence", "region_confidence"):
        prof[c] = prof[c].astype("float64")
    df = prof.merge(gt, on="author_key", how="inner", suffixes=("", "_truth"))
    df["network"] = df["network"].astype(str)
    out: dict = {"source": "internal.author_profiles" if profiles is not None else "recomputed",
                 "reference_year": reference_year if profiles is None else "each author's latest post",
                 "authors_profiled": int(len(prof)),
                 "authors_with_truth": int(len(df)), "seconds": round(seconds, 2)}

    # account type: every author has a true type
    out["account_type"] = _summary(df["account_type_truth"], df["account_type"], df["account_type"] != "unknown")
    # organisations in truth that were taken for persons and so could get a gender
    orgs = df[df["account_type_truth"] != "person"]
    out["account_type"]["orgs_given_a_gender"] = int(orgs["gender"].isin(["female", "male"]).sum())
    out["account_type"]["persons_taken_for_orgs"] = int(
        ((df["account_type_truth"] == "person") & df["account_type"].isin(
            ["media", "government", "ngo", "business", "other"])).sum())

    persons = df[df["account_type_truth"] == "person"]
    known_g = persons[persons["gender_truth"].isin(["female", "male"])]
    g_ans = known_g["gender"].isin(["female", "male"])
    out["gender"] = _summary(known_g["gender_truth"], known_g["gender"].astype(object), g_ans)
    unk_g = persons[persons["gender_truth"] == "unknown"]
    out["gender"]["truth_unknown"] = int(len(unk_g))
    out["gender"]["answered_where_truth_unknown"] = int(unk_g["gender"].isin(["female", "male"]).sum())
    out["gender"]["by_network"] = {
        net: {"n": int(len(g)), "coverage": round(float(g["gender"].isin(["female", "male"]).mean()), 4),
              "accuracy": (round(float((g["gender"] == g["gender_truth"])[g["gender"].isin(["female", "male"])].mean()), 4)
                           if g["gender"].isin(["female", "male"]).any() else None)}
        for net, g in known_g.groupby("network")}

    known_a = persons[persons["age_band_truth"].notna()]
    a_ans = known_a["age_band"].notna() & (known_a["age_band"] != "unknown")
    out["age_band"] = _summary(known_a["age_band_truth"], known_a["age_band"].astype(object), a_ans)
    by_conf = {}
    for label, mask in (("stated age or birth year (conf >= 0.75)", known_a["age_confidence"] >= 0.75),
                        ("life stage (conf < 0.75)", (known_a["age_confidence"] > 0) & (known_a["age_confidence"] < 0.75))):
        sel = known_a[mask & a_ans]
        by_conf[label] = {"answered": int(len(sel)),
                          "accuracy": round(float((sel["age_band"] == sel["age_band_truth"]).mean()), 4) if len(sel) else None}
    out["age_band"]["by_evidence"] = by_conf

    known_d = df[df["department_truth"].notna()]
    out["department"] = _summary(known_d["department_truth"], known_d["department"].astype(object),
                                 known_d["department"].notna())
    out["department"].pop("confusion")          # 25 x 25: keep the errors only
    wrong = known_d[known_d["department"].notna() & (known_d["department"] != known_d["department_truth"])]
    out["department"]["errors"] = {f"{t} -> {p}": int(v) for (t, p), v in
                                   wrong.groupby(["department_truth", "department"]).size().sort_values(ascending=False)
                                   .head(15).items()}
    no_d = df[df["department_truth"].isna()]
    out["department"]["answered_where_truth_has_none"] = int(no_d["department"].notna().sum())
    out["department"]["by_source"] = {
        src: {"answered": int(len(g)), "accuracy": round(float((g["department"] == g["department_truth"]).mean()), 4)}
        for src, g in known_d[known_d["department"].notna()].assign(
            src=lambda x: x["region_evidence"].str.extract(r"^(location|organisation bio|bio says|demonym in bio|"
                                                           r"demonym in location|organisation name)", expand=False)
            .fillna("other")).groupby("src")}

    known_c = df[df["country_truth"].notna()]
    out["country"] = _summary(known_c["country_truth"], known_c["country"].astype(object), known_c["country"].notna())
    out["province_answered"] = int(df["province"].notna().sum())
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--home", default=str(REPO / "data"), help="data home holding the demo warehouse")
    ap.add_argument("--reference-year", type=int, default=None,
                    help="year ages are computed for (default: year of the latest post)")
    ap.add_argument("--check", action="store_true", help="exit 1 when an attribute misses its targets")
    ap.add_argument("--recompute", action="store_true",
                    help="profile dim_authors here instead of reading internal.author_profiles")
    args = ap.parse_args()
    home = Path(args.home).resolve()
    authors, gt, year, profiles = load(home)
    res = evaluate(authors, gt, args.reference_year or year, None if args.recompute else profiles)

    print(f"authors profiled: {res['authors_profiled']} (with ground truth: {res['authors_with_truth']}) "
          f"from {res['source']} in {res['seconds']} s; reference year: {res['reference_year']}")
    print(f"{'attribute':<14} {'n':>7} {'answered':>9} {'coverage':>9} {'accuracy':>9}")
    failed = []
    for attr in ("account_type", "gender", "age_band", "department", "country"):
        r = res[attr]
        print(f"{attr:<14} {r['n']:>7} {r['answered']:>9} {r['coverage']:>9.3f} "
              f"{(r['accuracy'] if r['accuracy'] is not None else float('nan')):>9.3f}")
        acc_t, cov_t = TARGETS[attr]
        if (r["accuracy"] or 0) < acc_t or (r["coverage"] or 0) < cov_t:
            failed.append(attr)
    at = res["account_type"]
    print(f"\naccount type confusion (truth -> answers); orgs given a gender: {at['orgs_given_a_gender']}, "
          f"persons taken for organisations: {at['persons_taken_for_orgs']}")
    for t, row in at["confusion"].items():
        print(f"  {t:<11} " + ", ".join(f"{p} {v}" for p, v in sorted(row.items(), key=lambda kv: -kv[1])))
    g = res["gender"]
    print(f"\ngender confusion: " + "; ".join(f"{t} -> " + ", ".join(f"{p} {v}" for p, v in row.items())
                                          for t, row in g["confusion"].items()))
    print(f"  persons of unknown gender: {g['truth_unknown']}, given a gender anyway: "
          f"{g['answered_where_truth_unknown']}")
    print("  by network: " + "; ".join(f"{n} cov {v['coverage']:.2f} acc {v['accuracy'] or 0:.3f}"
                                       for n, v in g["by_network"].items()))
    a = res["age_band"]
    print("\nage band confusion:")
    for t, row in a["confusion"].items():
        print(f"  {t:<6} " + ", ".join(f"{p} {v}" for p, v in sorted(row.items())))
    print("  by evidence: " + "; ".join(f"{k}: {v['answered']} answered, acc {v['accuracy']}"
                                        for k, v in a["by_evidence"].items()))
    d = res["department"]
    print(f"\ndepartment: answered where truth has none: {d['answered_where_truth_has_none']}; by source: "
          + "; ".join(f"{k} {v['answered']} acc {v['accuracy']}" for k, v in d["by_source"].items()))
    print("  top errors: " + ", ".join(f"{k} ({v})" for k, v in list(d["errors"].items())[:8]))
    c = res["country"]
    print("country confusion: " + "; ".join(f"{t} -> " + ", ".join(f"{p} {v}" for p, v in row.items())
                                           for t, row in c["confusion"].items()))
    print(f"provinces answered: {res['province_answered']}")

    out = home / "bench" / "demographics_quality.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {out}")
    if args.check and failed:
        print("below target: " + ", ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
