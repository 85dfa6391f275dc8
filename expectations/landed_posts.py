"""The great-expectations suite for posts landed in the lake over a window of days."""
from __future__ import annotations

from datetime import date, datetime, time

import great_expectations as gx

KNOWN_NETWORKS = ["x", "facebook", "instagram", "tiktok", "youtube", "reddit"]
# Web sources a vendor mentions export (brandwatch) carries beside the social networks; as in seeds/networks.csv.
KNOWN_NETWORKS += ["news", "blog", "forum"]


SUITE_NAME = "landed_posts"


def landed_posts_expectations(start: date, end: date, expected_rows: int) -> list:
    """Expectations every landed window must meet before marts are built from it."""
    ex = gx.expectations
    return [
        ex.ExpectColumnValuesToNotBeNull(column="post_key"),
        ex.ExpectColumnValuesToNotBeNull(column="created_at"),
        ex.ExpectCompoundColumnsToBeUnique(column_list=["post_key", "source_sha256"]),
        ex.ExpectColumnValuesToBeInSet(column="network", value_set=KNOWN_NETWORKS),
        ex.ExpectColumnPairValuesToBeEqual(column_A="created_day", column_B="day"),
        ex.ExpectColumnValuesToBeBetween(column="day", min_value=datetime.combine(start, time()),
                                         max_value=datetime.combine(end, time())),
        ex.ExpectColumnValuesToBeBetween(column="likes", min_value=0),
        ex.ExpectColumnValuesToBeBetween(column="shares", min_value=0),
        ex.ExpectColumnValuesToBeBetween(column="comments", min_value=0),
        ex.ExpectTableRowCountToEqual(value=expected_rows),
    ]
