"""Measure the topic classifier against the rules by simulating an analyst.

The simulated analyst works as a real one would with ``escucha label suggest``: each round
they label the posts :func:`escucha.topics.classifier.suggest` proposes (reading the answer
from the ground truth, and nothing else), the model is retrained, and so on.  At each label
budget the rule and the model are measured against the ground truth over *all* posts.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Sequence

import numpy as np

from escucha.topics import classifier as clf
from escucha.topics.classifier import Matrix, TopicModel

MATCH_TEXT_SQL = r"' ' || trim(regexp_replace(lower(strip_accents(coalesce({col}, ''))), '[^\p{{L}}\p{{N}}_#@]+', ' ', 'g')) || ' '"


def _schedule(budgets: Sequence[int], rounds: int) -> list[int]:
    """Cumulative label counts after each round: the first budget in one round (no model yet),
    then ``rounds`` equal rounds to reach each next budget."""
    budgets = sorted({int(b) for b in budgets if int(b) > 0})
    if not budgets:
        raise ValueError("budgets must hold at least one positive number")
    steps = [budgets[0]]
    for prev, nxt in zip(budgets, budgets[1:]):
        for r in range(1, rounds + 1):
            steps.append(prev + round((nxt - prev) * r / rounds))
    return sorted(set(steps))


def simulate(topic_id: str, texts: Sequence[str] | None, rule_match: Sequence[bool], truth: Sequence[bool],
             budgets: Sequence[int] = (50, 200, 1000), seed: int = 0, rounds: int = 2, *,
             matrix: Matrix | None = None, heldout_share: float = 0.25, **train_kwargs) -> list[dict]:
    """Simulate an analyst labelling ``topic_id`` from ``truth`` in rounds; return one dict per
    budget: labels used, and precision/recall/F1 of the rule and of the model over all posts,
    plus the model's held-out metrics as :func:`~escucha.topics.classifier.train` reports them.

    The first budget is labelled in one round (no model yet: half rule matches, half
    non-matches), then ``rounds`` equal rounds lead to each next budget.  ``texts`` are post
    texts (raw or match texts); pass ``matrix`` (a :class:`Matrix` of the match texts) instead
    to vectorize once for many topics.  When labels cannot train a model yet (one class only),
    the rule stands in for it at that budget.  ``seconds`` is the time spent so far.
    """
    rule = np.asarray(rule_match, dtype=bool)
    truth = np.asarray(truth, dtype=bool)
    if matrix is None:
        if texts is None:
            raise ValueError("pass texts or matrix")
        matrix = Matrix.build([clf.match_text(t) for t in texts])
    M = matrix
    n = M.X.shape[0]
    if not (len(rule) == len(truth) == n):
        raise ValueError("texts, rule_match and truth must have the same length")
    checkpoints = set(int(b) for b in budgets)
    lab = np.full(n, -1, dtype=np.int8)
    model: TopicModel | None = None
    scores = None
    rule_prf = clf._prf(rule, truth)
    results: list[dict] = []
    done = 0
    t0 = time.perf_counter()
    for r_i, target in enumerate(_schedule(budgets, rounds)):
        pick = clf.suggest(model, None, rule, lab >= 0, target - done, seed=seed + 1000 * r_i, scores=scores)
        lab[pick] = truth[pick].astype(np.int8)
        done = int((lab >= 0).sum())
        at_budget = target in checkpoints
        try:
            model = clf.train_matrix(topic_id, M, rule, lab, seed=seed + r_i,
                                     heldout_share=heldout_share if at_budget else 0.0, **train_kwargs)
            scores = clf.score_matrix(model, M, rule)
        except ValueError:
            model, scores = None, None
        if at_budget:
            pred = scores >= model.threshold if model is not None else rule
            row = {"topic": topic_id, "labels": done, "labelled_positive": int((lab == 1).sum()),
                   "posts": n, "truth_positive": int(truth.sum()), "rule": rule_prf,
                   "model": clf._prf(pred, truth), "model_trained": model is not None,
                   "heldout": (model.metrics.get("heldout") if model is not None else None),
                   "n_weights": len(model.weights) if model is not None else 0,
                   "seconds": round(time.perf_counter() - t0, 2)}
            results.append(row)
    return results


def load_demo(warehouse: Path | str, ground_truth: Path | str, programmes: Path | str):
    """Match texts, rule matches and truth of every post of the demo warehouse.

    Returns ``(post_keys, match_texts, {topic: (rule_match, truth)})`` for every topic of the
    programmes config, rule matches computed in DuckDB with the topic's compiled query.
    """
    import yaml

    from escucha.topics.query import compile_sql, parse
    from escucha.warehouse import connect

    topics = yaml.safe_load(Path(programmes).read_text(encoding="utf-8"))["topics"]
    con = connect(warehouse, read_only=True)
    try:
        con.execute(
            "create temp table mt as select f.post_key, " + MATCH_TEXT_SQL.format(col="f.text") + " as mt, "
            "coalesce(g.topics, []) as topics from marts.fct_posts f "
            "left join read_parquet(?) g on g.post_key = f.post_key order by f.post_key",
            [str(ground_truth)])
        pairs = con.execute("select post_key, mt from mt order by post_key").fetchall()
        keys = [k for k, _ in pairs]
        texts = [t for _, t in pairs]
        index = {k: i for i, k in enumerate(keys)}
        out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for tid, spec in topics.items():
            expr, params = compile_sql(parse(spec["query"]), "mt")
            rule = np.zeros(len(keys), dtype=bool)
            for (k,) in con.execute(f"select post_key from mt where {expr}", params).fetchall():
                rule[index[k]] = True
            truth = np.zeros(len(keys), dtype=bool)
            for (k,) in con.execute("select post_key from mt where list_contains(topics, ?)", [tid]).fetchall():
                truth[index[k]] = True
            out[tid] = (rule, truth)
    finally:
        con.close()
    return keys, texts, out


def evaluate_demo(warehouse: Path | str, ground_truth: Path | str, programmes: Path | str,
                  budgets: Sequence[int] = (50, 200, 1000), seed: int = 0, rounds: int = 2,
                  topics: Sequence[str] | None = None, **kwargs) -> list[dict]:
    """:func:`simulate` every topic of the config on the demo year; one row per topic and
    budget: topic, labels, rule P/R/F1, model P/R/F1 (plus held-out metrics and timings)."""
    _, texts, per_topic = load_demo(warehouse, ground_truth, programmes)
    M = Matrix.build(texts)
    rows: list[dict] = []
    for tid, (rule, truth) in per_topic.items():
        if topics and tid not in topics:
            continue
        for r in simulate(tid, None, rule, truth, budgets=budgets, seed=seed, rounds=rounds, matrix=M, **kwargs):
            rows.append(flat_row(r))
    return rows


def flat_row(r: dict) -> dict:
    """One table row of a :func:`simulate` result."""
    out = {"topic": r["topic"], "labels": r["labels"], "labelled_positive": r["labelled_positive"],
           "truth_positive": r["truth_positive"]}
    for who in ("rule", "model"):
        for m in ("precision", "recall", "f1"):
            out[f"{who}_{m[0] if m != 'f1' else 'f1'}"] = round(r[who][m], 4)
    h = r.get("heldout")
    out["heldout_model_f1"] = round(h["model"]["f1"], 4) if h else None
    out["heldout_rule_f1"] = round(h["rule"]["f1"], 4) if h else None
    out["n_heldout"] = (h["positives"] + h["negatives"]) if h else 0
    return out
