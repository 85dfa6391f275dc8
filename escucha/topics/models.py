"""Topic models, versioned like topic queries: <data home>/topics/models/<topic>/v<N>.json.

A topic gets a new model version when its labels or its query version change (the training
fingerprint); otherwise the current version is kept. The current versions are exported into the
lake (topic_models.parquet with every version and its held-out evaluation, and
topic_model_weights.parquet with the current weights) for dbt to score in SQL. Training runs inside
the dbt build (the model int_topic_models_trained), between the models it reads and the ones that
score with its weights.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from escucha.home import DataHome
from escucha.topics.classifier import TopicModel, train

WEAK_SAMPLE = 200_000  # posts read for the rules' weak labels, besides every labelled post

MODELS_SCHEMA = pa.schema([
    ("topic_id", pa.string()), ("model_version", pa.int64()), ("topic_version", pa.int64()),
    ("trained_at", pa.timestamp("us")), ("labels", pa.int64()), ("heldout", pa.int64()),
    ("intercept", pa.float64()), ("threshold", pa.float64()),
    ("model_precision", pa.float64()), ("model_recall", pa.float64()), ("model_f1", pa.float64()),
    ("rule_precision", pa.float64()), ("rule_recall", pa.float64()), ("rule_f1", pa.float64()),
    ("fingerprint", pa.string()), ("is_current", pa.bool_()),
])
WEIGHTS_SCHEMA = pa.schema([
    ("topic_id", pa.string()), ("model_version", pa.int64()), ("feature", pa.string()),
    ("weight", pa.float64()),
])


@dataclass(frozen=True)
class StoredModel:
    topic_id: str
    version: int
    topic_version: int
    fingerprint: str
    trained_at: str
    model: TopicModel

    def record(self) -> dict:
        held = self.model.metrics.get("heldout", {})
        m, r = held.get("model", {}), held.get("rule", {})
        return {"topic_id": self.topic_id, "model_version": self.version, "topic_version": self.topic_version,
                "trained_at": datetime.fromisoformat(self.trained_at.replace("Z", "+00:00")).replace(tzinfo=None),
                "labels": self.model.metrics.get("n_labels", 0), "heldout": self.model.metrics.get("n_heldout", 0),
                "intercept": self.model.intercept, "threshold": self.model.threshold,
                "model_precision": m.get("precision"), "model_recall": m.get("recall"), "model_f1": m.get("f1"),
                "rule_precision": r.get("precision"), "rule_recall": r.get("recall"), "rule_f1": r.get("f1"),
                "fingerprint": self.fingerprint}


def models_dir(home: DataHome) -> Path:
    return home.topics / "models"


def stored_models(home: DataHome, topic_id: str) -> list[StoredModel]:
    """Every stored version of a topic's model, oldest first."""
    folder = models_dir(home) / topic_id
    out = []
    for path in sorted(folder.glob("v*.json"), key=lambda p: int(p.stem[1:])):
        d = json.loads(path.read_text(encoding="utf-8"))
        out.append(StoredModel(d["topic_id"], d["version"], d["topic_version"], d["fingerprint"],
                               d["trained_at"], TopicModel.from_json(json.dumps(d["model"]))))
    return out


def save_model(home: DataHome, topic_id: str, topic_version: int, fingerprint: str, model: TopicModel) -> StoredModel:
    """Store a new model version (atomically; versions are never overwritten)."""
    previous = stored_models(home, topic_id)
    version = (previous[-1].version + 1) if previous else 1
    stored = StoredModel(topic_id, version, topic_version, fingerprint,
                         datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"), model)
    folder = models_dir(home) / topic_id
    folder.mkdir(parents=True, exist_ok=True)
    payload = {"topic_id": topic_id, "version": version, "topic_version": topic_version,
               "fingerprint": fingerprint, "trained_at": stored.trained_at, "model": json.loads(model.to_json())}
    tmp = folder / f".v{version}.json.tmp"
    tmp.write_text(json.dumps(payload, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, folder / f"v{version}.json")
    return stored


@dataclass(frozen=True)
class TrainingInputs:
    """The relations training reads (names in the connection it is given): every post's match
    text, the rule matches and the analysts' labels."""
    searchable: str = "intermediate.int_posts_searchable"
    matched: str = "intermediate.int_post_topics_matched"
    labels: str = "staging.stg_labels__topic_labels"


def training_set(con: duckdb.DuckDBPyConnection, topic_id: str, inputs: TrainingInputs = TrainingInputs()
                 ) -> tuple[list[str], list[str], list[bool], list]:
    """Every labelled post of a topic plus a deterministic sample of the others:
    (post_keys, match texts, rule matched, label or None)."""
    total = con.execute(f"select count(*) from {inputs.searchable}").fetchone()[0]
    keep = min(1.0, WEAK_SAMPLE / max(total, 1))
    rows = con.execute(
        f"""
        select s.post_key, s.match_text, m.post_key is not null as rule_match, l.relevant
        from {inputs.searchable} as s
        left join {inputs.matched} as m on m.post_key = s.post_key and m.topic_id = ?
        left join {inputs.labels} as l on l.post_key = s.post_key and l.topic_id = ?
        where l.post_key is not null or (hash(s.post_key) % 1000000) < ? * 1000000
        order by s.post_key
        """, [topic_id, topic_id, keep]).fetchall()
    return [r[0] for r in rows], [r[1] for r in rows], [bool(r[2]) for r in rows], [r[3] for r in rows]


def fingerprint(con: duckdb.DuckDBPyConnection, topic_id: str, topic_version: int,
                inputs: TrainingInputs = TrainingInputs()) -> tuple[str, int]:
    """A digest of the topic's labels and query version, and the number of labels."""
    rows = con.execute(f"select post_key, relevant from {inputs.labels} where topic_id = ? "
                       "order by post_key", [topic_id]).fetchall()
    digest = hashlib.sha256(json.dumps([topic_version, rows]).encode()).hexdigest()
    return digest, len(rows)


def export_models(home: DataHome, topic_ids: list[str], folder: Path) -> None:
    """topic_models.parquet (every version of the given topics' models) and
    topic_model_weights.parquet (weights of each one's latest version), written atomically."""
    records, weights = [], []
    for topic_id in topic_ids:
        versions = stored_models(home, topic_id)
        for s in versions:
            records.append({**s.record(), "is_current": s is versions[-1]})
        if versions:
            cur = versions[-1]
            weights += [{"topic_id": topic_id, "model_version": cur.version, "feature": f, "weight": w}
                        for f, w in cur.model.weights.items()]
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows, schema in (("topic_models.parquet", records, MODELS_SCHEMA),
                               ("topic_model_weights.parquet", weights, WEIGHTS_SCHEMA)):
        tmp = folder / f".{name}.{os.getpid()}.tmp"
        pq.write_table(pa.Table.from_pylist(rows, schema=schema), tmp)
        os.replace(tmp, folder / name)


@dataclass(frozen=True)
class TrainingOutcome:
    topic_id: str
    status: str  # trained | unchanged | too_few_labels
    model: StoredModel | None
    message: str = ""


def train_topics(home: DataHome, topics: list[tuple[str, int]], con: duckdb.DuckDBPyConnection,
                 inputs: TrainingInputs = TrainingInputs(), *, seed: int = 0) -> list[TrainingOutcome]:
    """Train each (topic, current version) whose labels or query changed since its last model,
    reading ``inputs`` through ``con``."""
    outcomes = []
    for topic_id, topic_version in topics:
        digest, n_labels = fingerprint(con, topic_id, topic_version, inputs)
        previous = stored_models(home, topic_id)
        if previous and previous[-1].fingerprint == digest:
            outcomes.append(TrainingOutcome(topic_id, "unchanged", previous[-1]))
            continue
        if n_labels == 0:
            outcomes.append(TrainingOutcome(topic_id, "too_few_labels", previous[-1] if previous else None,
                                            "no labels"))
            continue
        _, texts, rule, labels = training_set(con, topic_id, inputs)
        try:
            model = train(topic_id, texts, rule, labels, seed=seed)
        except ValueError as exc:
            outcomes.append(TrainingOutcome(topic_id, "too_few_labels", previous[-1] if previous else None,
                                            str(exc)))
            continue
        outcomes.append(TrainingOutcome(topic_id, "trained",
                                        save_model(home, topic_id, topic_version, digest, model)))
    return outcomes
