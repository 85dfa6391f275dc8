"""Cross-community exposure per topic and Lima quarter: the share of the topic's interaction that
crosses between communities, against the share expected if interaction ignored communities
(escucha.graph.communities.exposure). Incremental by slice, like the memberships; one topic at a time."""
from escucha.graph import refresh
from escucha.graph.communities import exposure
from escucha.graph.interactions import normalise_edges, period_expr, regroup_edges_sql


def model(dbt, session):
    dbt.config(materialized="incremental", incremental_strategy="append")
    dbt.ref("fct_post_topics").create_view("exposure_post_topics", replace=True)
    dbt.ref("int_topic_interactions_counted").create_view("exposure_edges_all", replace=True)
    dbt.ref("int_community_members_detected").create_view("exposure_members_all", replace=True)
    versions, plan = refresh.plan_model(dbt, session, "quarter", "exposure_post_topics",
                                        dbt.config.get("min_date"), dbt.config.get("max_date"))
    quarter = period_expr("quarter", "period_start")

    def measure(topic: str):
        only = f"topic_id = {refresh.sql_text(topic)}"
        edges = normalise_edges(session.sql(
            regroup_edges_sql("exposure_edges_all", "quarter", f"{only} and {plan.where(quarter)}")).df())
        members = refresh.read_slices(session, f"(select * from exposure_members_all where {only})", plan)
        return refresh.with_versions(exposure(edges, members), versions)

    return refresh.per_topic(session, sorted(versions), measure, "int_topic_exposure_measured")
