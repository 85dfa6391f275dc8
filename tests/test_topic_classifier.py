"""Tests for the per-topic relevance classifier (escucha.topics.classifier) and the simulated
analyst (escucha.topics.evaluation), with real scikit-learn on posts from the real demo generator.

The demo data: 30 days around the Ventanilla oil spill at 400 posts/day; the X posts' texts are
read back from the twarc2 NDJSON exports and joined to the ground truth by post key.
"""
from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from escucha.demo.generator import generate
from escucha.topics import classifier as clf
from escucha.topics.classifier import FEATURE_RULE, TopicModel, features, score, suggest, train
from escucha.topics.evaluation import simulate
from escucha.topics.query import matches, parse

REPO = Path(__file__).resolve().parents[1]


# ----------------------------------------------------------------------------- features


def test_features_are_distinct_unigrams_and_bigrams_plus_rule():
    assert features(" el congreso el congreso ", False) == ["el", "congreso", "el congreso", "congreso el"]
    assert features(" el congreso el congreso ", True) == ["el", "congreso", "el congreso", "congreso el",
                                                           FEATURE_RULE]
    # empty tokens (double spaces, padding) are dropped; bigrams join neighbours with one space
    assert features("  #paro  @onpe x ", False) == ["#paro", "@onpe", "x", "#paro @onpe", "@onpe x"]
    assert features("  ", False) == []
    assert features(" ", True) == [FEATURE_RULE]
    assert features(" solo ", False) == ["solo"]


def test_vectorizer_columns_match_features():
    texts = [" a b a ", " b c ", " a b ", " c "]
    M = clf.Matrix.build(texts, min_df=1)
    for i, t in enumerate(texts):
        row = set(M.vocabulary[M.X[i].indices].tolist())
        assert row == set(features(t, False))
        assert set(M.X[i].data.tolist()) == {1.0}          # binary presence


# ----------------------------------------------------------------------------- scoring


def test_score_is_the_sigmoid_of_intercept_plus_weights():
    model = TopicModel("congreso", {"congreso": 1.5, "el congreso": 0.25, FEATURE_RULE: 2.0, "nada": -3.0},
                       intercept=-1.0, threshold=0.6)
    raw = ["¡El CONGRESO, el congreso!", "nada que ver", "otra cosa"]
    got = score(model, raw, [True, False, False])
    want = [1 / (1 + math.exp(-(-1.0 + 1.5 + 0.25 + 2.0))),   # el, congreso, el congreso, congreso el, rule
            1 / (1 + math.exp(-(-1.0 - 3.0))),
            1 / (1 + math.exp(1.0))]
    assert got.tolist() == pytest.approx(want, abs=1e-12)
    # raw text and its padded match text score the same
    assert score(model, [" el congreso el congreso "], [True])[0] == pytest.approx(want[0], abs=1e-12)
    assert model.threshold_logit == pytest.approx(math.log(0.6 / 0.4))


def test_model_json_round_trip(tmp_path):
    model = TopicModel("t", {"b": -0.5, "a b": 0.125, FEATURE_RULE: 3.0}, intercept=-2.5, threshold=0.3,
                       metrics={"n_labels": 12, "heldout": {"model": {"f1": 0.5}}})
    back = TopicModel.from_json(model.to_json())
    assert back == model
    model.save(tmp_path / "t.json")
    assert TopicModel.load(tmp_path / "t.json") == model
    assert list(json.loads(model.to_json())["weights"]) == sorted(model.weights)


# ----------------------------------------------------------------------------- refusals


def _tiny(n: int = 40):
    texts = [f"post numero {i} sobre el congreso" if i % 2 else f"post numero {i} del partido" for i in range(n)]
    rule = [i % 2 == 1 for i in range(n)]
    return texts, rule


def test_train_refuses_one_class_labels():
    texts, rule = _tiny()
    with pytest.raises(ValueError, match="both classes"):
        train("congreso", texts, rule, [True] * len(texts))
    with pytest.raises(ValueError, match="both classes"):
        train("congreso", texts, rule, [False] * 20 + [None] * 20)
    with pytest.raises(ValueError, match="both classes"):
        train("congreso", texts, rule, [True] + [False] * 19 + [None] * 20)


def test_train_refuses_too_few_labels():
    texts, rule = _tiny()
    labels = [True, False] * 4 + [None] * 32
    with pytest.raises(ValueError, match="8 labelled posts, at least 10"):
        train("congreso", texts, rule, labels)
    with pytest.raises(ValueError, match="same length"):
        train("congreso", texts, rule, [True, False] * 5)


# ----------------------------------------------------------------------------- suggest


def test_suggest_without_model_takes_half_matches_half_non_matches():
    n = 1000
    rule = np.arange(n) % 10 == 0                   # 100 matches
    done = np.zeros(n, dtype=bool)
    done[:50] = True
    pick = suggest(None, None, rule, done, 40, seed=3)
    assert len(pick) == 40 and len(set(pick.tolist())) == 40
    assert not done[pick].any()
    assert int(rule[pick].sum()) == 20
    assert suggest(None, None, rule, done, 40, seed=3).tolist() == pick.tolist()   # deterministic


def test_suggest_with_model_prefers_posts_near_the_threshold():
    texts = [" a ", " b ", " c ", " a b ", " d ", " e "]
    rule = np.array([False] * 6)
    model = TopicModel("t", {"a": 2.0, "b": -2.0, "c": 0.1, "d": 8.0}, intercept=0.0, threshold=0.5)
    pick = suggest(model, texts, rule, np.array([False, False, False, False, False, True]), 1, seed=0)
    # " a b " scores exactly 0.5; " c " is next but only one post is asked for
    assert pick.tolist() == [3]
    pick = suggest(model, texts, rule, np.zeros(6, bool), 5, seed=0)
    assert len(set(pick.tolist())) == 5 and pick[:3].tolist() == [3, 2, 0]


# ----------------------------------------------------------------------------- demo data


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """X posts of 30 generated days: match texts, truth per topic, keyword_missed, rule per topic."""
    out = tmp_path_factory.mktemp("demo")
    generate(out, start=date(2022, 1, 8), end=date(2022, 2, 6), posts_per_day=400, seed=7)
    texts: dict[str, str] = {}
    for f in sorted((out / "exports" / "x").glob("x_search_*.jsonl")):
        with f.open(encoding="utf-8") as fh:
            for line in fh:
                for tweet in json.loads(line)["data"]:
                    texts["x:" + tweet["id"]] = tweet["text"]
    gt = pd.read_parquet(out / "ground_truth" / "posts.parquet")
    gt = gt[gt.post_key.isin(texts)].reset_index(drop=True)
    raw = [texts[k] for k in gt.post_key]
    queries = yaml.safe_load((REPO / "config" / "programmes.yaml").read_text(encoding="utf-8"))["topics"]
    topics = {}
    for tid in ("elecciones", "seguridad_alimentaria"):
        q = parse(queries[tid]["query"])
        truth = gt.topics.apply(lambda ts: tid in list(ts)).to_numpy()
        topics[tid] = {"rule": np.array([matches(q, t) for t in raw]), "truth": truth,
                       "implicit": truth & gt.keyword_missed.to_numpy()}
    return {"raw": raw, "match": [clf.match_text(t) for t in raw], "topics": topics}


def test_demo_has_posts_the_rules_miss(demo):
    assert len(demo["raw"]) > 5000
    for tid, d in demo["topics"].items():
        assert d["implicit"].sum() >= 30, tid                 # on-topic posts without a keyword
        assert not d["rule"][d["implicit"]].any(), tid       # ... which the rule cannot find


def test_simulated_analyst_model_beats_rules(demo):
    M = clf.Matrix.build(demo["match"])
    gains = {}
    for tid, d in demo["topics"].items():
        rows = simulate(tid, None, d["rule"], d["truth"], budgets=(50, 200, 1000), seed=0, matrix=M)
        assert [r["labels"] for r in rows] == [50, 200, 1000]
        for r in rows:
            for who in ("rule", "model"):
                m = r[who]
                assert 0 <= m["precision"] <= 1 and 0 <= m["recall"] <= 1 and 0 <= m["f1"] <= 1
                assert m["tp"] + m["fn"] == int(d["truth"].sum())
        rule, model = rows[-1]["rule"], rows[-1]["model"]
        # the rule's figures are the rule's, over all posts
        tp = int((d["rule"] & d["truth"]).sum())
        assert rule["tp"] == tp and rule["precision"] == pytest.approx(tp / d["rule"].sum())
        assert rows[-1]["model_trained"]
        gains[tid] = model["f1"] - rule["f1"]
    assert max(gains.values()) > 0.02, gains


def test_train_heldout_metrics_and_implicit_recall(demo):
    tid = "seguridad_alimentaria"
    d = demo["topics"][tid]
    n = len(demo["raw"])
    rng = np.random.default_rng(1)
    labelled = rng.choice(n, size=1200, replace=False)
    labels: list[bool | None] = [None] * n
    for i in labelled.tolist():
        labels[i] = bool(d["truth"][i])
    model = train(tid, demo["raw"], d["rule"], labels, seed=0)

    m = model.metrics
    n_pos = int(d["truth"][labelled].sum())
    assert m["n_labels"] == 1200 and m["n_positive"] == n_pos and m["n_negative"] == 1200 - n_pos
    assert m["n_train_labels"] + m["n_heldout"] == 1200
    h = m["heldout"]
    assert h["positives"] + h["negatives"] == m["n_heldout"]
    assert abs(h["positives"] - 0.25 * n_pos) <= 1                      # stratified
    assert abs(h["negatives"] - 0.25 * (1200 - n_pos)) <= 1
    for who in ("model", "rule"):
        x = h[who]
        assert x["tp"] + x["fn"] == h["positives"]
        assert x["fp"] <= h["negatives"]
        assert x["precision"] == pytest.approx(x["tp"] / (x["tp"] + x["fp"]))
        assert x["recall"] == pytest.approx(x["tp"] / h["positives"])
        assert x["f1"] == pytest.approx(2 * x["precision"] * x["recall"] / (x["precision"] + x["recall"]))
        assert 0 < x["f1"] <= 1
    assert h["model"]["f1"] > 0.9

    assert 0 < model.threshold < 1
    assert FEATURE_RULE in model.weights and model.weights[FEATURE_RULE] > 0
    assert len(model.weights) <= clf.MAX_FEATURES
    assert min(abs(w) for w in model.weights.values()) >= clf.MIN_ABS_WEIGHT

    s = score(model, demo["raw"], d["rule"])
    pred = s >= model.threshold
    # it finds most on-topic posts that have no keyword, and keeps the rule's precision
    assert pred[d["implicit"]].mean() > 0.6
    assert clf._prf(pred, d["truth"])["f1"] > clf._prf(d["rule"], d["truth"])["f1"]
    # the Python scoring and the matrix scoring (what SQL reproduces) agree
    M = clf.Matrix.build(demo["match"])
    assert np.abs(clf.score_matrix(model, M, d["rule"]) - s).max() < 1e-9
    # a saved model scores the same
    again = TopicModel.from_json(model.to_json())
    assert np.array_equal(score(again, demo["raw"][:200], d["rule"][:200]), s[:200])
