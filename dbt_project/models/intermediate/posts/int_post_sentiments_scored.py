"""Sentiment of every post: positive, neutral or negative, with a compound score in [-1, 1], from
escucha.sentiment (a Spanish lexicon with negation, intensifiers and emoji; VADER for English).

Incremental on content, not on the run's window: a post is scored again only when its text or
language changed, or when the lexicon changed (lexicon_version); every other row is kept. So a
one-day run scores that day's new posts, and a new lexicon rescores the whole year by itself.
"""
from escucha.sentiment import LEXICON_VERSION, score_texts

INPUTS = """
select post_key, created_at, text, language,
    md5(coalesce(text, '') || chr(31) || coalesce(language, '')) as content_hash
from sentiment_inputs_posts
"""


def model(dbt, session):
    dbt.config(materialized="incremental", incremental_strategy="append")
    dbt.ref("int_posts_unioned").create_view("sentiment_inputs_posts", replace=True)
    session.execute(f"create or replace temp table sentiment_inputs as {INPUTS}")
    if dbt.is_incremental:
        session.execute(
            f"delete from {dbt.this} as s where s.lexicon_version <> ? or not exists (select 1 from "
            "sentiment_inputs as i where i.post_key = s.post_key and i.content_hash = s.content_hash)",
            [LEXICON_VERSION])
        session.execute(f"delete from sentiment_inputs as i where exists (select 1 from {dbt.this} as s "
                        "where s.post_key = i.post_key)")
    posts = session.table("sentiment_inputs").df()
    texts, languages = (posts[c].astype(object).where(posts[c].notna(), None).tolist() for c in ("text", "language"))
    scored = score_texts(texts, languages)
    return posts[["post_key", "created_at", "content_hash"]].assign(
        sentiment=scored["sentiment"].to_numpy(),
        sentiment_score=scored["sentiment_score"].astype("float64").to_numpy(),
        lexicon_version=LEXICON_VERSION,
    )
