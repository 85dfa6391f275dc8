"""Which posts match which topic by its rules (the topic's boolean query).

Every current topic version is compiled by escucha.topics.matching into one DuckDB statement in
which each term is a parameter: user text never becomes SQL. Posts are read once. An incremental
run re-matches the run's window of days for every topic, and the whole year for each topic whose
version differs from the one marts.dim_topics records as applied (a changed query, a new topic).
"""
from datetime import date

from escucha.run_window import window
from escucha.topics.matching import TopicRule, rule_matches_sql


def applied_versions(session) -> dict[str, int]:
    """Topic versions the last successful build applied (marts.dim_topics), if it exists."""
    exists = session.execute(
        "select count(*) from information_schema.tables where table_schema = 'marts' "
        "and table_name = 'dim_topics'").fetchone()[0]
    if not exists:
        return {}
    return dict(session.execute("select topic_id, topic_version from marts.dim_topics").fetchall())


def model(dbt, session):
    dbt.config(materialized="incremental", incremental_strategy="append")
    # read as plain statements: dbt passes a model only the config keys it finds read this way
    # (one nested in another expression, as in *window(dbt.config.get(...)), is not found)
    min_date, max_date = dbt.config.get("min_date"), dbt.config.get("max_date")
    start, end = (date.fromisoformat(d) for d in window(min_date, max_date))
    dbt.ref("int_posts_searchable").create_view("topic_match_posts", replace=True)
    current = dbt.ref("stg_topics__versions").filter("is_current and active") \
        .project("topic_id, topic_version, query").order("topic_id").fetchall()
    incremental = dbt.is_incremental
    applied = applied_versions(session) if incremental else {}
    rules = [TopicRule(t, v, q, whole_year=not incremental or applied.get(t) != v) for t, v, q in current]
    if incremental:
        stale = [r.topic_id for r in rules if r.whole_year]
        session.execute(
            f"delete from {dbt.this} where created_at >= cast(? as date) and created_at < cast(? as date) + 1 "
            f"or topic_id in (select unnest(?::varchar[])) "
            f"or topic_id not in (select unnest(?::varchar[]))",
            [start.isoformat(), end.isoformat(), stale, [r.topic_id for r in rules]])
    sql, params = rule_matches_sql(rules, "topic_match_posts", start=start, end=end,
                                   mask_column="words_mask")
    session.execute(f"create or replace temp table topic_rule_matches as {sql}", params)
    return session.table("topic_rule_matches")
