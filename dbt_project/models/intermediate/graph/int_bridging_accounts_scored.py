"""Accounts that bridge communities per topic and Lima quarter: participation coefficient across
communities and the share of their interaction that crosses to other communities
(escucha.graph.communities.bridges). Incremental by slice, like the memberships; one topic at a time."""
from escucha.graph import refresh
from escucha.run_window import window
from escucha.graph.communities import bridges


def model(dbt, session):
    dbt.config(materialized="incremental", incremental_strategy="append")
    # read as plain statements: dbt passes a model only the config keys it finds read this way
    # (one nested in another expression, as in *window(dbt.config.get(...)), is not found)
    min_date, max_date = dbt.config.get("min_date"), dbt.config.get("max_date")
    dbt.ref("fct_post_topics").create_view("bridging_post_topics", replace=True)
    dbt.ref("int_topic_interactions_counted").create_view("bridging_edges_all", replace=True)
    dbt.ref("int_community_members_detected").create_view("bridging_members_all", replace=True)
    versions, plan = refresh.plan_model(dbt, session, "quarter", "bridging_post_topics",
                                        *window(min_date, max_date), cadence=True)

    def score(topic: str):
        edges, members = refresh.quarter_graph(session, "bridging_edges_all", "bridging_members_all", topic, plan)
        return refresh.with_versions(bridges(edges, members), versions, plan)

    return refresh.per_topic(session, sorted(versions), score, "int_bridging_accounts_scored", plan,
                             str(dbt.this) if dbt.is_incremental else None)
