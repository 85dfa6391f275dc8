"""Analysts' relevance labels: a warehouse table `labels.topic_labels`, written by `escucha label`
and open to plain SQL inserts. dbt reads it as a source and never rebuilds it."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

LABELS_TABLE = "labels.topic_labels"

CREATE_SQL = """
create schema if not exists labels;
create table if not exists labels.topic_labels (
    topic_id varchar not null,
    post_key varchar not null,
    relevant boolean not null,
    labelled_by varchar not null,
    labelled_at timestamp not null default (cast(now() at time zone 'UTC' as timestamp)),
    note varchar
);
"""


@dataclass(frozen=True)
class Label:
    topic_id: str
    post_key: str
    relevant: bool
    labelled_by: str
    note: str = ""


def ensure_labels_table(con: duckdb.DuckDBPyConnection) -> None:
    """Create the labels table if the warehouse has none (idempotent)."""
    con.execute(CREATE_SQL)


def add_labels(con: duckdb.DuckDBPyConnection, labels: Sequence[Label]) -> int:
    """Append labels (the latest label of a post for a topic is the one that counts)."""
    ensure_labels_table(con)
    con.executemany(
        "insert into labels.topic_labels (topic_id, post_key, relevant, labelled_by, note) "
        "values (?, ?, ?, ?, ?)",
        [(x.topic_id, x.post_key, x.relevant, x.labelled_by, x.note or None) for x in labels])
    return len(labels)


def unknown_posts(con: duckdb.DuckDBPyConnection, post_keys: Sequence[str]) -> list[str]:
    """The keys among ``post_keys`` that are not posts of the warehouse."""
    if not post_keys:
        return []
    rows = con.execute("select k from unnest(?::varchar[]) as t(k) "
                       "where k not in (select post_key from marts.fct_posts)", [list(post_keys)]).fetchall()
    return [r[0] for r in rows]
