"""The disclosure auditor on hand-made marts: it must flag what leaks, with the value, and only that."""
from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from tests.disclosure import InconsistentMarts, audit_disclosure, recoverable_cells

JAN = dt.date(2022, 1, 1)
DEMOGRAPHICS = """create table marts.fct_topic_demographics (
    topic_id varchar, month date, dimension varchar, value varchar, authors bigint, posts bigint,
    engagement bigint, is_suppressed boolean, group_authors bigint, share_known double)"""
DAILY = """create table marts.fct_topic_daily (
    day date, topic_id varchar, network varchar, posts bigint, authors bigint, engagement bigint)"""


def warehouse(*, daily: bool = True) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute(DEMOGRAPHICS)
    if daily:
        con.execute(DAILY)
    return con


def load(con, truth: dict, hidden: set, *, topic: str = "t", month: dt.date = JAN,
         groups: dict | None = None, shares: dict | None = None, daily: bool = True) -> None:
    """Publish one topic-month of true cells {(dimension, value): (authors, posts, engagement)}.

    hidden: the suppressed cells. As the SQL model does by default, group_authors is published
    for groups of 10 or more (gender / age band only with the 'person' cell) and share_known
    only beside a published 'unknown' cell; groups / shares ({dimension: bool}) override that,
    to build leaky tables. daily: also write the month's totals to fct_topic_daily.
    """
    def total(dim, k=0):
        return sum(v[k] for (d, _), v in truth.items() if d == dim)

    for k in range(3):  # the truth is a table some warehouse could hold
        assert total("account_type", k) == total("region", k)
        person = truth.get(("account_type", "person"), (0, 0, 0))[k]
        assert total("gender", k) in (0, person) and total("age_band", k) in (0, person)
    rows = []
    for (dim, value), (a, p, e) in sorted(truth.items()):
        ga = total(dim)
        published = ga >= 10 and (dim in ("account_type", "region") or ("account_type", "person") not in hidden)
        published = (groups or {}).get(dim, published)
        share_shown = (shares or {}).get(dim, published and (dim, "unknown") not in hidden)
        unknown = truth.get((dim, "unknown"), (0,))[0]
        shown = (dim, value) not in hidden
        rows.append((topic, month, dim, value, a if shown else None, p if shown else None, e if shown else None,
                     not shown, ga if published else None, (ga - unknown) / ga if share_shown else None))
    con.executemany("insert into marts.fct_topic_demographics values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    if daily:
        con.execute("insert into marts.fct_topic_daily values (?, ?, 'x', ?, ?, ?)",
                    [month + dt.timedelta(days=9), topic, total("account_type", 1), total("account_type", 0),
                     total("account_type", 2)])


def found(con, **kwargs) -> dict:
    return {(r["dimension"], r["value"], r["measure"]): r["recovered"] for r in recoverable_cells(con, **kwargs)}


def persons(a: int, p: int, e: int, gender: str = "female") -> dict:
    """A 'person' cell with one gender and one age band that hold all of it."""
    return {("account_type", "person"): (a, p, e), ("gender", gender): (a, p, e), ("age_band", "unknown"): (a, p, e)}


LONE = {  # a lone suppressed cell in a group whose total is published
    **persons(30, 40, 100),
    ("account_type", "media"): (5, 10, 30),
    ("region", "Lima"): (20, 25, 60),
    ("region", "unknown"): (15, 25, 70),
}

PAIR = {  # two suppressed cells beside a published total: neither follows
    **persons(30, 40, 100),
    ("account_type", "media"): (3, 4, 10),
    ("account_type", "government"): (4, 6, 20),
    ("region", "Lima"): (20, 30, 70),
    ("region", "unknown"): (17, 20, 60),
}


@pytest.mark.parametrize("daily", [True, False])
def test_a_lone_suppressed_cell_is_recovered_from_the_group_total(daily):
    con = warehouse(daily=daily)
    load(con, LONE, {("account_type", "media")}, daily=daily)
    # authors from group_authors, posts and engagement from the region cells (same authors)
    assert recoverable_cells(con) == [
        {"topic_id": "t", "month": JAN, "dimension": "account_type", "value": "media", "measure": m, "recovered": v}
        for m, v in (("authors", 5), ("engagement", 30), ("posts", 10))
    ]


@pytest.mark.parametrize("assume_small", [False, True])
def test_two_suppressed_cells_beside_a_published_total_are_safe(assume_small):
    con = warehouse()
    load(con, PAIR, {("account_type", "media"), ("account_type", "government")})
    audit = audit_disclosure(con, assume_small=assume_small)
    assert audit.recoverable == [] and audit.fallbacks == []
    assert (audit.topic_months, audit.suppressed_cells, audit.unknowns) == (1, 2, 6)


def test_only_the_leaky_topic_month_is_named():
    con = warehouse()
    load(con, PAIR, {("account_type", "media"), ("account_type", "government")}, topic="safe")
    load(con, LONE, {("account_type", "media")}, topic="leaky", month=dt.date(2022, 2, 1))
    load(con, LONE, {("account_type", "media"), ("account_type", "person"), ("gender", "female"),
                     ("age_band", "unknown")}, topic="leaky")
    got = recoverable_cells(con)
    assert {(r["topic_id"], r["month"]) for r in got} == {("leaky", dt.date(2022, 2, 1))}
    assert len(got) == 3


GATED = {
    ("account_type", "government"): (20, 20, 20),
    **persons(12, 15, 30),
    ("account_type", "media"): (8, 9, 10),
    ("region", "Lima"): (25, 25, 30),
    ("region", "unknown"): (15, 19, 30),
}


def test_a_published_gender_group_gives_away_the_suppressed_person_cell():
    con = warehouse(daily=False)
    load(con, GATED, {("account_type", "person"), ("account_type", "media")},
         groups={"gender": True, "age_band": True}, daily=False)
    assert found(con) == {
        ("account_type", "person", "authors"): 12, ("account_type", "person", "posts"): 15,
        ("account_type", "person", "engagement"): 30,
        ("account_type", "media", "authors"): 8, ("account_type", "media", "posts"): 9,
        ("account_type", "media", "engagement"): 10,
    }


@pytest.mark.parametrize("assume_small", [False, True])
def test_gender_withheld_with_the_person_cell_is_safe(assume_small):
    con = warehouse(daily=False)
    load(con, GATED, {("account_type", "person"), ("account_type", "media"), ("gender", "female"),
                      ("age_band", "unknown")}, daily=False)
    audit = audit_disclosure(con, assume_small=assume_small)
    assert audit.recoverable == [] and audit.fallbacks == [] and audit.unknowns == 12


SHARE = {
    **persons(30, 40, 90),
    ("region", "Lima"): (20, 25, 50),
    ("region", "Cusco"): (2, 5, 10),
    ("region", "unknown"): (8, 10, 30),
}


def test_share_known_gives_away_a_suppressed_unknown_cell():
    con = warehouse()
    load(con, SHARE, {("region", "Cusco"), ("region", "unknown")}, shares={"region": True})
    # 22 of 30 authors known: unknown = 8, so Cusco = 30 - 20 - 8; their posts stay split
    assert found(con) == {("region", "unknown", "authors"): 8, ("region", "Cusco", "authors"): 2}


def test_share_known_withheld_with_the_unknown_cell_is_safe():
    con = warehouse()
    load(con, SHARE, {("region", "Cusco"), ("region", "unknown")})
    assert recoverable_cells(con) == []


LONE_AUTHOR = {  # a month with one author: nothing is published but which values exist
    **persons(1, 2, 7, gender="male"),
    ("region", "unknown"): (1, 2, 7),
}


def test_row_presence_and_the_daily_mart_give_away_a_tiny_month():
    con = warehouse()
    load(con, LONE_AUTHOR, set(LONE_AUTHOR))
    # fct_topic_daily says 1 author, 2 posts, 7 engagement; each dimension has a single row
    want = {(d, v, m): n for d, v in LONE_AUTHOR for m, n in (("authors", 1), ("posts", 2), ("engagement", 7))}
    assert found(con) == want
    assert found(con, use_daily=False) == {}  # without the daily totals: at least 1, at most 9 authors


SMALL_RULE = {
    **persons(59, 70, 100),
    ("region", "Cusco"): (10, 12, 20),  # the complementary cell: smallest publishable, first by name
    ("region", "Lima"): (10, 14, 30),
    ("region", "Puno"): (9, 9, 9),  # the primary cell
    ("region", "unknown"): (30, 35, 41),
}


def test_an_attacker_who_knows_the_rule_pins_a_complement_tied_with_a_published_cell():
    con = warehouse()
    load(con, SMALL_RULE, {("region", "Cusco"), ("region", "Puno")})
    assert found(con) == {}
    # 19 hidden authors cannot be two cells under 10: one is the complement (>= 10), and Puno
    # cannot be it (it would rank after Lima's 10), so Cusco = 10 and Puno = 9
    audit = audit_disclosure(con, assume_small=True)
    assert audit.fallbacks == []
    assert {(r["value"], r["measure"]): r["recovered"] for r in audit.recoverable} == {
        ("Cusco", "authors"): 10, ("Puno", "authors"): 9}


def test_contradictory_figures_are_reported_not_audited():
    con = warehouse()
    load(con, PAIR, {("account_type", "media"), ("account_type", "government")})
    con.execute("update marts.fct_topic_demographics set group_authors = 38 where dimension = 'region'")
    with pytest.raises(InconsistentMarts, match="t 2022-01-01"):
        recoverable_cells(con)


def test_a_listed_value_has_at_least_one_author_and_a_post_each():
    ones = {
        **persons(30, 40, 100),
        ("account_type", "media"): (1, 1, 3),
        ("account_type", "ngo"): (1, 1, 5),
        ("region", "Lima"): (20, 25, 60),
        ("region", "unknown"): (12, 17, 48),
    }
    con = warehouse()
    load(con, ones, {("account_type", "media"), ("account_type", "ngo")})
    # two listed cells share 2 authors and 2 posts: one of each apiece; the 8 engagement stay split
    assert found(con) == {("account_type", v, m): 1 for v in ("media", "ngo") for m in ("authors", "posts")}


def test_a_withheld_group_is_known_to_hold_fewer_than_ten_authors():
    regions = ["Amazonas", "Cusco", "Ica", "Junín", "Lima", "Piura", "Puno", "Tacna", "abroad"]
    nine = {**persons(9, 9, 9), **{("region", r): (1, 1, 1) for r in regions}}
    con = warehouse(daily=False)
    load(con, nine, set(nine), daily=False)
    # nine listed regions under a withheld total (so at most 9 authors): one author each, and
    # the lone account type, gender and age band hold all nine
    want = {("region", r, "authors"): 1 for r in regions}
    want |= {(d, v, "authors"): 9 for d, v in persons(9, 9, 9)}
    assert found(con) == want
