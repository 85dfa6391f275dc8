"""Sentiment quality: escucha.sentiment against the demo ground truth and (if present) TASS 2020.

Demo: the ground-truth label of every original post, reply, quote and comment (shares repeat the
shared text and are left out) joined to its text in the warehouse (marts.fct_posts) by post key,
split deterministically into dev / test halves by a hash of the key.  Scored with the language
the warehouse holds, as the pipeline would; figures per ground-truth language ("en_tagged_en":
the English posts the warehouse tags "en", i.e. the ones VADER scores; the others go to the
Spanish scorer because their language is missing).  Thresholds may be
chosen on dev only; the test half is the figure to quote.

TASS 2020 task 1 (research-use licence): read in place, scored as Spanish, only aggregate figures
printed; nothing is copied.  Never tune on it.

Usage: python bench/sentiment_quality.py [--home data] [--tass DIR] [--json OUT]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from escucha.sentiment import LEXICON_VERSION, score_texts  # noqa: E402
from escucha.sentiment.scorer import SPANISH_THRESHOLD  # noqa: E402

CLASSES = ("negative", "neutral", "positive")
TASS_LABELS = {"P": "positive", "NEU": "neutral", "N": "negative"}


def metrics(truth: list[str], pred: list[str]) -> dict:
    """Macro-F1, per-class precision / recall / F1 and the confusion matrix (rows = truth)."""
    idx = {c: k for k, c in enumerate(CLASSES)}
    cm = [[0] * 3 for _ in CLASSES]
    for t, p in zip(truth, pred):
        cm[idx[t]][idx[p]] += 1
    per = {}
    for k, c in enumerate(CLASSES):
        tp = cm[k][k]
        pp = sum(cm[r][k] for r in range(3))
        ap = sum(cm[k])
        prec = tp / pp if pp else 0.0
        rec = tp / ap if ap else 0.0
        per[c] = {"precision": prec, "recall": rec, "f1": 2 * prec * rec / (prec + rec) if prec + rec else 0.0,
                  "support": ap}
    present = [c for c in CLASSES if per[c]["support"]]
    macro = sum(per[c]["f1"] for c in present) / len(present) if present else 0.0
    acc = sum(cm[k][k] for k in range(3)) / len(truth) if truth else 0.0
    return {"n": len(truth), "macro_f1": macro, "accuracy": acc, "per_class": per, "confusion": cm}


def majority_baseline(truth: list[str]) -> dict:
    """Metrics of always predicting the most frequent class."""
    top = Counter(truth).most_common(1)[0][0]
    return metrics(truth, [top] * len(truth))


def show(title: str, m: dict) -> None:
    print(f"\n{title}: n={m['n']}  macro-F1={m['macro_f1']:.3f}  accuracy={m['accuracy']:.3f}")
    print(f"  {'class':<9} {'P':>6} {'R':>6} {'F1':>6} {'n':>7}   confusion (rows truth, cols pred: neg neu pos)")
    for k, c in enumerate(CLASSES):
        p = m["per_class"][c]
        row = " ".join(f"{x:>7}" for x in m["confusion"][k])
        print(f"  {c:<9} {p['precision']:>6.3f} {p['recall']:>6.3f} {p['f1']:>6.3f} {p['support']:>7}   {row}")


def is_dev(post_key: str) -> bool:
    """Deterministic half split by a hash of the post key."""
    return hashlib.blake2b(post_key.encode("utf-8"), digest_size=8).digest()[0] & 1 == 0


def load_demo(home: Path) -> list[tuple]:
    """(post_key, text, warehouse language, true language, true sentiment) for non-share posts."""
    import duckdb  # noqa: PLC0415

    warehouse = home / "warehouse.duckdb"
    truth = home / "demo" / "ground_truth" / "posts.parquet"
    for p in (warehouse, truth):
        if not p.exists():
            raise SystemExit(f"missing {p}: build the demo home first (`escucha demo`)")
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        bad = con.execute("select count(*) from marts.fct_posts "
                          "where post_key <> network || ':' || post_id").fetchone()[0]
        if bad:
            print(f"note: {bad} warehouse posts whose key is not network:post_id")
        rows = con.execute(
            "select f.post_key, f.text, f.language, g.language, g.sentiment "
            "from marts.fct_posts f join read_parquet(?) g on g.post_key = f.network || ':' || f.post_id "
            "where g.kind <> 'share' order by f.post_key", [str(truth)]).fetchall()
        n_truth = con.execute("select count(*) from read_parquet(?) where kind <> 'share'", [str(truth)]).fetchone()[0]
    finally:
        con.close()
    print(f"demo: {len(rows)} of {n_truth} non-share ground-truth posts joined to a warehouse text")
    return rows


def tune_grid(scores: list[float], truth: list[str]) -> tuple[float, float]:
    """Best symmetric Spanish threshold on the given (dev) scores, for information."""
    best = (0.0, -1.0)
    for k in range(1, 61):
        th = k / 100
        pred = ["positive" if s >= th else "negative" if s <= -th else "neutral" for s in scores]
        f = metrics(truth, pred)["macro_f1"]
        if f > best[1]:
            best = (th, f)
    return best


def demo_report(home: Path, out: dict) -> None:
    rows = load_demo(home)
    texts = [r[1] for r in rows]
    langs = [r[2] for r in rows]
    t0 = time.perf_counter()
    df = score_texts(texts, langs)
    secs = time.perf_counter() - t0
    es_idx = [k for k, lang in enumerate(langs) if lang != "en"]
    es_texts = [texts[k] for k in es_idx]
    t0 = time.perf_counter()
    score_texts(es_texts, [langs[k] for k in es_idx])
    es_secs = time.perf_counter() - t0
    words = sum(len((t or "").split()) for t in es_texts) / max(len(es_texts), 1)
    rate, es_rate = len(texts) / secs, len(es_texts) / es_secs
    print(f"score_texts: {len(texts)} demo posts in {secs:.2f}s = {rate:,.0f} posts/s; "
          f"Spanish scorer only: {len(es_texts)} posts ({words:.1f} words avg) = {es_rate:,.0f} posts/s")
    out["rate"] = {"posts_per_second": rate, "spanish_posts_per_second": es_rate, "spanish_mean_words": words}
    pred = df["sentiment"].tolist()
    scores = df["sentiment_score"].tolist()
    out["demo"] = {}
    for split in ("test", "dev"):
        sel = [k for k, r in enumerate(rows) if is_dev(r[0]) == (split == "dev")]
        out["demo"][split] = {}
        groups = {"all": lambda r: True, "es": lambda r: r[3] == "es", "en": lambda r: r[3] == "en",
                  "en_tagged_en": lambda r: r[3] == "en" and r[2] == "en", "qu": lambda r: r[3] == "qu"}
        for lang, keep in groups.items():
            ks = [k for k in sel if keep(rows[k])]
            if not ks:
                continue
            m = metrics([rows[k][4] for k in ks], [pred[k] for k in ks])
            out["demo"][split][lang] = m
            show(f"demo {split} / language {lang}", m)
    dev_es = [k for k, r in enumerate(rows) if is_dev(r[0]) and r[2] != "en"]
    th, f = tune_grid([scores[k] for k in dev_es], [rows[k][4] for k in dev_es])
    print(f"\n(dev, Spanish scorer: best symmetric threshold {th:.2f} -> macro-F1 {f:.3f}; "
          f"in use: {SPANISH_THRESHOLD:.2f})")
    out["demo"]["dev_best_spanish_threshold"] = {"threshold": th, "macro_f1": f, "in_use": SPANISH_THRESHOLD}


def read_tass(path: Path) -> list[tuple[str, str, str]]:
    """(text, label, split) from one variety file; tab-separated tweet_id, text, label, no header."""
    out = []
    split = path.parent.name
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n\r")
            if not line:
                continue
            _, _, rest = line.partition("\t")
            text, _, lab = rest.rpartition("\t")
            out.append((text, lab.strip(), split))
    return out


def tass_report(tass: Path, out: dict) -> None:
    if not tass.is_dir():
        print(f"\nTASS: {tass} not found, skipped")
        return
    files = sorted(tass.glob("*/*.tsv"))
    by_variety: dict[str, list[tuple[str, str, str]]] = {}
    for f in files:
        by_variety.setdefault(f.stem, []).extend(read_tass(f))
    unknown = Counter(lab for rows in by_variety.values() for _, lab, _ in rows if lab not in TASS_LABELS)
    if unknown:
        print(f"TASS: labels other than P/NEU/N ignored: {dict(unknown)}")
    out["tass"] = {}
    all_truth: list[str] = []
    all_pred: list[str] = []
    print(f"\nTASS 2020 task 1 ({tass}), all texts scored as Spanish, train+dev files:")
    print(f"  {'variety':<8} {'n':>6} {'macro-F1':>9} {'acc':>6} {'majority':>9}")
    for variety, rows in sorted(by_variety.items()):
        rows = [r for r in rows if r[1] in TASS_LABELS]
        truth = [TASS_LABELS[r[1]] for r in rows]
        pred = score_texts([r[0] for r in rows], ["es"] * len(rows))["sentiment"].tolist()
        m, b = metrics(truth, pred), majority_baseline(truth)
        out["tass"][variety] = {"metrics": m, "majority_macro_f1": b["macro_f1"]}
        print(f"  {variety:<8} {m['n']:>6} {m['macro_f1']:>9.3f} {m['accuracy']:>6.3f} {b['macro_f1']:>9.3f}")
        all_truth += truth
        all_pred += pred
    m, b = metrics(all_truth, all_pred), majority_baseline(all_truth)
    out["tass"]["all"] = {"metrics": m, "majority_macro_f1": b["macro_f1"]}
    print(f"  {'all':<8} {m['n']:>6} {m['macro_f1']:>9.3f} {m['accuracy']:>6.3f} {b['macro_f1']:>9.3f}")
    show("TASS all varieties", m)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--home", default=str(REPO / "data"), help="data home with demo/ground_truth and warehouse.duckdb")
    ap.add_argument("--tass", default=str(REPO.parent / "shared" / "data" / "eval" / "tass2020-polarity"),
                    help="TASS 2020 polarity directory (skipped if missing)")
    ap.add_argument("--json", default=None, help="write the figures as JSON here")
    args = ap.parse_args()
    print(f"escucha.sentiment LEXICON_VERSION={LEXICON_VERSION}")
    out: dict = {"lexicon_version": LEXICON_VERSION}
    demo_report(Path(args.home).resolve(), out)
    tass_report(Path(args.tass), out)
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
        print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
