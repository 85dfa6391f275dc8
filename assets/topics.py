"""Topics: the programmes' registry exported for dbt, and the per-topic models trained from
analysts' labels (versioned, with their held-out evaluation as metadata)."""
from collections.abc import Iterator

import dagster as dg
from escucha.topics.models import export_models, train_topics
from escucha.topics.registry import Registry
from orchestration.resources import EscuchaHome

REGISTRY = dg.AssetKey(["topics", "registry"])
PROGRAMMES = dg.AssetKey(["topics", "programmes"])
MODELS = dg.AssetKey(["topics", "models"])
MODEL_WEIGHTS = dg.AssetKey(["topics", "model_weights"])
# what training reads: the match texts, the rule matches and the labels, built by dbt
TRAINING_INPUTS = [dg.AssetKey(["intermediate", "int_posts_searchable"]),
                   dg.AssetKey(["intermediate", "int_post_topics_matched"]),
                   dg.AssetKey(["staging", "stg_labels__topic_labels"])]


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


@dg.multi_asset(
    specs=[
        dg.AssetSpec(MODELS, group_name="topics", deps=[REGISTRY, *TRAINING_INPUTS],
                     description="Per-topic relevance models trained on analysts' labels plus the rule "
                                 "matches (<home>/topics/models/<topic>/v<N>.json), with precision and "
                                 "recall on held-out labels."),
        dg.AssetSpec(MODEL_WEIGHTS, group_name="topics", deps=[REGISTRY, *TRAINING_INPUTS],
                     description="The current models' feature weights, which dbt scores in SQL."),
    ],
    pool="warehouse_writer",
)
def topic_models(context: dg.AssetExecutionContext, escucha_home: EscuchaHome) -> Iterator[dg.MaterializeResult]:
    """Retrain each topic whose labels or query changed; keep the others' current model."""
    home = escucha_home.home()
    current = Registry.open(home).current()
    outcomes = train_topics(home, [(t.topic_id, t.version) for t in current])
    export_models(home, [t.topic_id for t in current], home.lake / "_meta")
    rows = ["| topic | status | model | labels | held-out P / R / F1 (model) | (rules) |",
            "|---|---|---|---|---|---|"]
    numbers: dict[str, float] = {}
    for o in outcomes:
        if o.model is None:
            rows.append(f"| {o.topic_id} | {o.status} | – | – | – | – |")
            continue
        rec = o.model.record()
        rows.append(f"| {o.topic_id} | {o.status} | v{o.model.version} | {rec['labels']} | "
                    f"{_fmt(rec['model_precision'])} / {_fmt(rec['model_recall'])} / {_fmt(rec['model_f1'])} | "
                    f"{_fmt(rec['rule_precision'])} / {_fmt(rec['rule_recall'])} / {_fmt(rec['rule_f1'])} |")
        for k in ("model_precision", "model_recall", "model_f1", "rule_f1"):
            if rec[k] is not None:
                numbers[f"{o.topic_id} {k}"] = float(rec[k])
    trained = sum(o.status == "trained" for o in outcomes)
    context.log.info(f"topic models: {trained} trained, {len(outcomes) - trained} kept or without labels")
    yield dg.MaterializeResult(asset_key=MODELS, metadata={
        "evaluation": dg.MetadataValue.md("\n".join(rows)), "trained": trained,
        "with_model": sum(o.model is not None for o in outcomes), **numbers})
    yield dg.MaterializeResult(asset_key=MODEL_WEIGHTS, metadata={
        "models": sum(o.model is not None for o in outcomes)})
