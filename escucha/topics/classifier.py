"""Per-topic relevance classifier: learns from analysts' relevance labels plus the topic rule.

A topic's boolean query (the *rule*) is precise but misses posts that talk about the topic
without its keywords, and catches some that use a keyword in another sense.  Analysts label
posts relevant / not relevant; this module trains a small linear model per topic from those
labels, with the rule's matches as weak labels, so it learns both the rule's mistakes and
the vocabulary of the posts it misses.

The model is deliberately simple so the warehouse can score it in SQL:

* features of a post (:func:`features`): the distinct unigrams and bigrams of its *match
  text* (``' ' + normalize(text) + ' '``, split on single spaces, empty tokens dropped,
  a bigram is ``"a b"``), plus :data:`FEATURE_RULE` when the topic rule matches it;
* ``score = sigmoid(intercept + sum(weights[f] for f in features))`` (absent features weigh 0);
* the post is relevant when ``score >= threshold``.

:func:`score` is the Python twin of that SQL; :func:`suggest` picks the posts an analyst
should label next.
"""
from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import scipy.sparse as sp

from escucha.topics.query import normalize

FEATURE_RULE = "__rule__"
MIN_LABELS = 10            # fewer analyst labels than this: refuse to train
MIN_PER_CLASS = 2          # and at least this many of each class
MAX_FEATURES = 20_000      # weights kept in a saved model
MIN_ABS_WEIGHT = 1e-3      # smaller weights are dropped
WEAK_CAP = 50_000          # at most this many weakly labelled posts per training (a random sample)
WEAK_WEIGHT = 30.0         # total sample weight of the weak labels (one analyst label weighs 1)
C = 1.0                    # inverse L2 regularisation strength
FOLDS = 3                  # cross-validation folds of the training labels that tune the threshold


# ----------------------------------------------------------------------------- features


def match_text(text: str | None) -> str:
    """The warehouse's match text: ``' ' + normalize(text) + ' '`` (idempotent)."""
    return f" {normalize(text or '')} "


def tokens(match_text: str) -> list[str]:
    """Tokens of a match text: split on single spaces, empty tokens dropped."""
    return [t for t in match_text.split(" ") if t]


def features(match_text: str, rule_match: bool) -> list[str]:
    """Distinct unigrams and bigrams (``"a b"``) of ``match_text``, plus :data:`FEATURE_RULE`
    when the rule matches.  Order: unigrams, bigrams, rule feature; first occurrence wins."""
    toks = tokens(match_text)
    grams = toks + [f"{a} {b}" for a, b in zip(toks, toks[1:])]
    if rule_match:
        grams.append(FEATURE_RULE)
    return list(dict.fromkeys(grams))


def _analyzer(text: str) -> list[str]:
    toks = tokens(text)
    return toks + [f"{a} {b}" for a, b in zip(toks, toks[1:])]


@dataclass
class Matrix:
    """Binary n-gram presence of many posts (CSR, float32) over a vocabulary; the rule feature
    is kept apart as a boolean vector because it differs per topic."""

    X: sp.csr_matrix
    vocabulary: np.ndarray      # feature names, column order

    @classmethod
    def build(cls, match_texts: Sequence[str], min_df: int = 2) -> "Matrix":
        """Vectorize match texts (already normalized and padded) with scikit-learn's
        CountVectorizer; ``min_df`` drops n-grams seen in fewer posts."""
        from sklearn.feature_extraction.text import CountVectorizer

        vec = CountVectorizer(analyzer=_analyzer, binary=True, min_df=min_df, dtype=np.float32)
        try:
            X = vec.fit_transform(match_texts)
        except ValueError:  # empty vocabulary (every n-gram rarer than min_df)
            return cls(sp.csr_matrix((len(match_texts), 0), dtype=np.float32), np.array([], dtype=object))
        return cls(X.tocsr(), vec.get_feature_names_out())

    def with_rule(self, rule_match: np.ndarray, rows: np.ndarray | None = None) -> sp.csr_matrix:
        """``X`` (or its ``rows``) with the rule feature as the last column."""
        X = self.X if rows is None else self.X[rows]
        r = np.asarray(rule_match, dtype=np.float32)
        if rows is not None:
            r = r[rows]
        return sp.hstack([X, sp.csr_matrix(r.reshape(-1, 1))], format="csr")


# ----------------------------------------------------------------------------- model


def sigmoid(z: np.ndarray | float) -> np.ndarray:
    """Numerically stable logistic function."""
    z = np.asarray(z, dtype=np.float64)
    return np.where(z >= 0, 1.0 / (1.0 + np.exp(-np.abs(z))), np.exp(-np.abs(z)) / (1.0 + np.exp(-np.abs(z))))


@dataclass
class TopicModel:
    """A trained topic relevance model; ``score = sigmoid(intercept + sum(weights[f]))``
    over the post's :func:`features`, relevant when ``score >= threshold``."""

    topic_id: str
    weights: dict[str, float]
    intercept: float
    threshold: float = 0.5
    metrics: dict = field(default_factory=dict)

    @property
    def threshold_logit(self) -> float:
        """The threshold on ``intercept + sum(weights)`` (before the sigmoid)."""
        t = min(max(self.threshold, 1e-12), 1 - 1e-12)
        return math.log(t / (1 - t))

    def to_json(self) -> str:
        """JSON text of the model (weights sorted by feature)."""
        d = asdict(self)
        d["weights"] = {k: self.weights[k] for k in sorted(self.weights)}
        return json.dumps(d, ensure_ascii=False, indent=1)

    @classmethod
    def from_json(cls, text: str) -> "TopicModel":
        """Inverse of :meth:`to_json`."""
        d = json.loads(text)
        return cls(topic_id=d["topic_id"], weights={str(k): float(v) for k, v in d["weights"].items()},
                   intercept=float(d["intercept"]), threshold=float(d.get("threshold", 0.5)),
                   metrics=dict(d.get("metrics", {})))

    def save(self, path: Path | str) -> None:
        """Write :meth:`to_json` to ``path``."""
        Path(path).write_text(self.to_json() + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path | str) -> "TopicModel":
        """Read a model written by :meth:`save`."""
        return cls.from_json(Path(path).read_text(encoding="utf-8"))


def _labels_array(labels: Sequence[bool | None]) -> np.ndarray:
    """int8 array: 1 relevant, 0 not relevant, -1 unlabelled."""
    out = np.full(len(labels), -1, dtype=np.int8)
    for i, v in enumerate(labels):
        if v is None or (isinstance(v, float) and math.isnan(v)):
            continue
        out[i] = 1 if bool(v) else 0
    return out


def _check_labels(lab: np.ndarray, topic_id: str) -> None:
    n = int((lab >= 0).sum())
    pos = int((lab == 1).sum())
    neg = n - pos
    if n < MIN_LABELS:
        raise ValueError(f"topic {topic_id}: {n} labelled posts, at least {MIN_LABELS} are needed to train")
    if pos < MIN_PER_CLASS or neg < MIN_PER_CLASS:
        raise ValueError(f"topic {topic_id}: labels need both classes (at least {MIN_PER_CLASS} relevant and "
                         f"{MIN_PER_CLASS} not relevant); got {pos} relevant and {neg} not relevant")


def _prf(pred: np.ndarray, truth: np.ndarray) -> dict:
    """Precision, recall, F1 and counts of boolean predictions against boolean truth."""
    pred = np.asarray(pred, bool)
    truth = np.asarray(truth, bool)
    tp = int((pred & truth).sum())
    fp = int((pred & ~truth).sum())
    fn = int((~pred & truth).sum())
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f, "tp": tp, "fp": fp, "fn": fn}


def _split_heldout(lab: np.ndarray, share: float, rng: np.random.Generator) -> np.ndarray:
    """Boolean mask of held-out labelled rows: ``share`` of each class (stratified), leaving at
    least MIN_PER_CLASS of each class for training; empty when ``share`` is 0."""
    held = np.zeros(len(lab), dtype=bool)
    if share <= 0:
        return held
    for cls in (0, 1):
        idx = np.flatnonzero(lab == cls)
        k = int(round(share * len(idx)))
        k = min(k, max(0, len(idx) - MIN_PER_CLASS))
        if k > 0:
            held[rng.choice(idx, size=k, replace=False)] = True
    return held


def _weak_rows(lab_train: np.ndarray, rule: np.ndarray, cap: int, rng: np.random.Generator) -> np.ndarray:
    """Unlabelled rows (-1; rows marked -2 are left out) used as weak labels: rule matches
    (weakly relevant) and a random sample of non-matches (weakly not relevant), at most
    ``cap`` rows of which matches are at most half."""
    free = lab_train == -1
    m = np.flatnonzero(free & rule)
    u = np.flatnonzero(free & ~rule)
    n_m = min(len(m), cap // 2)
    n_u = min(len(u), cap - n_m)
    if n_m < len(m):
        m = rng.choice(m, size=n_m, replace=False)
    if n_u < len(u):
        u = rng.choice(u, size=n_u, replace=False)
    return np.sort(np.concatenate([m, u]))


def _fit(M: Matrix, rule: np.ndarray, lab: np.ndarray, rng: np.random.Generator, *,
         weak_cap: int, weak_weight: float, c: float) -> tuple[np.ndarray, float]:
    """Fit a logistic regression on labelled rows (weight 1, classes balanced) plus weak rows
    (``weak_weight`` shared among them, so the cap only trades speed for noise); return
    (coefficients over vocabulary + rule column, intercept)."""
    from sklearn.linear_model import LogisticRegression

    labelled = np.flatnonzero(lab >= 0)
    weak = _weak_rows(lab, rule, weak_cap, rng) if weak_weight > 0 else np.array([], dtype=np.int64)
    rows = np.concatenate([labelled, weak])
    y = np.concatenate([lab[labelled].astype(np.int8), rule[weak].astype(np.int8)])
    # analyst labels: each class weighs the same in total (labelled sets are small and skewed)
    y_l = lab[labelled]
    n_pos, n_neg = int((y_l == 1).sum()), int((y_l == 0).sum())
    w_l = np.where(y_l == 1, len(y_l) / (2.0 * n_pos), len(y_l) / (2.0 * n_neg))
    w = np.concatenate([w_l, np.full(len(weak), weak_weight / max(len(weak), 1))])
    Xr = M.with_rule(rule, rows)
    clf = LogisticRegression(C=c, solver="lbfgs", max_iter=500, tol=1e-6)
    clf.fit(Xr, y, sample_weight=w)
    return clf.coef_.ravel().astype(np.float64), float(clf.intercept_[0])


def _best_threshold(scores: np.ndarray, y: np.ndarray) -> float:
    """Threshold maximising F1 of ``scores >= t`` on labels ``y``: halfway (in logit space)
    between the lowest score kept and the next lower one."""
    order = np.argsort(-scores, kind="stable")
    s, yy = scores[order], y[order].astype(np.int64)
    tp = np.cumsum(yy)
    k = np.arange(1, len(s) + 1)
    last = np.r_[s[1:] != s[:-1], True]      # cut only between distinct scores
    f1 = np.where(last, 2 * tp / (k + yy.sum()), -1.0)
    i = int(np.argmax(f1))
    lo = s[i + 1] if i + 1 < len(s) else max(s[i] / 2, 1e-9)
    z = (_logit(s[i]) + _logit(lo)) / 2
    return float(sigmoid(z))


def _logit(p: float) -> float:
    p = min(max(float(p), 1e-12), 1 - 1e-12)
    return math.log(p / (1 - p))


def _tune_threshold(M: Matrix, rule: np.ndarray, lab: np.ndarray, rng: np.random.Generator, folds: int,
                    weak_cap: int, weak_weight: float, c: float) -> float:
    """Decision threshold from out-of-fold scores of the training labels (``lab`` >= 0):
    stratified ``folds``-fold cross-validation, each fold's model trained without that fold."""
    idx = np.flatnonzero(lab >= 0)
    y = lab[idx]
    k = min(folds, int((y == 1).sum()), int((y == 0).sum()))
    if k < 2:
        return 0.5
    fold = np.empty(len(idx), dtype=np.int64)
    for cls in (0, 1):
        pos = np.flatnonzero(y == cls)
        fold[pos] = rng.permutation(np.arange(len(pos)) % k)
    oof = np.empty(len(idx), dtype=np.float64)
    for f in range(k):
        test = idx[fold == f]
        lab_f = lab.copy()
        lab_f[test] = -2
        if len(np.unique(lab_f[lab_f >= 0])) < 2:
            return 0.5
        coef, b = _fit(M, rule, lab_f, rng, weak_cap=weak_cap, weak_weight=weak_weight, c=c)
        X = M.with_rule(rule, test)
        oof[fold == f] = sigmoid(b + X @ coef)
    return _best_threshold(oof, y == 1)


def _to_model(topic_id: str, M: Matrix, coef: np.ndarray, intercept: float, max_features: int,
              min_abs: float) -> TopicModel:
    """Prune coefficients to at most ``max_features`` with ``|w| >= min_abs`` (the rule
    feature is always kept) and wrap them in a TopicModel."""
    names = np.concatenate([M.vocabulary, np.array([FEATURE_RULE], dtype=object)])
    keep = np.flatnonzero(np.abs(coef) >= min_abs)
    if len(keep) > max_features:
        keep = keep[np.argsort(-np.abs(coef[keep]), kind="stable")[:max_features]]
    weights = {str(names[i]): float(coef[i]) for i in sorted(keep.tolist())}
    weights.setdefault(FEATURE_RULE, float(coef[-1]))
    return TopicModel(topic_id=topic_id, weights=weights, intercept=intercept)


def _weight_vector(model: TopicModel, M: Matrix) -> tuple[np.ndarray, float]:
    """The model's weights aligned to ``M``'s vocabulary, and its rule weight."""
    w = np.zeros(len(M.vocabulary), dtype=np.float64)
    if len(M.vocabulary):
        index = {name: i for i, name in enumerate(M.vocabulary.tolist())}
        for name, v in model.weights.items():
            j = index.get(name)
            if j is not None:
                w[j] = v
    return w, float(model.weights.get(FEATURE_RULE, 0.0))


def _logits(model: TopicModel, M: Matrix, rule: np.ndarray) -> np.ndarray:
    w, w_rule = _weight_vector(model, M)
    return model.intercept + (M.X @ w if M.X.shape[1] else 0.0) + w_rule * np.asarray(rule, np.float64)


def train_matrix(topic_id: str, M: Matrix, rule_match: Sequence[bool], labels: Sequence[bool | None], *,
                 seed: int = 0, heldout_share: float = 0.25, weak_cap: int = WEAK_CAP,
                 weak_weight: float = WEAK_WEIGHT, c: float = C, max_features: int = MAX_FEATURES,
                 min_abs_weight: float = MIN_ABS_WEIGHT, refit: bool = True, folds: int = FOLDS) -> TopicModel:
    """:func:`train` on an already vectorized corpus (``M`` rows = posts); ``labels`` may
    also be an int8 array (1 relevant, 0 not, -1 unlabelled).  ``folds`` < 2 keeps the
    threshold at 0.5; ``refit=False`` returns the model fitted without the held-out labels."""
    rule = np.asarray(rule_match, dtype=bool)
    lab = labels if isinstance(labels, np.ndarray) and labels.dtype == np.int8 else _labels_array(labels)
    if not (M.X.shape[0] == len(rule) == len(lab)):
        raise ValueError("texts, rule_match and labels must have the same length")
    _check_labels(lab, topic_id)
    rng = np.random.default_rng(seed)
    held = _split_heldout(lab, heldout_share, rng)
    lab_train = np.where(held, -1, lab).astype(np.int8)
    # held-out rows (-2) are neither labelled nor weak while the metrics' model is fitted
    coef, b = _fit(M, rule, np.where(held, -2, lab).astype(np.int8), rng,
                   weak_cap=weak_cap, weak_weight=weak_weight, c=c)
    model = _to_model(topic_id, M, coef, b, max_features, min_abs_weight)
    model.threshold = _tune_threshold(M, rule, np.where(held, -2, lab).astype(np.int8), rng, folds, weak_cap,
                                      weak_weight, c) if folds > 1 else 0.5
    n_labels = int((lab >= 0).sum())
    metrics: dict = {"n_labels": n_labels, "n_positive": int((lab == 1).sum()),
                     "n_negative": int((lab == 0).sum()), "n_train_labels": int((lab_train >= 0).sum()),
                     "n_heldout": int(held.sum()), "heldout_share": heldout_share, "seed": seed,
                     "weak_weight": weak_weight, "n_posts": int(len(lab)), "rule_matches": int(rule.sum())}
    if held.any():
        p = sigmoid(_logits(model, M, rule)[held]) >= model.threshold
        truth = lab[held] == 1
        mm, rr = _prf(p, truth), _prf(rule[held], truth)
        metrics["heldout"] = {"positives": int(truth.sum()), "negatives": int((~truth).sum()),
                              "model": mm, "rule": rr}
    if refit and held.any():
        coef, b = _fit(M, rule, lab, rng, weak_cap=weak_cap, weak_weight=weak_weight, c=c)
        threshold = model.threshold
        model = _to_model(topic_id, M, coef, b, max_features, min_abs_weight)
        model.threshold = threshold
        metrics["refit_on_all_labels"] = True
    else:
        metrics["refit_on_all_labels"] = False
    model.metrics = metrics
    return model


def train(topic_id: str, texts: Sequence[str], rule_match: Sequence[bool], labels: Sequence[bool | None], *,
          seed: int = 0, heldout_share: float = 0.25, weak_cap: int = WEAK_CAP, **kwargs) -> TopicModel:
    """Train a topic's model.

    ``texts`` are post texts (raw or match texts: they are normalized either way),
    ``rule_match`` whether the topic's query matches each post, ``labels`` the analysts'
    relevance labels (True / False / None = unlabelled).  Only the labelled posts and a random
    sample of at most ``weak_cap`` unlabelled ones (the weak labels) are vectorized, so the
    cost does not grow with the corpus.  A stratified ``heldout_share`` of the labels is held
    out to measure the model and the rule (``model.metrics["heldout"]``); the threshold is
    tuned by cross-validation on the other labels, and the returned model is refit on every
    label.  Raises ValueError when there are fewer than MIN_LABELS labels or not both classes.
    """
    lab = _labels_array(labels)
    rule = np.asarray(rule_match, dtype=bool)
    if not (len(texts) == len(rule) == len(lab)):
        raise ValueError("texts, rule_match and labels must have the same length")
    _check_labels(lab, topic_id)
    rng = np.random.default_rng(seed)
    rows = np.sort(np.concatenate([np.flatnonzero(lab >= 0), _weak_rows(lab, rule, weak_cap, rng)]))
    M = Matrix.build([match_text(texts[i]) for i in rows.tolist()])
    model = train_matrix(topic_id, M, rule[rows], lab[rows], seed=seed, heldout_share=heldout_share,
                         weak_cap=weak_cap, **kwargs)
    model.metrics["n_posts"] = int(len(lab))
    model.metrics["rule_matches"] = int(rule.sum())
    return model


def score(model: TopicModel, texts: Iterable[str], rule_match: Sequence[bool]) -> np.ndarray:
    """Scores in [0, 1] of posts (Python twin of the SQL scoring)."""
    out = []
    w = model.weights
    for text, r in zip(texts, rule_match):
        z = model.intercept + sum(w.get(f, 0.0) for f in features(match_text(text), bool(r)))
        out.append(z)
    return sigmoid(np.asarray(out, dtype=np.float64))


def score_matrix(model: TopicModel, M: Matrix, rule_match: Sequence[bool]) -> np.ndarray:
    """:func:`score` on an already vectorized corpus.  Features outside ``M``'s vocabulary are
    ignored: equal to :func:`score` when every weighted feature is in it (``M`` built over a
    superset of the training posts, or with ``min_df=1``)."""
    return sigmoid(_logits(model, M, np.asarray(rule_match, bool)))


# ----------------------------------------------------------------------------- suggest


def suggest(model: TopicModel | None, texts: Sequence[str], rule_match: Sequence[bool],
            already_labelled_mask: Sequence[bool], k: int, seed: int = 0, *,
            scores: np.ndarray | None = None) -> np.ndarray:
    """Indices of up to ``k`` unlabelled posts an analyst should label next.

    Without a model: half random rule matches, half random non-matches.  With a model: 60%
    the most uncertain posts (score closest to the threshold, one post per distinct score so
    near-identical posts are not all picked), 20% random rule matches and 20% random
    non-matches.  ``scores`` may pass precomputed model scores.
    """
    rule = np.asarray(rule_match, dtype=bool)
    done = np.asarray(already_labelled_mask, dtype=bool)
    rng = np.random.default_rng(seed)
    chosen: list[int] = []
    taken = done.copy()

    def take_random(pool: np.ndarray, n: int) -> None:
        pool = pool[~taken[pool]]
        if n <= 0 or not len(pool):
            return
        pick = rng.choice(pool, size=min(n, len(pool)), replace=False)
        taken[pick] = True
        chosen.extend(pick.tolist())

    if model is None:
        half = k // 2
        take_random(np.flatnonzero(rule), k - half)
        take_random(np.flatnonzero(~rule), k - len(chosen))
    else:
        s = scores if scores is not None else score(model, texts, rule)
        z = np.log(np.clip(s, 1e-12, 1)) - np.log(np.clip(1 - s, 1e-12, 1))
        dist = np.abs(z - model.threshold_logit)
        n_unc = int(round(0.6 * k))
        cand = np.flatnonzero(~taken)
        order = cand[np.argsort(dist[cand], kind="stable")]
        # one post per distinct score (rounded): near-duplicates carry no new information
        _, first = np.unique(np.round(s[order], 6), return_index=True)
        distinct = order[np.sort(first)][:n_unc]
        taken[distinct] = True
        chosen.extend(distinct.tolist())
        n_rest = k - len(chosen)
        take_random(np.flatnonzero(rule), n_rest // 2)
        take_random(np.flatnonzero(~rule), k - len(chosen))
    # fill up from anything left (small corpora)
    if len(chosen) < k:
        take_random(np.flatnonzero(~taken), k - len(chosen))
    return np.asarray(chosen[:k], dtype=np.int64)
