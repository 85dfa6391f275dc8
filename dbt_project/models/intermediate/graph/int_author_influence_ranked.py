"""Influence per account, topic and Lima month: posts, engagement received, reach, engagement rate,
weighted PageRank on the month's interaction graph, and an overall rank with the measures that put
the account there (escucha.graph.influence). Incremental by slice, like the interactions; computed
one topic at a time (ranks are within a topic and month)."""
from escucha.graph import refresh
from escucha.run_window import window
from escucha.graph.influence import influence
from escucha.graph.interactions import normalise_edges


def model(dbt, session):
    dbt.config(materialized="incremental", incremental_strategy="append")
    # read as plain statements: dbt passes a model only the config keys it finds read this way
    # (one nested in another expression, as in *window(dbt.config.get(...)), is not found)
    min_date, max_date = dbt.config.get("min_date"), dbt.config.get("max_date")
    dbt.ref("fct_posts").create_view("influence_posts", replace=True)
    dbt.ref("fct_post_topics").create_view("influence_post_topics", replace=True)
    dbt.ref("dim_authors").create_view("influence_authors", replace=True)
    dbt.ref("int_topic_interactions_counted").create_view("influence_edges_all", replace=True)
    versions, plan = refresh.plan_model(dbt, session, "month", "influence_post_topics",
                                        *window(min_date, max_date), cadence=True)

    def rank(topic: str):
        topic_posts = refresh.topic_posts_view(session, "influence_topic_posts", "influence_posts",
                                               "influence_post_topics", plan, "month", topic)
        edges = normalise_edges(session.sql(f"select * from influence_edges_all where topic_id = "
                                            f"{refresh.sql_text(topic)} and {plan.where('period_start')}").df())
        ranked = influence(session, topic_posts, "influence_authors", "month", edges=edges)
        return refresh.with_versions(ranked, versions, plan)

    return refresh.per_topic(session, sorted(versions), rank, "int_author_influence_ranked", plan,
                             str(dbt.this) if dbt.is_incremental else None)
