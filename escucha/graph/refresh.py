"""Which (topic, period) slices of a graph table an incremental dbt build recomputes.

The graph tables (interactions, influence, communities) are built per topic and Lima calendar
period. A build over a window of UTC days recomputes, for every topic, the periods the window
touches (a UTC day reaches back into the previous Lima day), and the whole year of every topic whose
rules or model changed since the table was built (its ``topic_version`` / ``model_version`` differ
from those of ``fct_post_topics``), and drops topics that are no longer current. A build without a
window, or a first build, computes everything (and a build without a window first empties the table).

The graphs (influence, communities and what is read from them) are the costly slices, and a day adds
little to a month's or a quarter's graph: they refresh the period still running (the one holding the
window's last day) on a cadence, every ``ESCUCHA_GRAPH_REFRESH_DAYS`` days of data (default
:data:`DEFAULT_REFRESH_DAYS`; 1 = every build). A build keeps the running period's slices when they
were computed from data through a day before the window's first day and fewer than that many days
before its last; every slice records that day (``data_through``). A period that has closed, a window
that revises days a slice already holds, and a topic whose rules or model changed are always
recomputed, so only the newest days of a running period can wait, and the marts say how many.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import duckdb
import numpy as np
import pandas as pd

from .interactions import normalise_edges, period_expr, regroup_edges_sql, topic_posts_sql

#: a window starting on or before this day means "the whole warehouse"
_WHOLE = date(1900, 1, 1)

REFRESH_DAYS_ENV = "ESCUCHA_GRAPH_REFRESH_DAYS"
#: days of data after which a running period's graphs are computed again (a week: the digest's rhythm)
DEFAULT_REFRESH_DAYS = 7


def refresh_days() -> int:
    """The running period's graph cadence in days of data, from ``ESCUCHA_GRAPH_REFRESH_DAYS``
    (default :data:`DEFAULT_REFRESH_DAYS`; 1 refreshes it in every build)."""
    value = os.environ.get(REFRESH_DAYS_ENV, "").strip()
    if not value:
        return DEFAULT_REFRESH_DAYS
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"{REFRESH_DAYS_ENV} must be a whole number of days, 1 or more; got {value!r}")
    return int(value)


def topic_versions_sql(post_topics: str) -> str:
    """SQL: one row per topic of ``post_topics`` with the versions its verdicts come from."""
    return f"""
select topic_id, max(topic_version) as topic_version, max(model_version) as model_version
from {post_topics}
group by topic_id
"""


@dataclass(frozen=True)
class Refresh:
    """The slices a build recomputes; :meth:`where` turns them into a SQL filter."""

    full: bool
    first_period: date | None = None
    last_period: date | None = None
    stale_topics: tuple[str, ...] = field(default_factory=tuple)
    #: relation (registered on the connection) holding the stale topics' ids
    stale_relation: str = "refresh_stale_topics"
    #: the newest UTC day the build's data can hold (the window's last day, at most today)
    newest_day: date | None = None
    period: str = "month"
    #: the running period, when its slices are kept rather than computed again
    kept_period: date | None = None

    def topics_to_compute(self, topics: list[str]) -> list[str]:
        """The ``topics`` with a slice to compute: all of them when the build recomputes a period,
        else (the window lies inside a kept running period) only the stale ones."""
        if self.full or self.first_period <= self.last_period:
            return list(topics)
        return [t for t in topics if t in self.stale_topics]

    def data_through(self, start: date) -> date:
        """The last UTC day whose posts a slice of the period starting on ``start``, computed in this
        build, holds: the newest day, or the UTC day that completes the Lima period (which ends at
        05:00 UTC the next day)."""
        complete = period_end(start, self.period) + timedelta(days=1)
        return complete if self.newest_day is None else min(self.newest_day, complete)

    def where(self, period_expr: str, topic_col: str = "topic_id") -> str:
        """SQL predicate true for the rows of the slices to recompute (usable in views: the dates
        are literals formatted from dates, the topic ids come from :attr:`stale_relation`)."""
        if self.full:
            return "true"
        return (f"(({period_expr}) between date '{self.first_period.isoformat()}' "
                f"and date '{self.last_period.isoformat()}' "
                f"or {topic_col} in (select topic_id from {self.stale_relation}))")


def period_start(day: date, period: str) -> date:
    """First day of the Lima calendar month or quarter holding ``day``."""
    if period == "month":
        return day.replace(day=1)
    if period == "quarter":
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    raise ValueError(f"period must be month or quarter, got {period!r}")


def period_end(start: date, period: str) -> date:
    """Last day of the Lima calendar month or quarter holding ``start`` (pandas' calendar periods)."""
    return pd.Period(start, freq={"month": "M", "quarter": "Q"}[period]).end_time.date()


def utc_today() -> date:
    """Today's UTC day: no build holds posts of a later day."""
    return datetime.now(UTC).date()


def keeps_running_period(con: duckdb.DuckDBPyConnection, this: str, running: date, start: date, newest: date,
                         days: int, stale: tuple[str, ...]) -> bool:
    """True when the slices of the running period ``running`` in ``this`` may stay: every current
    topic's slices there hold data through a day before ``start`` (the window adds days, it does not
    revise them) and fewer than ``days`` days before ``newest``."""
    columns = {c for (c,) in con.execute(f"select column_name from (describe {this})").fetchall()}
    if days <= 1 or "data_through" not in columns:  # a table built before slices recorded it: recompute
        return False
    slices, oldest, unknown = con.execute(
        f"select count(*), min(data_through), count(*) - count(data_through) from {this} "
        "where period_start = ? and not list_contains(cast(? as varchar[]), topic_id)",
        [running, list(stale)]).fetchall()[0]
    return bool(slices) and not unknown and oldest < start and (newest - oldest).days < days


def plan(con: duckdb.DuckDBPyConnection, this: str | None, start: date, end: date, period: str,
         versions: dict[str, tuple[int | None, int | None]], cadence_days: int = 1) -> Refresh:
    """Decide the slices of ``this`` (None on a first or full-refresh build) to recompute, and delete
    them from ``this``. ``versions``: the current topics and their (topic_version, model_version);
    the table must have ``topic_id``, ``period_start``, ``topic_version`` and ``model_version``.
    ``cadence_days`` > 1 (a graph table with ``data_through``): the running period's slices may be
    kept (:func:`keeps_running_period`)."""
    newest = min(end, utc_today())
    if this is None:
        return Refresh(full=True, newest_day=newest, period=period)
    if start <= _WHOLE:  # every slice is recomputed, so none of the table's rows may stay
        con.execute(f"delete from {this}")
        return Refresh(full=True, newest_day=newest, period=period)
    first = period_start(start - timedelta(days=1), period)
    last = period_start(min(end, date(9999, 1, 1)), period)
    recorded = {t: (tv, mv) for t, tv, mv in con.execute(
        f"select topic_id, max(topic_version), max(model_version) from {this} group by topic_id").fetchall()}
    stale = tuple(sorted(t for t, v in versions.items() if recorded.get(t) != tuple(v)))
    kept = None
    if keeps_running_period(con, this, last, start, newest, cadence_days, stale):
        # only the periods before the running one (none, when the window lies inside it)
        kept, last = last, period_start(last - timedelta(days=1), period)
    refresh = Refresh(False, first, last, stale, newest_day=newest, period=period, kept_period=kept)
    con.register(refresh.stale_relation, pd.DataFrame({"topic_id": pd.Series(stale, dtype="string")}))
    con.execute(f"delete from {this} where {refresh.where('period_start')} "
                "or topic_id not in (select unnest(cast(? as varchar[])))", [sorted(versions)])
    return refresh


def current_versions(con: duckdb.DuckDBPyConnection, post_topics: str) -> dict[str, tuple[int | None, int | None]]:
    """The current topics of ``post_topics`` and their (topic_version, model_version)."""
    return {t: (tv, mv) for t, tv, mv in con.execute(topic_versions_sql(post_topics)).fetchall()}


def with_versions(frame: pd.DataFrame, versions: dict[str, tuple[int | None, int | None]],
                  refresh: Refresh | None = None) -> pd.DataFrame:
    """``frame`` (with ``topic_id``) plus the topic_version and model_version its figures come from;
    given the build's ``refresh``, also the day its period's data runs through (``data_through``,
    from ``period_start``)."""
    out = frame.copy()
    for i, column in enumerate(("topic_version", "model_version")):
        out[column] = out["topic_id"].map({t: v[i] for t, v in versions.items()}).astype("object").astype("Int64")
    if refresh is not None:
        out["data_through"] = out["period_start"].map(
            {p: refresh.data_through(p) for p in out["period_start"].unique()}).astype("object")
    return out


def with_versions_sql(con: duckdb.DuckDBPyConnection, query: str,
                      versions: dict[str, tuple[int | None, int | None]]) -> duckdb.DuckDBPyRelation:
    """:func:`with_versions` in DuckDB: the rows of ``query`` (with ``topic_id``) plus the
    topic_version and model_version their figures come from, as a relation of ``con``, so a large
    table never passes through pandas."""
    con.register("refresh_versions", pd.DataFrame(
        {"topic_id": pd.Series(list(versions), dtype="string"),
         "topic_version": pd.array([v[0] for v in versions.values()], dtype="Int64"),
         "model_version": pd.array([v[1] for v in versions.values()], dtype="Int64")}))
    return con.sql(f"select q.*, cast(v.topic_version as bigint) as topic_version, "
                   f"cast(v.model_version as bigint) as model_version "
                   f"from ({query}) as q left join refresh_versions as v using (topic_id)")


def read_slices(con: duckdb.DuckDBPyConnection, relation: str, refresh: Refresh) -> pd.DataFrame:
    """The rows of ``relation`` (with ``topic_id`` and ``period_start``) in the slices of ``refresh``,
    with ``period_start`` as Python dates (as the graph functions expect)."""
    frame = con.sql(f"select * from {relation} where {refresh.where('period_start')}").df()
    frame["period_start"] = pd.to_datetime(frame["period_start"]).dt.date
    return frame


#: SQL type of every column the graph tables can hold: an empty slice (no bridge in a quarter, say)
#: gives pandas columns without a type, which must not become columns of type NULL in the warehouse
COLUMN_TYPES: dict[str, str] = {
    **dict.fromkeys(["topic_id", "network", "source_key", "target_key", "kind", "author_key", "handle",
                     "rank_reasons"], "varchar"),
    **dict.fromkeys(["period_start", "data_through"], "date"),
    **dict.fromkeys(["weight", "posts", "original_posts", "engagement", "n_accounts", "overall_rank",
                     "network_rank", "community", "community_size", "neighbours", "size", "communities_reached",
                     "bridge_rank", "accounts", "communities", "topic_version", "model_version"], "bigint"),
    **dict.fromkeys(["followers", "engagement_rate", "interactions_received", "interactions_made", "pagerank",
                     "pagerank_pct", "engagement_pct", "followers_pct", "engagement_rate_pct", "posts_pct",
                     "score", "degree", "internal_weight", "external_weight", "external_share", "participation",
                     "total_weight", "cross_weight", "cross_share", "expected_cross_share", "exposure_ratio"],
                    "double"),
    **dict.fromkeys(["top_accounts", "top_handles", "top_hashtags", "top_words"], "varchar[]"),
}


def typed_select(frame: pd.DataFrame, view: str) -> str:
    """SQL selecting ``frame``'s columns from ``view`` (where it is registered) with the types of
    :data:`COLUMN_TYPES`."""
    return "select " + ", ".join(f'cast("{c}" as {COLUMN_TYPES[c]}) as "{c}"' if c in COLUMN_TYPES else f'"{c}"'
                                 for c in frame.columns) + f" from {view}"


def number_accounts(con: duckdb.DuckDBPyConnection, edges: str, nodes: str) -> np.ndarray:
    """Number the accounts at either end of the edges in ``edges`` 0, 1, 2, ... in the order of their
    keys, as the temporary table ``nodes`` (author_key, node); returns the keys in node order.

    pandas groups, sorts and joins integers several times faster than text keys, and igraph numbers
    a graph's nodes in the order of their names: a graph built on these numbers is the graph built on
    the keys, node for node and edge for edge. Map results back with the returned keys."""
    con.execute(f"create or replace temp table {nodes} as "
                "select author_key, cast(row_number() over (order by author_key) - 1 as bigint) as node "
                f"from (select source_key as author_key from {edges} union select target_key from {edges})")
    keys = con.execute(f"select author_key from {nodes} order by node").fetchnumpy()["author_key"]
    return np.asarray(keys, dtype=object)


def numbered_edges_sql(edges: str, nodes: str) -> str:
    """SQL: the edges of ``edges`` (:data:`EDGE_COLUMNS`) with both ends as their numbers in
    ``nodes`` (from :func:`number_accounts`); edges with an unnumbered end are left out."""
    return f"""
select e.topic_id, e.period_start, e.network, s.node as source_key, t.node as target_key, e.kind, e.weight
from {edges} as e
join {nodes} as s on s.author_key = e.source_key
join {nodes} as t on t.author_key = e.target_key
"""


def sql_text(value: str) -> str:
    """``value`` as a SQL string literal (quotes doubled), for views, which cannot take parameters."""
    return "'" + value.replace("'", "''") + "'"


def per_topic(con: duckdb.DuckDBPyConnection, topics: list[str], compute, name: str,
              refresh: Refresh | None = None, this: str | None = None) -> duckdb.DuckDBPyRelation:
    """Run ``compute(topic) -> DataFrame`` one topic at a time, appending each typed result to a
    temporary table, so only one topic's frames are in Python memory at once; returns the table.
    With no topic, ``compute('')`` gives the empty (typed) result. Given the build's ``refresh``,
    only the topics with a slice to compute (:meth:`Refresh.topics_to_compute`); when none is left
    and the table ``this`` exists, its columns with no row (a topic's query costs a scan of the
    posts even when its slices are empty)."""
    if refresh is not None:
        topics = refresh.topics_to_compute(topics)
        if not topics and this is not None:
            return con.sql(f"select * from {this} limit 0")
    out, view = f"{name}_by_topic", f"{name}_frame"
    con.execute(f"drop table if exists {out}")
    for i, topic in enumerate(topics or [""]):
        frame = compute(topic)
        con.register(view, frame)
        con.execute((f"create temp table {out} as " if i == 0 else f"insert into {out} ")
                    + typed_select(frame, view))
        con.unregister(view)
    return con.table(out)


def plan_model(dbt, session: duckdb.DuckDBPyConnection, period: str, post_topics: str | None,
               min_date: str, max_date: str, cadence: bool = False
               ) -> tuple[dict[str, tuple[int | None, int | None]], Refresh]:
    """For a dbt Python model of a graph table: the current topic versions (from the view
    ``post_topics``; None = the one pseudo-topic ``*``) and the :class:`Refresh` of this build over
    the window ``min_date`` to ``max_date`` (the model's config: dbt passes a config value to a
    Python model only when the model's own code reads it with ``dbt.config.get``). ``cadence``: the
    running period follows :func:`refresh_days` (the table records ``data_through``)."""
    versions = current_versions(session, post_topics) if post_topics else {"*": (0, 0)}
    return versions, plan(session, str(dbt.this) if dbt.is_incremental else None,
                          date.fromisoformat(min_date), date.fromisoformat(max_date), period, versions,
                          cadence_days=refresh_days() if cadence else 1)


def quarter_graph(con: duckdb.DuckDBPyConnection, edges: str, members: str, topic: str,
                  refresh: Refresh) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One topic's quarterly edges (summed from the monthly ``edges`` relation) and community
    memberships (``members``) in the slices of ``refresh``: what bridges, exposure and the
    community descriptions are computed from."""
    only = f"topic_id = {sql_text(topic)}"
    quarter_edges = normalise_edges(con.sql(regroup_edges_sql(
        edges, "quarter", f"{only} and {refresh.where(period_expr('quarter', 'period_start'))}")).df())
    return quarter_edges, read_slices(con, f"(select * from {members} where {only})", refresh)


def topic_posts_view(con: duckdb.DuckDBPyConnection, name: str, posts: str, post_topics: str, refresh: Refresh,
                     period: str, topic: str | None = None) -> str:
    """Create (or replace) the temporary view ``name``: the relevant posts of every topic (or of
    ``topic``) in the slices of ``refresh``, one row per (post, topic); returns ``name``."""
    only = f"topic_id = {sql_text(topic)} and " if topic is not None else ""
    con.execute(f"create or replace temp view {name} as select * from ({topic_posts_sql(posts, post_topics)}) "
                f"where {only}{refresh.where(period_expr(period))}")
    return name
