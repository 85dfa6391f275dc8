"""Analysts' relevance labels: a warehouse table `labels.topic_labels` (created by dbt's on-run-start,
macro create_labels_table), written by `escucha label add` and open to plain SQL inserts. dbt reads
it as a source and never rebuilds it."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

LABELS_TABLE = "labels.topic_labels"

@dataclass(frozen=True)
class Label:
    topic_id: str
    post_key: str
    relevant: bool
    labelled_by: str
    note: str = ""


class NoLabelsTable(RuntimeError):
    """The warehouse has no labels table yet (it is created by the first pipeline run)."""


def has_labels_table(con: duckdb.DuckDBPyConnection) -> bool:
    return con.execute("select count(*) from information_schema.tables "
                       "where table_schema = 'labels' and table_name = 'topic_labels'").fetchone()[0] > 0


def add_labels(con: duckdb.DuckDBPyConnection, labels: Sequence[Label]) -> int:
    """Append labels (the latest label of a post for a topic is the one that counts)."""
    if not has_labels_table(con):
        raise NoLabelsTable("the warehouse has no labels.topic_labels yet: run the pipeline first")
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
