"""Sentiment of every post: positive, neutral or negative, with a compound score in [-1, 1], from
escucha.sentiment (a Spanish lexicon with negation, intensifiers and emoji; VADER for English).

Incremental on content: a post is scored again only when its text or language changed, or when the
lexicon changed (lexicon_version); every other row is kept. Only the run's window of days can hold
changed posts (int_posts_unioned rewrites just those days), so a one-day run compares and scores
that day's posts alone; a new lexicon rescores the whole year by itself. Each distinct content
(text and language) is scored once, a batch at a time (escucha.sentiment.batch).
"""
from escucha.run_window import WHOLE, window
from escucha.sentiment import LEXICON_VERSION
from escucha.sentiment.batch import score_relation

INPUTS = """
select post_key, created_at, text, language,
    md5(coalesce(text, '') || chr(31) || coalesce(language, '')) as content_hash
from sentiment_inputs_posts
where created_at >= cast(? as date) and created_at < cast(? as date) + 1
"""


def model(dbt, session):
    dbt.config(materialized="incremental", incremental_strategy="append")
    # read as plain statements: dbt passes a model only the config keys it finds read this way
    min_date, max_date = dbt.config.get("min_date"), dbt.config.get("max_date")
    start, end = window(min_date, max_date)
    dbt.ref("int_posts_unioned").create_view("sentiment_inputs_posts", replace=True)
    if dbt.is_incremental and session.execute(
            f"select count(*) from {dbt.this} where lexicon_version <> ?", [LEXICON_VERSION]).fetchone()[0]:
        session.execute(f"delete from {dbt.this} where lexicon_version <> ?", [LEXICON_VERSION])
        start, end = WHOLE  # a new lexicon: every post is scored again, whatever the window
    session.execute(f"create or replace temp table sentiment_inputs as {INPUTS}", [start, end])
    if dbt.is_incremental:
        # the window's posts that are gone or whose content changed lose their score; the others keep it
        session.execute(
            f"delete from {dbt.this} as s where s.created_at >= cast(? as date) and s.created_at < cast(? as date) + 1 "
            "and not exists (select 1 from sentiment_inputs as i where i.post_key = s.post_key "
            "and i.content_hash = s.content_hash)", [start, end])
        session.execute(f"delete from sentiment_inputs as i where exists (select 1 from {dbt.this} as s "
                        "where s.post_key = i.post_key)")
    session.execute("create or replace temp view sentiment_contents as select content_hash as key, "
                    "any_value(text) as text, any_value(language) as language from sentiment_inputs "
                    "group by content_hash")
    score_relation(session, "sentiment_contents", "sentiment_scores")
    return session.sql(
        "select i.post_key, i.created_at, i.content_hash, s.sentiment, s.sentiment_score, "
        f"'{LEXICON_VERSION}' as lexicon_version "
        "from sentiment_inputs as i join sentiment_scores as s on s.key = i.content_hash")
