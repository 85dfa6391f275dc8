"""Interaction edges (reply, share, quote, mention) between accounts per topic and Lima month:
escucha.graph.interactions over the relevant posts of each topic. Incremental by slice
(escucha.graph.refresh): the months the run's window touches, and the whole year of a topic whose
rules or model changed."""
from escucha.graph import refresh
from escucha.run_window import window
from escucha.graph.interactions import edges_sql


def model(dbt, session):
    dbt.config(materialized="incremental", incremental_strategy="append")
    # read as plain statements: dbt passes a model only the config keys it finds read this way
    # (one nested in another expression, as in *window(dbt.config.get(...)), is not found)
    min_date, max_date = dbt.config.get("min_date"), dbt.config.get("max_date")
    dbt.ref("fct_posts").create_view("graph_posts", replace=True)
    dbt.ref("fct_post_topics").create_view("graph_post_topics", replace=True)
    dbt.ref("dim_authors").create_view("graph_authors", replace=True)
    versions, plan = refresh.plan_model(dbt, session, "month", "graph_post_topics",
                                        *window(min_date, max_date))
    topic_posts = refresh.topic_posts_view(session, "graph_topic_posts", "graph_posts", "graph_post_topics",
                                           plan, "month")
    # the edges stay in DuckDB (escucha.graph.interactions.edges_sql: the same SQL build_edges runs)
    return refresh.with_versions_sql(session, edges_sql(topic_posts, "graph_authors", "month", "graph_posts"),
                                     versions)
