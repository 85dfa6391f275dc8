"""Sentiment, alerts and event impact through the whole stack: a generated window that holds the
oil spill of 2022-01-15 with six weeks before it, one Dagster run, then the alerts sensor and the
notification job against a local SMTP server."""
from __future__ import annotations

from datetime import date, datetime

import dagster as dg
import duckdb
import pytest

from escucha.cli import copy_exports_to_inbox, main
from escucha.home import data_home
from escucha.topics.registry import config_path, load_config
from orchestration.alerting import AlertChannels, alerts_sensor, notify_alerts_job
from orchestration.resources import EscuchaHome
from orchestration.run import run_pipeline
from tests.mailserver import local_smtp

START, END = date(2021, 12, 1), date(2022, 1, 24)
SPILL = date(2022, 1, 15)
A_DECADE = 24 * 3650  # the demo's alerts are years old: look back far enough to send them


@pytest.fixture(scope="module")
def spill(tmp_path_factory: pytest.TempPathFactory):
    from escucha.demo.generator import generate

    mp = pytest.MonkeyPatch()
    home = data_home(tmp_path_factory.mktemp("spill")).ensure()
    mp.setenv("ESCUCHA_HOME", str(home.root))
    generate(home.demo, start=START, end=END, posts_per_day=150, seed=5)
    copy_exports_to_inbox(home.demo / "exports", home)
    outcome = run_pipeline(home, START, END)
    assert outcome.success, outcome.steps
    yield home
    mp.undo()


def rows(home, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def test_every_post_has_a_sentiment_and_the_daily_mart_adds_up(spill):
    assert rows(spill, "select count(*) from marts.fct_posts where sentiment is null or sentiment_version is null") == [(0,)]
    assert rows(spill, "select count(distinct sentiment) from marts.fct_posts") == [(3,)]
    mismatched = rows(spill, """
        select count(*) from marts.fct_topic_daily
        where positive_posts + neutral_posts + negative_posts <> posts
            or abs(net_sentiment - (positive_posts - negative_posts) / posts) > 1e-12
            or abs(positive_share + negative_share + neutral_posts / posts - 1) > 1e-12""")
    assert mismatched == [(0,)]
    # the daily counts equal a direct count over the posts
    direct = rows(spill, """
        select count(*) filter (where p.sentiment = 'negative')
        from marts.fct_post_topics t join marts.fct_posts p using (post_key)
        where t.is_relevant and t.topic_id = 'derrame_petroleo'""")
    assert rows(spill, "select sum(negative_posts) from marts.fct_topic_daily where topic_id = 'derrame_petroleo'") == direct


def test_the_spill_is_one_volume_alert_with_its_posts(spill):
    alerts = rows(spill, """select alert_id, onset, detected_at, severity, peak_posts, ratio, programme_id
                            from marts.fct_alerts where kind = 'volume_spike' and topic_id = 'derrame_petroleo'""")
    assert len(alerts) == 1, alerts
    alert_id, onset, detected_at, severity, peak, ratio, programme = alerts[0]
    assert datetime(2022, 1, 15, 5) <= onset < datetime(2022, 1, 18, 5)   # Lima days 15..17 January
    assert detected_at > onset and ratio >= 2 and programme == "ambiente"
    behind = rows(spill, "select post_rank, engagement, text from marts.fct_alert_posts where alert_id = ? "
                         "order by post_rank", [alert_id])
    assert [r[0] for r in behind] == list(range(1, len(behind) + 1)) and len(behind) == 5
    assert [r[1] for r in behind] == sorted((r[1] for r in behind), reverse=True)
    # no volume alert on a quiet topic in the weeks with data enough to judge
    others = rows(spill, """select topic_id, onset from marts.fct_alerts
                            where kind = 'volume_spike' and topic_id not in ('derrame_petroleo')""")
    assert others == []


def test_the_sensor_emails_the_focal_points_once(spill, monkeypatch):
    ambiente = load_config(config_path())[0]["ambiente"]
    resources = {"escucha_home": EscuchaHome(root=str(spill.root)),
                 "alert_channels": AlertChannels(max_age_hours=A_DECADE, max_emails_per_hour=10)}
    with local_smtp() as (port, inbox), dg.instance_for_test() as instance:
        monkeypatch.setenv("ESCUCHA_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("ESCUCHA_SMTP_PORT", str(port))
        monkeypatch.setenv("ESCUCHA_SMTP_SECURITY", "none")
        monkeypatch.setenv("ESCUCHA_SMTP_FROM", "escucha@example.org")
        request = alerts_sensor(dg.build_sensor_context(instance=instance, resources=resources))
        assert isinstance(request, dg.RunRequest)
        result = notify_alerts_job.execute_in_process(run_config=request.run_config, resources=resources,
                                                      instance=instance)
        assert result.success
        spill_mail = [m for m in inbox.received if sorted(m.rcpt_tos) == sorted(ambiente.focal_points)]
        assert len(spill_mail) == 1
        message = spill_mail[0].message
        assert "derrame" in message["Subject"].lower() or "Derrame" in message["Subject"]
        html = message.get_body(("html",)).get_content()
        text = message.get_body(("plain",)).get_content()
        assert "publicaciones" in text and "<script" not in html.lower()
        sent = len(inbox.received)
        # nothing new: the sensor skips, and sending again sends nothing
        again = alerts_sensor(dg.build_sensor_context(instance=instance, resources=resources))
        assert isinstance(again, dg.SkipReason)
        assert main(["alerts", "send", "--hours", str(A_DECADE)]) == 0
        assert len(inbox.received) == sent


def test_the_spill_effect_is_found_against_its_counterfactual(spill):
    found = rows(spill, """
        select role, significant, relative_effect, relative_low, relative_high, net_sentiment_before,
            net_sentiment_during, posts_per_day_during, posts_per_day_before, method
        from marts.fct_event_impact where event_id = 'derrame_ventanilla' and topic_id = 'derrame_petroleo'""")
    assert len(found) == 1
    role, significant, rel, low, high, before, during, per_day_during, per_day_before, method = found[0]
    assert role == "affected" and significant and 0 < low < rel < high
    assert per_day_during > 2 * per_day_before
    assert during < before          # the spill's posts are more negative than the topic's usual
    assert "control topics" in method


def test_a_new_lexicon_rescores_posts_outside_the_run_window(spill):
    """Posts scored by an older lexicon are scored again by the next run, whatever its window, and
    fct_posts takes their new sentiment (the spill's marts are rebuilt by a one-day run)."""
    from escucha.sentiment import LEXICON_VERSION, score_texts

    with duckdb.connect(str(spill.warehouse)) as con:
        keys = [r[0] for r in con.execute("""select post_key from marts.fct_posts
                                             where created_date_lima < date '2021-12-20' and text <> ''
                                             order by post_key limit 25""").fetchall()]
        for table, version in (("intermediate.int_post_sentiments_scored", "lexicon_version"),
                               ("marts.fct_posts", "sentiment_version")):
            con.execute(f"update {table} set {version} = 'old', sentiment = 'positive', sentiment_score = 9 "
                        "where list_contains(?, post_key)", [keys])
    assert run_pipeline(spill, date(2022, 1, 20), date(2022, 1, 20)).success
    got = rows(spill, """select post_key, text, language, sentiment, sentiment_score, sentiment_version
                         from marts.fct_posts where list_contains(?, post_key) order by post_key""", [keys])
    assert len(got) == 25
    expected = score_texts([r[1] for r in got], [r[2] for r in got])
    assert [r[5] for r in got] == [LEXICON_VERSION] * 25
    assert [r[3] for r in got] == expected["sentiment"].tolist()
    assert [round(r[4], 12) for r in got] == [round(x, 12) for x in expected["sentiment_score"]]
    assert rows(spill, "select count(*) from marts.fct_posts where sentiment_version <> ?", [LEXICON_VERSION]) == [(0,)]


def test_a_one_day_run_rescores_its_changed_posts_and_leaves_every_other_day_alone(spill):
    """Only the run's window can hold changed posts (int_posts_unioned rewrites only those days), so
    a one-day run compares and scores that day's posts alone: a post of the day whose stored content
    no longer matches is scored again, a post of another day keeps its row untouched."""
    from escucha.sentiment import score_texts

    day, other = date(2022, 1, 21), date(2022, 1, 5)
    table = "intermediate.int_post_sentiments_scored"
    with duckdb.connect(str(spill.warehouse)) as con:
        pick = ("select post_key, content_hash from intermediate.int_post_sentiments_scored "
                "where cast(created_at as date) = ? order by post_key limit 1")
        changed, changed_hash = con.execute(pick, [day]).fetchone()
        kept, kept_hash = con.execute(pick, [other]).fetchone()
        con.execute(f"update {table} set content_hash = 'an older text', sentiment = 'positive', "
                    "sentiment_score = 9 where post_key = ?", [changed])
        con.execute(f"update {table} set sentiment_score = 9 where post_key = ?", [kept])
        before = con.execute(f"select count(*) from {table}").fetchone()[0]
    assert run_pipeline(spill, day, day).success
    got = dict((r[0], r[1:]) for r in rows(spill, f"select post_key, content_hash, sentiment, sentiment_score "
                                                  f"from {table} where post_key in (?, ?)", [changed, kept]))
    text, language = rows(spill, "select text, language from intermediate.int_posts_unioned where post_key = ?",
                          [changed])[0]
    expected = score_texts([text], [language])
    assert got[changed] == (changed_hash, expected["sentiment"][0], pytest.approx(expected["sentiment_score"][0]))
    assert got[kept][0] == kept_hash and got[kept][2] == 9
    assert rows(spill, f"select count(*), count(distinct post_key) from {table}") == [(before, before)]
    # fct_posts took the kept row's score as it is (its post-hook syncs scores that differ)
    assert rows(spill, "select sentiment_score from marts.fct_posts where post_key = ?", [kept]) == [(9,)]
    with duckdb.connect(str(spill.warehouse)) as con:  # the module's other tests read these tables
        real = score_texts(*zip(*con.execute("select text, language from intermediate.int_posts_unioned "
                                             "where post_key = ?", [kept]).fetchall()))
        for restored in (table, "marts.fct_posts"):
            con.execute(f"update {restored} set sentiment_score = ? where post_key = ?",
                        [float(real["sentiment_score"][0]), kept])
