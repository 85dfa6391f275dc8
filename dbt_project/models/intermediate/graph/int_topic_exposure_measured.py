"""Cross-community exposure per topic and Lima quarter: the share of the topic's interaction that
crosses between communities, against the share expected if interaction ignored communities
(escucha.graph.communities.exposure). Incremental by slice, like the memberships; one topic at a time."""
from escucha.graph import refresh
from escucha.run_window import window
from escucha.graph.communities import exposure


def model(dbt, session):
    dbt.config(materialized="incremental", incremental_strategy="append")
    # read as plain statements: dbt passes a model only the config keys it finds read this way
    # (one nested in another expression, as in *window(dbt.config.get(...)), is not found)
    min_date, max_date = dbt.config.get("min_date"), dbt.config.get("max_date")
    dbt.ref("fct_post_topics").create_view("exposure_post_topics", replace=True)
    dbt.ref("int_topic_interactions_counted").create_view("exposure_edges_all", replace=True)
    dbt.ref("int_community_members_detected").create_view("exposure_members_all", replace=True)
    versions, plan = refresh.plan_model(dbt, session, "quarter", "exposure_post_topics",
                                        *window(min_date, max_date), cadence=True)

    def measure(topic: str):
        edges, members = refresh.quarter_graph(session, "exposure_edges_all", "exposure_members_all", topic, plan)
        return refresh.with_versions(exposure(edges, members), versions, plan)

    return refresh.per_topic(session, sorted(versions), measure, "int_topic_exposure_measured", plan,
                             str(dbt.this) if dbt.is_incremental else None)
