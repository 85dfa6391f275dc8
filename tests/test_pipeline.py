"""The whole stack on a short generated window: Dagster run, lake, gate, dbt marts, report.

Mart values are compared with counts computed here, independently, from the generated export files.
"""
from __future__ import annotations

import csv
import os
import json
import shutil
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pytest

from escucha.cli import copy_exports_to_inbox, ingest_mapped_exports, main
from escucha.home import data_home
from escucha.topics.query import matches, parse
from escucha.topics.registry import config_path, load_config
from orchestration.run import run_pipeline
from orchestration.resources import DBT_PROJECT_DIR
from tests.conftest import DEMO_END, DEMO_START, FIXTURES, copy_home

START, END = DEMO_START, DEMO_END
LIMA = timezone(timedelta(hours=-5))


@pytest.fixture(scope="module")
def built(demo_template, tmp_path_factory: pytest.TempPathFactory):
    """A copy of the session's demo home (generated, ingested as `escucha demo` does, one run)."""
    template, outcome = demo_template
    mp = pytest.MonkeyPatch()
    home = copy_home(template, tmp_path_factory.mktemp("pipeline") / "home")
    mp.setenv("ESCUCHA_HOME", str(home.root))
    yield home, outcome
    mp.undo()


def config_queries() -> dict:
    """The topics' queries as config/programmes.yaml defines them (their first version)."""
    return {t: parse(spec["query"]) for t, spec in load_config(config_path())[1].items()}


def expected_from_files(exports: Path) -> dict:
    """Posts per network, and posts per (Lima day, topic, network), read with json and csv only.

    One row per post_key: the network's own export first; the twarc-csv month (exports/x/*.csv),
    the vendor export's X rows and the Meta Content Library month (exports/facebook/mcl_*.csv) only
    repeat posts already read (setdefault), so they add nothing. Reddit items are keyed by fullname;
    a submission's text is its title, plus a blank line and the selftext when there is one.
    """
    queries = config_queries()
    posts: dict[str, tuple[str, object, str]] = {}  # post_key -> (network, lima day, text)

    def lima_day_unix(t: int):
        return datetime.fromtimestamp(t, tz=timezone.utc).astimezone(LIMA).date()

    def lima_day_iso(stamp: str):  # 2022-01-15T13:45:12.000Z (X) or 2022-01-15T13:45:12Z (YouTube)
        return datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(LIMA).date()

    for path in sorted((exports / "x").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            for tw in json.loads(line).get("data", []):
                posts["x:" + tw["id"]] = ("x", lima_day_iso(tw["created_at"]), tw["text"])
    for path in sorted((exports / "x").glob("*.csv")):                      # twarc-csv: repeats
        with open(path, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                posts.setdefault("x:" + row["id"], ("x", lima_day_iso(row["created_at"]), row["text"]))
    for network, text_col in (("facebook", "Message"), ("instagram", "Description")):
        for path in sorted((exports / network).glob("crowdtangle_*.csv")):
            with open(path, encoding="utf-8", newline="") as fh:
                for row in csv.DictReader(fh):
                    post_id = row["URL"].rstrip("/").split("/")[-1]
                    local = datetime.strptime(row["Post Created"][:19], "%Y-%m-%d %H:%M:%S")
                    posts[f"{network}:{post_id}"] = (network, local.date(), row[text_col])
    for path in sorted((exports / "facebook").glob("mcl_facebook_*.csv")):   # MCL: repeats
        with open(path, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                created = datetime.strptime(row["creation_time"], "%Y-%m-%dT%H:%M:%S%z")
                posts.setdefault("facebook:" + row["id"], ("facebook", created.astimezone(LIMA).date(), row["text"]))
    for path in sorted((exports / "reddit").glob("reddit_submissions_*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            o = json.loads(line)
            text = o["title"] + "\n\n" + o["selftext"] if o.get("selftext") else o["title"]
            posts["reddit:t3_" + o["id"]] = ("reddit", lima_day_unix(int(o["created_utc"])), text)
    for path in sorted((exports / "reddit").glob("reddit_comments_*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            o = json.loads(line)
            posts["reddit:t1_" + o["id"]] = ("reddit", lima_day_unix(int(o["created_utc"])), o["body"])
    for path in sorted((exports / "tiktok").glob("tiktok_videos_*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            for v in json.loads(line)["data"]["videos"]:
                posts[f"tiktok:{v['id']}"] = ("tiktok", lima_day_unix(v["create_time"]), v["video_description"])
    for path in sorted((exports / "tiktok").glob("tiktok_comments_*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            for c in json.loads(line)["data"]["comments"]:
                posts[f"tiktok:{c['id']}"] = ("tiktok", lima_day_unix(c["create_time"]), c["text"])
    for path in sorted((exports / "youtube").glob("youtube_videos_*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            for v in json.loads(line)["items"]:
                sn = v["snippet"]
                text = sn["title"] + "\n\n" + sn["description"] if sn["description"] else sn["title"]
                posts[f"youtube:{v['id']}"] = ("youtube", lima_day_iso(sn["publishedAt"]), text)
    for path in sorted((exports / "youtube").glob("youtube_comments_*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            for th in json.loads(line)["items"]:
                for c in [th["snippet"]["topLevelComment"]] + th.get("replies", {}).get("comments", []):
                    sn = c["snippet"]
                    posts[f"youtube:{c['id']}"] = ("youtube", lima_day_iso(sn["publishedAt"]), sn["textOriginal"])
    for path in sorted((exports / "vendor").glob("brandwatch_mentions_*.csv")):
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            header = next(h for h in reader if h and h[0] == "Query Id")   # skip the report lines
            for values in reader:
                row = dict(zip(header, values))
                day = datetime.strptime(row["Date"], "%Y-%m-%d %H:%M:%S.0").replace(tzinfo=timezone.utc)
                if row["Page Type"] == "twitter":                            # repeats an X post
                    posts.setdefault("x:" + row["Url"].rsplit("/", 1)[-1], ("x", day.astimezone(LIMA).date(),
                                                                             row["Full Text"]))
                else:                                                        # news, blog: only here
                    posts[f"{row['Page Type']}:{row['Url']}"] = (row["Page Type"], day.astimezone(LIMA).date(),
                                                                 row["Full Text"])
    per_topic: Counter = Counter()
    for network, day, text in posts.values():
        for topic, node in queries.items():
            if matches(node, text):  # the query language's pure-Python evaluator
                per_topic[(day, topic, network)] += 1
    return {"posts": Counter(n for n, _, _ in posts.values()), "per_topic": per_topic, "keys": set(posts),
            "texts": {k: text for k, (_, _, text) in posts.items()}}


def mart(home, sql: str) -> list[tuple]:
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_every_asset_builds_and_the_gate_passes(built):
    home, outcome = built
    assert outcome.success, outcome
    assert outcome.steps == {"candidate__posts": "success", "candidate__posts_expectations": "success",
                             "published_lake": "success", "topic_registry": "success",
                             "warehouse_models": "success", "events__calendar": "success",
                             "overview_report": "success", "evolution_reports": "success"}
    gate = {k: v for k, v in outcome.checks.items() if k.endswith(":expectations")}
    assert len(gate) == 1 and all(gate.values())
    assert all(outcome.checks.values()), [k for k, v in outcome.checks.items() if not v]
    html = (home.reports / "overview.html").read_text(encoding="utf-8")
    assert "<svg" in html and "<script" not in html
    # dbt's parse is kept in the home for its next run, with the seed files the build loaded; each
    # run's own dbt folder is gone
    assert (home.dbt_target / "partial_parse.msgpack").stat().st_size > 0
    assert sorted(p.name for p in home.dbt_target.iterdir()) == [
        "partial_parse.msgpack", "partial_parse.project", "seeds.loaded", "tests-passed.warehouse_models"]
    assert (home.dbt_target / "partial_parse.project").read_text() == str(DBT_PROJECT_DIR)


def test_marts_equal_counts_computed_from_the_files(built):
    home, _ = built
    expected = expected_from_files(home.demo / "exports")
    got_posts = dict(mart(home, "select network, count(*) from marts.fct_posts group by 1"))
    assert got_posts == dict(expected["posts"])
    assert {r[0] for r in mart(home, "select post_key from marts.fct_posts")} == expected["keys"]
    got = {(d, t, n): p for d, t, n, p in mart(
        home, "select day, topic_id, network, posts from marts.fct_topic_daily")}
    assert got == dict(expected["per_topic"])
    assert sum(got.values()) > 100  # the window really exercises the topic marts


def test_files_reconcile_rows_in_with_landed_and_quarantined(built):
    home, _ = built
    rows = mart(home, "select file_name, rows_in, rows_parsed, rows_quarantined, rows_landed "
                      "from internal.raw_files")
    assert rows, "no files accounted"
    for name, rows_in, parsed, quarantined, landed in rows:
        assert rows_in == parsed + quarantined, name
        assert landed == parsed, name
    [(mapped,)] = mart(home, "select rows_parsed from internal.raw_files where format = 'mapping'")
    [(repeats,)] = mart(home, "select sum(rows_duplicate) from internal.raw_files")
    # the mapped export (archived first) repeats X posts, so the X files count them as duplicates;
    # that it adds no post is shown by the mart counts above, which ignore the mapped file
    assert mapped > 0 and repeats >= mapped


def test_rerun_is_idempotent(built):
    home, _ = built
    snapshot = "select * from marts.fct_topic_daily order by all"
    before = mart(home, snapshot)
    posts_before = mart(home, "select count(*), sum(engagement) from marts.fct_posts")
    copy_exports_to_inbox(home.demo / "exports", home)  # the same files dropped again
    outcome = run_pipeline(home, START, END)
    assert outcome.success
    assert mart(home, snapshot) == before
    assert mart(home, "select count(*), sum(engagement) from marts.fct_posts") == posts_before


def test_corrupted_input_fails_the_gate_and_stops_marts_and_report(tmp_path, monkeypatch):
    home = data_home(tmp_path / "corrupt").ensure()
    monkeypatch.setenv("ESCUCHA_HOME", str(home.root))
    lines = (FIXTURES / "x_twarc2_sample.jsonl").read_text(encoding="utf-8").splitlines()
    page = json.loads(lines[0])
    # one id published at two times, days apart, by two files: a corrupted collection that archiving
    # (which compares a file with the files of its own days) cannot see, and the gate must
    shutil.copy(FIXTURES / "x_twarc2_sample.jsonl", home.inbox / "x.jsonl")
    page["data"] = [dict(page["data"][0], created_at="2022-01-19T09:00:00.000Z")]
    (home.inbox / "x_corrupt.jsonl").write_text(json.dumps(page) + "\n", encoding="utf-8")
    shutil.copy(FIXTURES / "ct_facebook_sample.csv", home.inbox / "fb.csv")
    outcome = run_pipeline(home, date(2022, 1, 16), date(2022, 1, 19))
    assert not outcome.success
    assert outcome.checks["candidate/posts:expectations"] is False
    description = outcome.check_descriptions["candidate/posts:expectations"]
    assert "created_at_variants" in description
    assert "1482345678901234567" in description  # the failure names the offending value
    assert outcome.steps.get("published_lake") != "success"
    assert not list((home.lake / "x" / "posts").glob("day=*"))  # nothing published
    assert outcome.steps.get("warehouse_models") != "success"
    assert outcome.steps.get("overview_report") != "success"
    assert not (home.reports / "overview.html").exists()
    assert not home.warehouse.exists()  # dbt never ran: no warehouse was built from this data


def test_a_long_window_is_gated_month_by_month_and_a_conflict_across_months_is_caught(tmp_path, monkeypatch):
    """The gate validates a window a month at a time (memory: one month's rows); a post published at
    two times that fall in different months is still a conflict, named with both months."""
    home = data_home(tmp_path / "months").ensure()
    monkeypatch.setenv("ESCUCHA_HOME", str(home.root))
    page = json.loads((FIXTURES / "x_twarc2_sample.jsonl").read_text(encoding="utf-8").splitlines()[0])
    first = dict(page["data"][0], created_at="2022-01-29T23:30:00.000Z")
    page["data"] = [first]
    (home.inbox / "x_january.jsonl").write_text(json.dumps(page) + "\n", encoding="utf-8")
    page["data"] = [dict(first, created_at="2022-02-01T00:30:00.000Z")]   # another file, days later
    (home.inbox / "x_february.jsonl").write_text(json.dumps(page) + "\n", encoding="utf-8")
    outcome = run_pipeline(home, date(2022, 1, 29), date(2022, 2, 1))
    assert outcome.checks["candidate/posts:expectations"] is False
    description = outcome.check_descriptions["candidate/posts:expectations"]
    assert "2022-01: expect_column_values_to_be_in_set {'column': 'created_at_variants'}" in description
    assert "2022-02: expect_column_values_to_be_in_set {'column': 'created_at_variants'}" in description
    assert first["id"] in description
    assert not home.warehouse.exists()


# ---------------------------------------------------------------- topics: versions, labels, model
# These change the topics of the module's warehouse, so they come after the tests above.

NEW_QUERY = '(congreso OR congresistas) AND NOT vacancia'


def test_inquire_answers_from_the_warehouse_and_saves_a_topic(built, capsys):
    home, _ = built
    query = '(derrame OR crudo) NEAR/5 (mar OR ventanilla OR playa*) OR #DerrameDePetróleo'
    assert main(["inquire", query, "--json", "--top", "3"]) == 0
    answer = json.loads(capsys.readouterr().out)
    texts = expected_from_files(home.demo / "exports")["texts"]
    node = parse(query)
    expected = {k for k, text in texts.items() if matches(node, text)}
    assert answer["posts"] == len(expected) > 0
    networks = dict(mart(home, "select network, count(*) from marts.fct_posts where post_key in "
                               f"({', '.join(repr(k) for k in expected)}) group by 1"))
    assert {n["network"]: n["posts"] for n in answer["networks"]} == networks
    assert sum(v["posts"] for v in answer["volume"]) == len(expected)
    top = mart(home, "select post_key from marts.fct_posts where post_key in "
                     f"({', '.join(repr(k) for k in expected)}) order by engagement desc, post_key limit 3")
    assert [p["post_key"] for p in answer["top_posts"]] == [k for (k,) in top]
    assert main(["inquire", "derrame NEAR/", "--json"]) == 1  # malformed: position and reason
    assert "position" in capsys.readouterr().err
    assert main(["inquire", query, "--save-as", "derrame_mar", "--programme", "ambiente",
                 "--as", "rosa.huaman@example.org"]) == 3  # not a focal point of ambiente
    assert main(["inquire", query, "--save-as", "derrame_mar", "--programme", "ambiente",
                 "--label", "Derrame en el mar", "--as", "ana.torres@example.org"]) == 0
    assert main(["topics", "retire", "derrame_mar", "--as", "ana.torres@example.org"]) == 0
    capsys.readouterr()


def test_a_focal_points_edit_is_recorded_and_reapplied_to_every_day(built, capsys):
    home, _ = built
    assert main(["topics", "set", "congreso", "--query", "congreso", "--as", "lucia.quispe@example.org"]) == 3
    assert main(["topics", "set", "congreso", "--query", NEW_QUERY, "--as", "rosa.huaman@example.org",
                 "--note", "sin vacancia"]) == 0
    others_before = mart(home, "select * from marts.fct_post_topics where topic_id <> 'congreso' order by all")
    outcome = run_pipeline(home, END, END)  # a one-day run re-applies the new version to every day
    assert outcome.success
    texts = expected_from_files(home.demo / "exports")["texts"]
    node = parse(NEW_QUERY)
    expected = {k for k, text in texts.items() if matches(node, text)}
    got = mart(home, "select post_key, topic_version, matched_terms from marts.fct_post_topics "
                     "where topic_id = 'congreso'")
    assert {k for k, _, _ in got} == expected
    assert {v for _, v, _ in got} == {2}
    assert all("vacancia" not in terms and terms for _, _, terms in got)
    days = {d for (d,) in mart(home, "select distinct created_date_lima from marts.fct_post_topics "
                                      "where topic_id = 'congreso'")}
    assert len(days) >= 4  # the whole window, not only the day the run was for
    assert mart(home, "select distinct topic_version from marts.fct_topic_daily where topic_id = 'congreso'") == [(2,)]
    assert mart(home, "select topic_version, query from marts.dim_topics where topic_id = 'congreso'") == \
        [(2, NEW_QUERY)]
    assert mart(home, "select topic_version, changed_by, note from marts.dim_topic_versions "
                      "where topic_id = 'congreso' and topic_version > 1 order by 1") == \
        [(2, "rosa.huaman@example.org", "sin vacancia")]
    assert mart(home, "select changed_by from marts.dim_topic_versions where topic_id = 'congreso' "
                      "and topic_version = 1") == [("config",)]
    assert mart(home, "select * from marts.fct_post_topics where topic_id <> 'congreso' order by all") == others_before


def test_labels_train_a_model_that_sql_scores_like_python(built):
    import pyarrow.parquet as pq

    from escucha.topics.classifier import score
    from escucha.topics.models import stored_models, train_topics

    home, _ = built
    truth = {r["post_key"]: "elecciones" in r["topics"]
             for r in pq.read_table(home.demo / "ground_truth" / "posts.parquet").to_pylist()}
    matched = {k for (k,) in mart(home, "select post_key from marts.fct_post_topics where topic_id = 'elecciones'")}
    keys = sorted(truth)
    # an analyst labels 40 rule matches and 40 other posts from the truth
    chosen = [k for k in keys if k in matched][:40] + [k for k in keys if k not in matched][:40]
    relevant = [k for k in chosen if truth[k]]
    other = [k for k in chosen if not truth[k]]
    assert main(["label", "add", "elecciones", *relevant, "--relevant", "--as", "analista@example.org"]) == 0
    # half of the negatives through the CLI, the rest as an analyst's plain SQL insert
    assert main(["label", "add", "elecciones", *other[::2], "--not-relevant", "--as", "analista@example.org"]) == 0
    with duckdb.connect(str(home.warehouse)) as con:
        con.executemany("insert into labels.topic_labels (topic_id, post_key, relevant, labelled_by) "
                        "values ('elecciones', ?, false, 'sql@example.org')", [[k] for k in other[1::2]])
    assert main(["label", "add", "elecciones", "x:0", "--relevant", "--as", "analista@example.org"]) == 1
    assert main(["topics", "set", "elecciones", "--use-model", "--as", "diego.salazar@example.org"]) == 0
    assert run_pipeline(home, END, END).success
    [model] = stored_models(home, "elecciones")
    assert model.model.metrics["n_labels"] == len(chosen) > 60
    dim = mart(home, "select decided_by, model_version, labels, model_precision, model_recall "
                     "from marts.dim_topics where topic_id = 'elecciones'")
    assert dim[0][:3] == ("model", 1, len(chosen)) and 0 <= dim[0][3] <= 1 and 0 <= dim[0][4] <= 1
    # the build's own record of what it did: elecciones trained, the topics nobody labelled without a model
    training = {r[0]: r[1:] for r in mart(home, "select topic_id, status, model_version, labels, message "
                                                "from intermediate.int_topic_models_trained")}
    assert training.pop("elecciones") == ("trained", 1, len(chosen), "")
    assert training and set(training.values()) == {("too_few_labels", None, None, "no labels")}
    # training again on the same labels and query keeps that model: same version, no new file
    [(version,)] = mart(home, "select topic_version from staging.stg_topics__versions "
                              "where topic_id = 'elecciones' and is_current")
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        [again] = train_topics(home, [("elecciones", version)], con)
    assert (again.status, again.model.version) == ("unchanged", 1)
    assert len(stored_models(home, "elecciones")) == 1
    rows = mart(home, "select t.post_key, p.text, t.matched_by_rule, t.model_score, t.matched_by_model, "
                      "t.is_relevant from marts.fct_post_topics t join marts.fct_posts p using (post_key) "
                      "where t.topic_id = 'elecciones' order by 1")
    assert rows
    python = score(model.model, [r[1] for r in rows], [r[2] for r in rows])
    for (key, _, _, sql_score, by_model, relevant_), py in zip(rows, python):
        assert sql_score == pytest.approx(py, abs=1e-9), key
        assert by_model == (py >= model.model.threshold) == relevant_
    # every post the model finds relevant is there, rule match or not
    everything = mart(home, "select p.post_key, p.text, coalesce(t.matched_by_rule, false) from marts.fct_posts p "
                            "left join marts.fct_post_topics t on t.post_key = p.post_key and t.topic_id = 'elecciones'")
    all_scores = score(model.model, [r[1] for r in everything], [r[2] for r in everything])
    expected = {r[0] for r, s in zip(everything, all_scores) if s >= model.model.threshold}
    assert {r[0] for r in rows if r[4]} == expected
    daily = mart(home, "select sum(posts), max(decided_by), max(model_version) from marts.fct_topic_daily "
                       "where topic_id = 'elecciones'")
    assert daily == [(len(expected), "model", 1)]


def test_the_training_asset_records_its_evaluation_for_the_ui(built):
    import dagster as dg

    from orchestration.run import prepare_dagster_home

    home, _ = built
    prepare_dagster_home(home)
    with dg.DagsterInstance.get() as instance:
        event = instance.get_latest_materialization_event(dg.AssetKey(["intermediate", "int_topic_models_trained"]))
    metadata = event.asset_materialization.metadata
    [(precision, recall, f1)] = mart(home, "select model_precision, model_recall, model_f1 from marts.dim_topics "
                                           "where topic_id = 'elecciones'")
    assert metadata["elecciones model_precision"].value == pytest.approx(precision)
    assert metadata["elecciones model_recall"].value == pytest.approx(recall)
    assert metadata["elecciones model_f1"].value == pytest.approx(f1)
    table = metadata["evaluation"].value
    [(version, trained_at, labels)] = mart(home, "select model_version, trained_at, labels from "
                                                 "staging.stg_topics__models where topic_id = 'elecciones' and is_current")
    assert f"| elecciones | v{version} | {trained_at:%Y-%m-%d %H:%M} | {labels} |" in table


def test_graph_marts_equal_the_graph_functions_over_the_marts(built):
    """After one-day runs that changed a topic's query (congreso) and gave another a model
    (elecciones), the incremental graph marts equal escucha.graph run from scratch on the marts."""
    import pandas as pd

    from escucha.graph.communities import communities
    from escucha.graph.influence import influence

    home, _ = built
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        direct = influence(con)
        got = con.sql("select topic_id, month as period_start, author_key, overall_rank, pagerank, "
                      "rank_reasons, posts, engagement, topic_version, model_version "
                      "from marts.fct_author_influence").df()
        result = communities(con)
        members = con.sql("select topic_id, period_start, author_key, community, pagerank "
                          "from intermediate.int_community_members_detected").df()
        bridges = con.sql("select topic_id, quarter as period_start, author_key, bridge_rank, participation "
                          "from marts.fct_bridging_accounts").df()
        exposure = con.sql("select topic_id, quarter as period_start, cross_share, exposure_ratio "
                           "from marts.fct_topic_exposure").df()
        described = con.sql("select topic_id, quarter as period_start, community, accounts, top_handles "
                            "from marts.fct_topic_communities").df()
    assert len(direct) > 100 and direct["topic_id"].nunique() >= 5

    def keyed(frame, keys, cols):
        frame = frame.copy()
        frame["period_start"] = pd.to_datetime(frame["period_start"]).dt.date
        return {tuple(r[k] for k in keys): tuple(r[c] for c in cols) for _, r in frame.iterrows()}

    key = ["topic_id", "period_start", "author_key"]
    want = keyed(direct, key, ["overall_rank", "rank_reasons", "posts", "engagement"])
    assert keyed(got, key, ["overall_rank", "rank_reasons", "posts", "engagement"]) == want
    pr_want, pr_got = keyed(direct, key, ["pagerank"]), keyed(got, key, ["pagerank"])
    assert all(pr_got[k][0] == pytest.approx(v[0], abs=1e-12) for k, v in pr_want.items())
    # every row says which topic and model versions it comes from: those dim_topics records
    versions = {t: (tv, mv) for t, tv, mv in mart(home, "select topic_id, topic_version, model_version "
                                                       "from marts.dim_topics")}
    recorded = {(t, tv, None if pd.isna(mv) else mv)
                for t, tv, mv in zip(got["topic_id"], got["topic_version"], got["model_version"])}
    assert recorded == {(t, *versions[t]) for t in set(got["topic_id"])}
    assert keyed(members, key, ["community"]) == keyed(result.memberships, key, ["community"])
    assert keyed(bridges, key, ["bridge_rank"]) == keyed(result.bridges, key, ["bridge_rank"])
    ex_want = keyed(result.exposure, ["topic_id", "period_start"], ["cross_share"])
    ex_got = keyed(exposure, ["topic_id", "period_start"], ["cross_share"])
    assert ex_got.keys() == ex_want.keys() and all(ex_got[k][0] == pytest.approx(v[0]) for k, v in ex_want.items())
    ckey = ["topic_id", "period_start", "community"]
    assert keyed(described, ckey, ["accounts"]) == keyed(result.communities.rename(columns={"size": "accounts"}),
                                                         ckey, ["accounts"])


def test_analysts_see_demographics_only_as_suppressed_aggregates(built):
    from tests.disclosure import audit_disclosure, recoverable_cells

    home, _ = built
    individual = {"gender", "age_band", "department", "ubigeo", "province", "country", "account_type",
                  "gender_evidence", "region_evidence"}
    columns = mart(home, "select table_name, column_name from information_schema.columns "
                         "where table_schema = 'marts'")
    assert not [(t, c) for t, c in columns if c in individual]
    [(profiles,)] = mart(home, "select count(*) from internal.author_profiles")
    [(authors,)] = mart(home, "select count(*) from marts.dim_authors")
    assert profiles == authors > 0
    cells = mart(home, "select authors, is_suppressed from marts.fct_topic_demographics")
    assert cells and all(n is None or n >= 10 for n, _ in cells)
    assert all((n is None) == hidden for n, hidden in cells)
    # every published cell equals a count made here from the profiles and the relevant posts
    published = mart(home, """
        with d as (
            select t.topic_id, date_trunc('month', p.created_date_lima) as month, p.author_key
            from marts.fct_post_topics t join marts.fct_posts p using (post_key) where t.is_relevant
            group by all)
        select d.topic_id, cast(d.month as date), count(*) from d
        join internal.author_profiles a using (author_key) where a.account_type = 'person' group by all""")
    persons = {(t, m): n for t, m, n in published}
    for t, m, n in mart(home, "select topic_id, month, authors from marts.fct_topic_demographics "
                              "where dimension = 'account_type' and value = 'person' and authors is not null"):
        assert persons[(t, m)] == n
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        assert recoverable_cells(con) == []
        audit = audit_disclosure(con, assume_small=True)      # an attacker who knows the SQL's rule
        assert audit.suppressed_cells > 10 and audit.recoverable == [] and audit.fallbacks == []


def test_post_topics_carry_each_post_s_author_engagement_and_sentiment(built):
    """fct_post_topics repeats the post's author, engagement and sentiment (the marts and pages that
    count them read them there): every row equals its post in fct_posts."""
    home, _ = built
    [(rows, same, engaged, sentiments)] = mart(home, """
        select count(*),
               count(*) filter (where t.author_key = p.author_key and t.engagement = p.engagement
                                and t.sentiment = p.sentiment),
               count(*) filter (where t.engagement > 0),
               count(distinct t.sentiment)
        from marts.fct_post_topics as t join marts.fct_posts as p using (post_key)""")
    [(all_rows,)] = mart(home, "select count(*) from marts.fct_post_topics")
    assert rows == all_rows > 100
    assert same == rows and engaged > 0 and sentiments == 3


def test_dbt_unit_tests_pass_against_the_built_warehouse(built, tmp_path):
    """dbt's unit tests (the tricky SQL, given rows in and rows out) check the models, not the data,
    so pipeline runs leave them out; they run here, every one of them."""
    import subprocess

    from assets.transform import start_from_project_parse
    from orchestration.resources import dbt_executable

    home, _ = built
    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text(encoding="utf-8"))
    unit_tests = set(manifest["unit_tests"])
    assert len(unit_tests) >= 6
    start_from_project_parse(tmp_path)
    done = subprocess.run(
        [dbt_executable(), "test", "--select", "test_type:unit", "--target-path", str(tmp_path),
         "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)],
        env={**os.environ, "ESCUCHA_HOME": str(home.root)}, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:]
    results = [r for r in json.loads((tmp_path / "run_results.json").read_text(encoding="utf-8"))["results"]
               if r["unique_id"].startswith("unit_test.")]  # besides the project's on-run hooks
    assert {r["unique_id"] for r in results} == unit_tests
    assert {r["status"] for r in results} == {"pass"}
