"""The topic models: each current topic's model trained again when its labels or its query changed
since its last model, else kept (escucha.topics.models). A new model is stored as the next version
under <data home>/topics/models/<topic>/; every version, with its held-out evaluation, and the
current weights are exported to lake/_meta (topic_models.parquet, topic_model_weights.parquet), which
stg_topics__models and stg_topics__model_weights read. One row per current topic: what this build
did with it.

Training runs here, inside the build, so that one dbt process builds the whole warehouse: it needs
the match texts, rule matches and labels built before it, and scoring (int_post_topic_scores) needs
its weights after it."""
import pandas as pd

from escucha.home import data_home
from escucha.topics.models import TrainingInputs, export_models, train_topics

COLUMNS = {"topic_id": "str", "topic_version": "int64", "status": "str", "model_version": "Int64",
           "labels": "Int64", "message": "str"}


def model(dbt, session):
    dbt.config(materialized="table")
    dbt.ref("int_posts_searchable").create_view("training_searchable", replace=True)
    dbt.ref("int_post_topics_matched").create_view("training_matched", replace=True)
    dbt.ref("stg_labels__topic_labels").create_view("training_labels", replace=True)
    topics = dbt.ref("stg_topics__versions").filter("is_current and active") \
        .project("topic_id, topic_version").order("topic_id").fetchall()
    home = data_home()
    outcomes = train_topics(home, [(t, int(v)) for t, v in topics], session,
                            TrainingInputs("training_searchable", "training_matched", "training_labels"))
    export_models(home, [t for t, _ in topics], home.lake / "_meta")
    versions = dict(topics)
    rows = [{"topic_id": o.topic_id, "topic_version": versions[o.topic_id], "status": o.status,
             "model_version": o.model.version if o.model else None,
             "labels": o.model.record()["labels"] if o.model else None, "message": o.message}
            for o in outcomes]
    return pd.DataFrame(rows, columns=list(COLUMNS)).astype(COLUMNS)
