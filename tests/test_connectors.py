"""Connectors on small real-shaped files: exact values, quarantine reasons, counts that reconcile."""
from __future__ import annotations

import json
from datetime import date, datetime

import duckdb
import pytest

from escucha.connectors import detect_format
from escucha.landing import archive_inbox, land_window
from tests.conftest import FIXTURES, drop


def lake_rows(home, entity: str) -> list[dict]:
    with duckdb.connect() as con:
        df = con.sql(
            f"select * from read_parquet('{home.lake}/{entity}/**/*.parquet', union_by_name=true)"
        ).df()
    return df.to_dict("records")


def test_formats_are_detected_from_content():
    assert detect_format(FIXTURES / "x_twarc2_sample.jsonl") == "twarc2"
    assert detect_format(FIXTURES / "ct_facebook_sample.csv") == "crowdtangle"
    assert detect_format(FIXTURES / "ct_instagram_sample.csv") == "crowdtangle"


def test_twarc2_fields_land_with_exact_values(home):
    drop(home, "x_twarc2_sample.jsonl")
    [archived] = archive_inbox(home)
    assert archived.status == "archived"
    # 5 tweets in data arrays + 1 line that is not JSON = 6 rows in; 4 land, 2 quarantined
    assert (archived.rows_in, archived.rows_parsed, archived.rows_quarantined) == (6, 4, 2)
    land_window(home, date(2022, 1, 1), date(2022, 1, 31))
    posts = {r["id"]: r for r in lake_rows(home, "x/posts")}
    assert set(posts) == {"1482345678901234567", "1482345678901234999", "1482345678901235000",
                          "1482345678901235001"}
    first = posts["1482345678901234567"]
    assert first["text"].startswith("Terrible el derrame de petróleo en Ventanilla 😢")
    assert first["created_at"] == datetime(2022, 1, 16, 14, 5)
    assert list(first["hashtags"]) == ["DerrameDePetróleo"]
    assert list(first["mention_usernames"]) == ["rppnoticias"]
    assert (first["like_count"], first["retweet_count"], first["reply_count"]) == (10, 3, 1)
    retweet = posts["1482345678901234999"]
    assert retweet["retweeted_id"] == "1482300000000000001"
    assert retweet["retweeted_author_id"] == "1002"  # resolved from includes.tweets
    reply = posts["1482345678901235000"]
    assert reply["replied_to_id"] == "1482300000000000001"
    assert reply["replied_to_author_id"] == "1002"
    assert list(reply["urls"]) == ["https://www.oefa.gob.pe/comunicado"]
    assert posts["1482345678901235001"]["quoted_author_id"] == "1002"
    users = {(r["id"], str(r["day"])[:10]) for r in lake_rows(home, "x/users")}
    assert ("1001", "2022-01-16") in users and ("1002", "2022-01-17") in users


def test_twarc2_bad_rows_are_quarantined_with_line_and_reason(home):
    drop(home, "x_twarc2_sample.jsonl")
    [archived] = archive_inbox(home)
    with duckdb.connect() as con:
        rows = con.sql(
            f"select source_line, reason from '{home.archive}/{archived.sha256}.parsed/quarantine.parquet' "
            "order by source_line"
        ).fetchall()
    assert rows == [(3, "line is not valid JSON"), (4, "tweet has no id")]


def test_crowdtangle_facebook_values_and_quarantine(home):
    drop(home, "ct_facebook_sample.csv")
    [archived] = archive_inbox(home)
    assert (archived.rows_in, archived.rows_parsed, archived.rows_quarantined) == (3, 2, 1)
    land_window(home, date(2022, 1, 1), date(2022, 1, 31))
    posts = {r["post_id"]: r for r in lake_rows(home, "facebook/posts")}
    minam = posts["5123456789012345"]
    assert minam["facebook_id"] == "100064571234567"
    assert minam["created_at"] == datetime(2022, 1, 16, 14, 15)  # 09:15 PET is UTC-5
    assert (minam["likes"], minam["comments"], minam["shares"], minam["love"]) == (800, 200, 150, 50)
    assert minam["followers_at_posting"] == 150000
    multiline = posts["5123456789099999"]
    assert multiline["message"] == 'Multiline message\nwith a second line and "quotes"'
    with duckdb.connect() as con:
        reasons = con.sql(f"select source_line, reason from "
                          f"'{home.archive}/{archived.sha256}.parsed/quarantine.parquet'").fetchall()
    assert reasons == [(4, "URL has no post id: (empty)")]


def test_crowdtangle_instagram_unknown_zone_is_quarantined(home):
    drop(home, "ct_instagram_sample.csv")
    [archived] = archive_inbox(home)
    assert (archived.rows_in, archived.rows_parsed, archived.rows_quarantined) == (2, 1, 1)
    land_window(home, date(2022, 5, 1), date(2022, 5, 31))
    [post] = lake_rows(home, "instagram/posts")
    assert post["post_id"] == "CdXyZ12abCD"
    assert post["user_name"] == "ollascomuneslima"
    assert post["created_at"] == datetime(2022, 5, 10, 17, 0)


def test_a_file_that_is_not_what_it_claims_is_rejected_whole(home):
    bad = home.inbox / "not_twarc.jsonl"
    bad.write_text('{"hello": "world"}\n{"foo": 1}\n', encoding="utf-8")
    [result] = archive_inbox(home)
    assert result.status == "rejected"
    assert result.error.startswith("not_twarc.jsonl: ")
    assert "\n" not in result.error
    assert not list(home.archive.glob("*.json"))  # nothing archived half-way
    assert (home.inbox / "rejected" / "not_twarc.jsonl").exists()


def test_same_file_twice_is_archived_once_and_landing_is_idempotent(home):
    drop(home, "x_twarc2_sample.jsonl")
    archive_inbox(home)
    land_window(home, date(2022, 1, 1), date(2022, 1, 31))
    first = sorted(r["id"] for r in lake_rows(home, "x/posts"))
    drop(home, "x_twarc2_sample.jsonl")
    [again] = archive_inbox(home)
    assert again.status == "already_archived"
    land_window(home, date(2022, 1, 1), date(2022, 1, 31))
    land_window(home, date(2022, 1, 16), date(2022, 1, 16))
    assert sorted(r["id"] for r in lake_rows(home, "x/posts")) == first


def test_rows_outside_the_calendar_are_quarantined(home, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ESCUCHA_START", "2022-01-17")
    drop(home, "x_twarc2_sample.jsonl")
    [archived] = archive_inbox(home)
    with duckdb.connect() as con:
        reasons = [r[0] for r in con.sql(
            f"select reason from '{home.archive}/{archived.sha256}.parsed/quarantine.parquet'").fetchall()]
    assert reasons.count("created_at before the collection calendar (2022-01-17..%s)"
                         % date.today().isoformat()) == 2
    assert archived.rows_in == archived.rows_parsed + archived.rows_quarantined


def test_a_single_pretty_printed_response_is_one_page(home):
    drop(home, "x_timeline_response.json")
    [archived] = archive_inbox(home)
    assert archived.format == "twarc2"
    assert (archived.rows_in, archived.rows_parsed, archived.rows_quarantined) == (2, 2, 0)
    land_window(home, date(2022, 1, 1), date(2022, 1, 31))
    posts = {r["id"]: r for r in lake_rows(home, "x/posts")}
    assert set(posts) == {"1482345678901234567", "1482345678901234999"}
    assert posts["1482345678901234999"]["retweeted_author_id"] == "1002"
    assert {r["source_line"] for r in posts.values()} == {1}


def test_the_fast_blank_line_test_says_what_trim_says():
    """NONBLANK_RAW skips trimming a long line whose start shows it is not blank; on every kind of
    line it must keep exactly the lines `trim(raw) <> ''` keeps."""
    from escucha.connectors.base import NONBLANK_RAW

    lines = ["", " ", " " * 64, " " * 65, " " * 300, " " * 100 + "{}", " " * 63 + "x", "\t", " \t ",
             "\u00a0", "\ufeff{}", '{"data": []}', "x" + " " * 1000, " " * 64 + "y" + " " * 64, None]
    with duckdb.connect() as con:
        con.execute("create table _lines as select * from unnest($l) as t(raw)", {"l": lines})
        fast = con.execute(f"select list(raw order by raw) from _lines where {NONBLANK_RAW}").fetchone()[0]
        trim = con.execute("select list(raw order by raw) from _lines where raw is not null and trim(raw) <> ''"
                           ).fetchone()[0]
    assert fast == trim
    assert " " * 100 + "{}" in fast and " " * 64 + "y" + " " * 64 in fast and " " * 300 not in fast
