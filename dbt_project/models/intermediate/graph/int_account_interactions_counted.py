"""Interaction edges between accounts per Lima month over every post, whatever its topic (topic_id
'*'): the context community detection borrows to see how accounts align beyond one topic.
Incremental: the months the run's window touches."""
from escucha.graph import refresh
from escucha.run_window import window
from escucha.graph.interactions import edges_sql, period_expr


def model(dbt, session):
    dbt.config(materialized="incremental", incremental_strategy="append")
    # read as plain statements: dbt passes a model only the config keys it finds read this way
    # (one nested in another expression, as in *window(dbt.config.get(...)), is not found)
    min_date, max_date = dbt.config.get("min_date"), dbt.config.get("max_date")
    dbt.ref("fct_posts").create_view("context_posts_all", replace=True)
    dbt.ref("dim_authors").create_view("context_authors", replace=True)
    # one pseudo-topic, "*": every post
    versions, plan = refresh.plan_model(dbt, session, "month", None,
                                        *window(min_date, max_date))
    session.execute("create or replace temp view context_posts as select * from context_posts_all "
                    f"where {plan.where(period_expr('month'), topic_col=repr('*'))}")
    # the edges stay in DuckDB: over a year of every post they are the largest graph table
    session.execute("create or replace temp view context_topic_posts as select *, '*' as topic_id from context_posts")
    edges = edges_sql("context_topic_posts", "context_authors", "month", "context_posts_all")
    return refresh.with_versions_sql(session, edges, versions)
