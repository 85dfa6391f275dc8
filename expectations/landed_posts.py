"""The great-expectations suite for posts landed in the lake over a window of days."""
from __future__ import annotations

import csv
from datetime import date, datetime, time
from pathlib import Path

import great_expectations as gx

NETWORKS_SEED = Path(__file__).resolve().parents[1] / "dbt_project" / "seeds" / "networks.csv"


def known_networks() -> list[str]:
    """The networks escucha knows: the dbt seed is the one list (the marts test against it too)."""
    with open(NETWORKS_SEED, encoding="utf-8", newline="") as fh:
        return [row["network"] for row in csv.DictReader(fh)]


SUITE_NAME = "landed_posts"


def landed_posts_expectations(start: date, end: date, expected_rows: int) -> list:
    """Expectations every landed window must meet before marts are built from it."""
    ex = gx.expectations
    return [
        ex.ExpectColumnValuesToNotBeNull(column="post_key"),
        ex.ExpectColumnValuesToNotBeNull(column="created_at"),
        # an id names one post: collected again it may be, published at two minutes it may not
        ex.ExpectColumnValuesToBeInSet(column="created_at_variants", value_set=[1]),
        ex.ExpectColumnValuesToBeInSet(column="network", value_set=known_networks()),
        ex.ExpectColumnPairValuesToBeEqual(column_A="created_day", column_B="day"),
        ex.ExpectColumnValuesToBeBetween(column="day", min_value=datetime.combine(start, time()),
                                         max_value=datetime.combine(end, time())),
        ex.ExpectColumnValuesToBeBetween(column="likes", min_value=0),
        ex.ExpectColumnValuesToBeBetween(column="shares", min_value=0),
        ex.ExpectColumnValuesToBeBetween(column="comments", min_value=0),
        ex.ExpectTableRowCountToEqual(value=expected_rows),
    ]
