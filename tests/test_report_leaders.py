"""evolution_leaders picks each leader's best month the same way whatever order the ranking's rows
are stored in: the earliest of the months where the account reached its best rank."""
from datetime import date

import duckdb
import pandas as pd
import pytest

from reports.evolution import TOP_RANK, evolution_params
from reports.queries import run_queries

MONTHS = [date(2022, 7, 1), date(2022, 8, 1), date(2022, 9, 1)]


def _influence() -> pd.DataFrame:
    """Three accounts over Q3 2022. ana is 2nd in July and in September (a tie on her best rank)
    and 5th in August; bea is 1st in July and August; coco 3rd every month. The evidence of each month names its month, so the page shows which one it took."""
    ranks = {"x:ana": [2, 5, 2], "x:bea": [1, 1, 7], "x:coco": [3, 3, 3]}
    rows = []
    for author, author_ranks in ranks.items():
        for month, rank in zip(MONTHS, author_ranks):
            rows.append({"topic_id": "agua", "month": month, "author_key": author, "network": "x",
                         "handle": f"{author[2:]}_{month:%m}", "overall_rank": rank, "n_accounts": 100 + month.month,
                         "rank_reasons": f"rank {rank} in {month:%Y-%m}"})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("order", ["as written", "reversed"])
def test_a_tie_on_the_best_rank_takes_the_earliest_month(order: str) -> None:
    influence = _influence()
    if order == "reversed":
        influence = influence.iloc[::-1].reset_index(drop=True)
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute("create table marts.dim_topics as select 'agua' as topic_id, 'Agua' as topic_label, "
                "'p1' as programme_id")
    con.register("influence_frame", influence)
    con.execute("create table marts.fct_author_influence as select * from influence_frame")
    leaders = run_queries(con, ["evolution_leaders"], evolution_params(None, date(2022, 7, 1), date(2022, 9, 30)))
    got = leaders["evolution_leaders"].set_index("author_key")
    # all three are among the first TOP_RANK every month: ordered by best rank (bea 1, ana 2, coco 3)
    assert TOP_RANK >= 7
    assert list(got.index) == ["x:bea", "x:ana", "x:coco"]
    assert got.loc["x:ana", "months_leading"] == 3 and got.loc["x:ana", "best_rank"] == 2
    assert got.loc["x:ana", "best_month"] == pd.Timestamp(2022, 7, 1)
    assert got.loc["x:ana", "rank_reasons"] == "rank 2 in 2022-07"
    assert got.loc["x:ana", "handle"] == "ana_07"
    assert got.loc["x:ana", "best_month_accounts"] == 107
    assert got.loc["x:coco", "best_month"] == pd.Timestamp(2022, 7, 1)
    assert got.loc["x:bea", "best_month"] == pd.Timestamp(2022, 7, 1)
    assert got.loc["x:bea", "rank_reasons"] == "rank 1 in 2022-07"
