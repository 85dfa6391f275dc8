"""Who leads the debate, measured against the demo generator's ground truth.

Reads what the pipeline built on the demo warehouse (marts.fct_author_influence, the community
memberships of intermediate.int_community_members_detected, fct_topic_communities,
fct_bridging_accounts, fct_topic_exposure, fct_posts.overperformance), runs escucha.graph for the
whole-year ranks (and, with --recompute, for everything), and compares:

* planted influencers: precision at 10 per topic of the overall rank over the whole year
  (``period='all'``) against ``is_influencer`` (and, for information, the mean monthly precision);
* planted communities: adjusted Rand index per topic-quarter between Louvain memberships and the
  true ``community`` (over the accounts the truth knows), overall as the account-weighted mean and
  pooled; also against (network, community), the most any method can recover, since accounts on
  different networks never interact; plus a small sensitivity table (context, resolution);
* overperformance: coverage, and the median ratio of posts made during planted events (the
  generator boosts their engagement 1.6x) against the others.

The algorithms never read the truth.  The evaluation maps an account the truth does not know (a
vendor export's copy, keyed by handle) to the truth account with the same network and handle.
Time and peak memory (``resource.getrusage``: the process high-water mark after the stage, DuckDB
included) are recorded per stage.

Needs the demo warehouse (`make demo`).  Writes <home>/bench/graph_quality.json.
Usage: python bench/graph_quality.py [--home data]
"""
from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from escucha.graph import communities as C  # noqa: E402
from escucha.graph import influence as F  # noqa: E402
from escucha.graph import interactions as I  # noqa: E402
from escucha.graph import overperformance as O  # noqa: E402


class Stages:
    """Wall time and peak RSS per stage."""

    def __init__(self) -> None:
        self.rows: list[dict] = []

    def run(self, name: str, fn, *args, **kwargs):
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        t0 = time.perf_counter()
        out = fn(*args, **kwargs)
        secs = time.perf_counter() - t0
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self.rows.append({"stage": name, "seconds": round(secs, 2), "peak_rss_mb": round(peak, 1),
                          "peak_increase_mb": round(peak - before, 1)})
        return out


def truth_lookup(truth: pd.DataFrame, con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """author_key -> (community, is_influencer) for every warehouse account the truth knows,
    directly or through (network, handle)."""
    t = truth[["author_key", "network", "handle", "community", "is_influencer"]]
    authors = con.sql("SELECT author_key, network, handle FROM marts.dim_authors").df()
    direct = authors.merge(t[["author_key", "community", "is_influencer"]], on="author_key", how="inner")
    direct["via"] = "key"
    rest = authors[~authors["author_key"].isin(direct["author_key"])].dropna(subset=["handle"])
    rest = rest.assign(h=rest["handle"].str.lower())
    th = t.dropna(subset=["handle"]).assign(h=lambda d: d["handle"].str.lower()).drop_duplicates(["network", "h"])
    by_handle = rest.merge(th[["network", "h", "community", "is_influencer"]], on=["network", "h"])
    by_handle["via"] = "handle"
    out = pd.concat([direct, by_handle], ignore_index=True)
    return out.drop_duplicates("author_key").set_index("author_key")[["community", "is_influencer", "via"]]


def precision_at(inf: pd.DataFrame, lookup: pd.DataFrame, k: int = 10) -> pd.DataFrame:
    top = inf[inf["overall_rank"] <= k].copy()
    top["truth"] = top["author_key"].map(lookup["is_influencer"]).fillna(False).astype(bool)
    return top.groupby(["topic_id", "period_start"], as_index=False).agg(
        precision=("truth", "mean"), accounts=("author_key", "size"))


def ari_table(mem: pd.DataFrame, lookup: pd.DataFrame) -> pd.DataFrame:
    m = mem.merge(lookup[["community"]].rename(columns={"community": "truth"}), left_on="author_key",
                  right_index=True)
    m["net_truth"] = m["author_key"].str.split(":", n=1).str[0] + ":" + m["truth"].astype(str)
    rows = []
    for (topic, period), g in m.groupby(["topic_id", "period_start"], sort=True):
        rows.append({"topic_id": topic, "quarter": str(period), "accounts": len(g),
                     "communities": int(g["community"].nunique()),
                     "ari": adjusted_rand_score(g["truth"], g["community"]),
                     "ari_network_community": adjusted_rand_score(g["net_truth"], g["community"])})
    return pd.DataFrame(rows)


def pooled_ari(mem: pd.DataFrame, lookup: pd.DataFrame) -> float:
    m = mem.merge(lookup[["community"]].rename(columns={"community": "truth"}), left_on="author_key",
                  right_index=True)
    grp = m["topic_id"] + "|" + m["period_start"].astype(str)
    return float(adjusted_rand_score(grp + "|" + m["truth"].astype(str), grp + "|" + m["community"].astype(str)))


def weighted(df: pd.DataFrame, col: str) -> float:
    return float(np.average(df[col], weights=df["accounts"])) if len(df) else float("nan")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--home", default=str(REPO / "data"), help="data home holding the demo warehouse")
    ap.add_argument("--no-sensitivity", action="store_true", help="skip the community sensitivity table")
    ap.add_argument("--recompute", action="store_true",
                    help="compute monthly influence and communities here instead of reading the marts")
    args = ap.parse_args()
    home = Path(args.home).resolve()
    warehouse = home / "warehouse.duckdb"
    truth_dir = home / "demo" / "ground_truth"
    for p in (warehouse, truth_dir / "authors.parquet", truth_dir / "posts.parquet"):
        if not p.exists():
            raise SystemExit(f"missing {p}: run `make demo` (or `escucha demo`) first")

    con = duckdb.connect(str(warehouse), read_only=True)
    st = Stages()
    t_all = time.perf_counter()
    tp = f"({I.topic_posts_sql()})"
    lk = "marts.fct_posts"
    edges_q = st.run("edges_quarter", I.build_edges, con, tp, "marts.dim_authors", "quarter", lk)
    edges_y = st.run("edges_year", I.build_edges, con, tp, "marts.dim_authors", "all", lk)
    ctx_q = st.run("context_edges_quarter", I.build_context_edges, con, "marts.fct_posts", "marts.dim_authors",
                   "quarter")
    inf_y = st.run("influence_year", F.influence, con, tp, "marts.dim_authors", "all", edges_y)
    if args.recompute:
        edges_m = st.run("edges_month", I.build_edges, con, tp, "marts.dim_authors", "month", lk)
        inf_m = st.run("influence_month", F.influence, con, tp, "marts.dim_authors", "month", edges_m)
        com = st.run("communities_quarter", C.communities, con, tp, "marts.dim_authors", "quarter", edges_q,
                     lookup_posts=lk, context_edges=ctx_q)
    else:           # what the pipeline built: the marts analysts read
        inf_m = con.sql("select topic_id, month as period_start, author_key, network, overall_rank, network_rank "
                        "from marts.fct_author_influence").df()
        com = C.CommunityResult(
            communities=con.sql("select * from marts.fct_topic_communities").df(),
            memberships=con.sql("select * from intermediate.int_community_members_detected").df(),
            bridges=con.sql("select * from marts.fct_bridging_accounts").df(),
            exposure=con.sql("select cast(quarter as varchar) as period_start, * exclude (quarter) "
                             "from marts.fct_topic_exposure").df())
        com.memberships["period_start"] = pd.to_datetime(com.memberships["period_start"]).dt.date
    over = con.sql("select post_key, overperformance from marts.fct_posts").df()
    total_seconds = time.perf_counter() - t_all

    truth = pd.read_parquet(truth_dir / "authors.parquet")
    lookup = truth_lookup(truth, con)

    # influencers
    p_year = precision_at(inf_y, lookup)
    p_month = precision_at(inf_m, lookup).groupby("topic_id", as_index=False)["precision"].mean()
    top_year = inf_y[inf_y["overall_rank"] <= 10].copy()
    top_year["is_influencer"] = top_year["author_key"].map(lookup["is_influencer"]).fillna(False).astype(bool)
    via_handle = int(top_year["author_key"].map(lookup["via"]).eq("handle").sum())
    # leaders per network (network_rank), for information: networks with planted influencers and
    # >= 10 accounts on the topic
    nets = inf_y[inf_y["network_rank"] <= 10].copy()
    nets["truth"] = nets["author_key"].map(lookup["is_influencer"]).fillna(False).astype(bool)
    sizes = inf_y.groupby(["topic_id", "network"]).size()
    planted_nets = set(truth.loc[truth["is_influencer"], "network"])      # evaluation only
    nets = nets[[sizes.get((t, n), 0) >= 10 and n in planted_nets for t, n in zip(nets["topic_id"], nets["network"])]]
    p_net = nets.groupby(["network", "topic_id"])["truth"].mean().groupby("network").mean()

    # communities
    ari = ari_table(com.memberships, lookup)
    sens = []
    if not args.no_sensitivity:
        t0 = time.perf_counter()
        for label, ctx in (("none", None), ("other topics", edges_q), ("all posts", ctx_q)):
            for res in (1.0, 0.5):
                mem = C.detect(edges_q, resolution=res, context_edges=ctx, context_weight=1.0)
                a = ari_table(mem, lookup)
                sens.append({"context": label, "resolution": res, "ari": round(weighted(a, "ari"), 4),
                             "ari_network_community": round(weighted(a, "ari_network_community"), 4)})
        st.rows.append({"stage": "sensitivity (6 detections)", "seconds": round(time.perf_counter() - t0, 2),
                        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                        "peak_increase_mb": None})

    # overperformance vs planted events
    gposts = pd.read_parquet(truth_dir / "posts.parquet", columns=["post_key", "event"])
    o = over.merge(gposts, on="post_key", how="left")
    has = o["overperformance"].notna()
    ev = o["event"].notna()
    over_stats = {
        "posts": int(len(o)), "with_ratio": int(has.sum()),
        "median_ratio_event_posts": float(o.loc[has & ev, "overperformance"].median()),
        "median_ratio_other_posts": float(o.loc[has & ~ev, "overperformance"].median()),
        "share_ratio_ge_3": float((o.loc[has, "overperformance"] >= 3).mean()),
    }

    # ---- print
    print("Planted influencers recovered: precision@10 of the overall rank over the year")
    print(f"{'topic':<24}{'P@10 year':>10}{'P@10 month (mean)':>19}")
    pm = dict(zip(p_month["topic_id"], p_month["precision"]))
    for r in p_year.itertuples():
        print(f"{r.topic_id:<24}{r.precision:>10.2f}{pm.get(r.topic_id, float('nan')):>19.2f}")
    print(f"{'mean':<24}{p_year['precision'].mean():>10.3f}{p_month['precision'].mean():>19.3f}")
    print(f"  ({via_handle} of {len(top_year)} top-10 accounts matched to the truth by handle; "
          f"networks of the year top 10: {top_year['network'].value_counts().to_dict()})")
    print("  per network (network_rank top 10, mean over topics): "
          + ", ".join(f"{n} {v:.2f}" for n, v in p_net.items()))
    print()
    print("Planted communities recovered: adjusted Rand index per topic-quarter (Louvain, seed "
          f"{C.SEED}, resolution {C.RESOLUTION}, context weight {C.CONTEXT_WEIGHT})")
    print(f"{'topic':<24}{'quarter':>12}{'accounts':>9}{'comms':>7}{'ARI':>8}{'ARI (net,comm)':>16}")
    for r in ari.itertuples():
        print(f"{r.topic_id:<24}{r.quarter:>12}{r.accounts:>9}{r.communities:>7}{r.ari:>8.3f}"
              f"{r.ari_network_community:>16.3f}")
    overall = {"ari_weighted_mean": weighted(ari, "ari"), "ari_mean": float(ari["ari"].mean()),
               "ari_pooled": pooled_ari(com.memberships, lookup),
               "ari_network_community_weighted_mean": weighted(ari, "ari_network_community")}
    print(f"overall: ARI account-weighted mean {overall['ari_weighted_mean']:.3f}, mean "
          f"{overall['ari_mean']:.3f}, pooled {overall['ari_pooled']:.3f}; against (network, community) "
          f"{overall['ari_network_community_weighted_mean']:.3f}")
    ex = com.exposure
    print(f"cross-community exposure: mean cross_share {ex['cross_share'].mean():.3f} "
          f"(expected without echo chambers {ex['expected_cross_share'].mean():.3f}); "
          f"{len(com.communities)} communities described, {len(com.bridges)} bridging accounts")
    if sens:
        print("sensitivity (account-weighted ARI):")
        for s in sens:
            print(f"  context {s['context']:<13} resolution {s['resolution']:<4} ARI {s['ari']:.3f}  "
                  f"(net,comm) {s['ari_network_community']:.3f}")
    print()
    print(f"Overperformance: {over_stats['with_ratio']} of {over_stats['posts']} posts have a ratio; median "
          f"{over_stats['median_ratio_event_posts']:.2f} for planted-event posts vs "
          f"{over_stats['median_ratio_other_posts']:.2f} for the others")
    print()
    print(f"{'stage':<28}{'seconds':>9}{'peak RSS MB':>13}{'+MB':>8}")
    for r in st.rows:
        inc = "" if r["peak_increase_mb"] is None else f"{r['peak_increase_mb']:.0f}"
        print(f"{r['stage']:<28}{r['seconds']:>9.2f}{r['peak_rss_mb']:>13.0f}{inc:>8}")
    print(f"total (graph stages) {total_seconds:.1f} s; rows: edges quarter {len(edges_q)}, "
          f"influence month {len(inf_m)}, memberships {len(com.memberships)}")

    out = home / "bench" / "graph_quality.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "params": {"influence_weights": F.DEFAULT_WEIGHTS, "pagerank_alpha": F.PAGERANK_ALPHA,
                   "louvain_seed": C.SEED, "louvain_resolution": C.RESOLUTION, "context_weight": C.CONTEXT_WEIGHT,
                   "bridge_min_degree": C.MIN_DEGREE, "bridge_min_participation": C.MIN_PARTICIPATION,
                   "overperformance": {"n_previous": O.N_PREVIOUS, "trim": O.TRIM, "min_previous": O.MIN_PREVIOUS}},
        "influencers": {
            "precision_at_10_year": {r.topic_id: float(r.precision) for r in p_year.itertuples()},
            "precision_at_10_year_mean": float(p_year["precision"].mean()),
            "precision_at_10_month_mean": {r.topic_id: float(r.precision) for r in p_month.itertuples()},
            "top10_matched_by_handle": via_handle,
            "precision_at_10_year_per_network": {n: float(v) for n, v in p_net.items()},
            "top10_year": [{"topic_id": r.topic_id, "rank": int(r.overall_rank), "author_key": r.author_key,
                            "handle": r.handle, "is_influencer": bool(r.is_influencer), "reasons": r.rank_reasons}
                           for r in top_year.itertuples()],
        },
        "communities": {"per_topic_quarter": ari.round(4).to_dict("records"),
                        "overall": {k: round(v, 4) for k, v in overall.items()},
                        "sensitivity": sens,
                        "exposure": [{**{k: (str(v) if k == "period_start" else v) for k, v in r.items()}}
                                     for r in ex.round(4).to_dict("records")]},
        "overperformance": over_stats,
        "stages": st.rows,
        "total_seconds": round(total_seconds, 1),
    }
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n")
    print(f"written {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
