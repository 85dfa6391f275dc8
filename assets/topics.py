"""Topics: the programmes' registry exported for dbt, and what the UI shows of the per-topic models
that dbt trains from analysts' labels (int_topic_models_trained: versioned, with their held-out
evaluation as metadata)."""
from collections.abc import Iterator
from typing import Any

import dagster as dg
import pyarrow.parquet as pq

from escucha.home import DataHome
from escucha.topics.registry import Registry
from orchestration.resources import EscuchaHome

REGISTRY = dg.AssetKey(["topics", "registry"])
PROGRAMMES = dg.AssetKey(["topics", "programmes"])
#: the dbt model that trains the topic models (dbt_project/models/intermediate/topics)
TRAINED = dg.AssetKey(["intermediate", "int_topic_models_trained"])


@dg.multi_asset(
    specs=[
        dg.AssetSpec(REGISTRY, group_name="topics",
                     description="Every version of every topic (<home>/topics/history.jsonl), exported to "
                                 "lake/_meta/topic_versions.parquet."),
        dg.AssetSpec(PROGRAMMES, group_name="topics",
                     description="Programmes, focal points and recipients (config/programmes.yaml), exported "
                                 "to lake/_meta/programmes.parquet."),
    ],
)
def topic_registry(context: dg.AssetExecutionContext, escucha_home: EscuchaHome) -> Iterator[dg.MaterializeResult]:
    """Export the registry for dbt (lake/_meta)."""
    home = escucha_home.home()
    registry = Registry.open(home)
    registry.export(home.lake / "_meta")
    current = registry.current()
    yield dg.MaterializeResult(asset_key=REGISTRY, metadata={
        "topics": len(current),
        "versions": dg.MetadataValue.md("\n".join(
            f"- **{t.topic_id}** v{t.version} by {t.changed_by}: `{t.query}`" for t in current))})
    yield dg.MaterializeResult(asset_key=PROGRAMMES, metadata={"programmes": len(registry.programmes())})


def _fmt(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}"


def training_metadata(home: DataHome) -> dict[str, Any]:
    """The current topic models and their held-out evaluation (lake/_meta/topic_models.parquet, written
    by the dbt model int_topic_models_trained), as the UI shows them on that model: a table, the number
    of topics with a model, and each topic's precision, recall and F1."""
    path = home.lake / "_meta" / "topic_models.parquet"
    records = pq.read_table(path).to_pylist() if path.is_file() else []
    current = sorted((r for r in records if r["is_current"]), key=lambda r: r["topic_id"])
    rows = ["| topic | model | trained at (UTC) | labels | held-out P / R / F1 (model) | (rules) |",
            "|---|---|---|---|---|---|"]
    numbers: dict[str, float] = {}
    for r in current:
        rows.append(f"| {r['topic_id']} | v{r['model_version']} | {r['trained_at']:%Y-%m-%d %H:%M} | {r['labels']} | "
                    f"{_fmt(r['model_precision'])} / {_fmt(r['model_recall'])} / {_fmt(r['model_f1'])} | "
                    f"{_fmt(r['rule_precision'])} / {_fmt(r['rule_recall'])} / {_fmt(r['rule_f1'])} |")
        for k in ("model_precision", "model_recall", "model_f1", "rule_f1"):
            if r[k] is not None:
                numbers[f"{r['topic_id']} {k}"] = float(r[k])
    return {"evaluation": dg.MetadataValue.md("\n".join(rows)), "with_model": len(current), **numbers}
