"""Communities (echo chambers) per topic and Lima quarter: Louvain on the quarter's interaction graph
of the topic, with the same accounts' interactions elsewhere in the quarter as context
(escucha.graph.communities). One row per account: its community, degree, PageRank and handle.
Incremental by slice: the quarters the run's window touches, and every quarter of a topic whose rules
or model changed. Computed one topic at a time: the quarters' context graph stays in DuckDB, and only
the part between a topic's own accounts reaches Python, its accounts numbered in the order of their
keys (refresh.number_accounts: the same graphs, and pandas works on integers, not text)."""
from escucha.graph import refresh
from escucha.run_window import window
from escucha.graph.communities import context_pairs, memberships
from escucha.graph.interactions import edges_among_sql, normalise_edges, period_expr, regroup_edges_sql


def model(dbt, session):
    dbt.config(materialized="incremental", incremental_strategy="append")
    # read as plain statements: dbt passes a model only the config keys it finds read this way
    # (one nested in another expression, as in *window(dbt.config.get(...)), is not found)
    min_date, max_date = dbt.config.get("min_date"), dbt.config.get("max_date")
    dbt.ref("fct_post_topics").create_view("community_post_topics", replace=True)
    dbt.ref("dim_authors").create_view("community_authors", replace=True)
    dbt.ref("int_topic_interactions_counted").create_view("community_topic_edges", replace=True)
    dbt.ref("int_account_interactions_counted").create_view("community_context_edges", replace=True)
    versions, plan = refresh.plan_model(dbt, session, "quarter", "community_post_topics",
                                        *window(min_date, max_date), cadence=True)
    quarter = period_expr("quarter", "period_start")
    # context for the quarters being recomputed (every quarter when a stale topic needs its year)
    context_where = "true" if plan.full or plan.stale_topics else plan.where(quarter, topic_col="'*'")
    session.execute("create or replace temp table community_context_quarters as "
                    + regroup_edges_sql("community_context_edges", "quarter", context_where))   # once for every topic

    def detect(topic: str):
        where = f"topic_id = {refresh.sql_text(topic)} and {plan.where(quarter)}"
        # the topic's quarterly edges are summed once: they go to Python and pick the context
        session.execute("create or replace temp table community_topic_quarters as "
                        + regroup_edges_sql("community_topic_edges", "quarter", where))
        keys = refresh.number_accounts(session, "community_topic_quarters", "community_nodes")
        session.execute("create or replace temp view community_node_handles as select n.node as author_key, "
                        "a.handle from community_authors as a join community_nodes as n using (author_key)")
        edges = normalise_edges(session.sql(
            refresh.numbered_edges_sql("community_topic_quarters", "community_nodes")).df())
        among = edges_among_sql("community_context_quarters", "community_topic_quarters")
        context = context_pairs(normalise_edges(session.sql(
            refresh.numbered_edges_sql(f"({among})", "community_nodes")).df()))
        members = memberships(session, "community_node_handles", edges, context)
        members["author_key"] = keys[members["author_key"].to_numpy(dtype="int64")]
        return refresh.with_versions(members, versions, plan)

    detected = refresh.per_topic(session, sorted(versions), detect, "int_community_members_detected", plan,
                                 str(dbt.this) if dbt.is_incremental else None)
    session.execute("drop view if exists community_node_handles; drop table community_context_quarters; "
                    "drop table if exists community_topic_quarters; drop table if exists community_nodes")
    return detected
