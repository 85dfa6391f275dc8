"""The words mask of int_posts_searchable (macro words_mask, Python twin
escucha.topics.query.words_mask): dbt builds it for every post exactly as Python computes it; a
warehouse built before masks gains the column on its next run, with NULL for the rows that run does
not rebuild; and topic matches and `escucha inquire` give the same answers whether a row's mask is
there, NULL, or the column is missing."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from escucha.topics.inquiry import _candidates, inquire
from escucha.topics.query import parse, words_mask
from escucha.warehouse import connect
from tests.conftest import DEMO_END

QUERIES = ['(derrame OR crudo) NEAR/5 (mar OR ventanilla OR playa*) OR #DerrameDePetróleo',
           '(congreso OR congresistas) AND NOT vacancia',
           '"mancha de petróleo" OR informalidad']
SEARCHABLE = "intermediate.int_posts_searchable"
MATCHED = "intermediate.int_post_topics_matched"


def rows(path: Path, sql: str) -> list[tuple]:
    with connect(path, read_only=True) as con:
        return con.execute(sql).fetchall()


def answer(warehouse: Path, query: str) -> tuple:
    got = inquire(warehouse, query, top=5)
    return got.posts, got.authors, got.engagement, got.volume, got.networks, got.top_posts, got.top_accounts


@pytest.fixture(scope="module")
def old_home(demo_template, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the demo home's lake and warehouse, its match texts' masks dropped: a warehouse
    built before the column existed."""
    template, outcome = demo_template
    assert outcome.success
    root = tmp_path_factory.mktemp("words_mask") / "home"
    shutil.copytree(template.root, root, ignore=shutil.ignore_patterns("dagster", "archive", "reports", "inbox"))
    with connect(root / "warehouse.duckdb") as con:
        con.execute(f"alter table {SEARCHABLE} drop column words_mask")
    return root


def test_dbt_builds_every_post_s_mask_as_python_computes_it(demo_template):
    template, _ = demo_template
    built = rows(template.warehouse, f"select match_text, words_mask from {SEARCHABLE}")
    assert len(built) == rows(template.warehouse, "select count(*) from marts.fct_posts")[0][0] > 0
    assert all(mask == words_mask(text) for text, mask in built)
    # the masks say something: most texts set bits, and no text sets all 128 (it would pass every query)
    assert sum(1 for _, mask in built if mask) > 0.9 * len(built)
    assert max(bin(mask).count("1") for _, mask in built) < 128


def test_an_inquiry_reads_the_texts_of_a_warehouse_without_masks(demo_template, old_home):
    template, _ = demo_template
    # the new warehouse's inquiries go through the mask; the old one's read every text
    for warehouse, through_mask in ((template.warehouse, True), (old_home / "warehouse.duckdb", False)):
        with connect(warehouse, read_only=True) as con:
            assert ("words_mask" in _candidates(con, parse(QUERIES[0]))) is through_mask
    for query in QUERIES:
        expected = answer(template.warehouse, query)
        assert expected[0] > 0, query
        assert answer(old_home / "warehouse.duckdb", query) == expected, query


def test_the_next_run_adds_the_column_and_null_masks_still_match(demo_template, old_home, tmp_path, monkeypatch):
    """A one-day dbt run on the old warehouse adds words_mask (append_new_columns): the day's rows get
    their masks, the others stay NULL, and the topic matches and inquiries equal the new warehouse's."""
    template, _ = demo_template
    day = DEMO_END.isoformat()
    monkeypatch.setenv("ESCUCHA_HOME", str(old_home))
    monkeypatch.chdir(Path(__file__).resolve().parents[1] / "dbt_project")
    done = subprocess.run([str(Path(sys.executable).parent / "dbt"), "run", "--select",
                           "int_posts_searchable int_post_topics_matched", "--target-path", str(tmp_path / "target"),
                           "--vars", f'{{"min_date": "{day}", "max_date": "{day}"}}', "--quiet"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    warehouse = old_home / "warehouse.duckdb"
    by_day = dict(rows(warehouse, f"select cast(created_at as date) = date '{day}', "
                                  f"list(words_mask is null) from {SEARCHABLE} group by 1"))
    assert set(by_day[True]) == {False} and set(by_day[False]) == {True}
    assert all(mask == words_mask(text) for text, mask in rows(
        warehouse, f"select match_text, words_mask from {SEARCHABLE} where words_mask is not null"))
    matched = f"select post_key, topic_id, topic_version, matched_terms from {MATCHED} order by all"
    assert rows(warehouse, matched) == rows(template.warehouse, matched)
    for query in QUERIES:
        assert answer(warehouse, query) == answer(template.warehouse, query), query
