"""Write one month of X again as a twarc-csv file: ``exports/x/x_search_YYYY-MM.csv``.

It is what ``twarc2 csv`` (twarc-csv 0.7.2, default options) writes for a second collection of
the same search made later: the same tweets as ``x_search_YYYY-MM.jsonl``, in the same order,
one row per tweet, with later ``__twarc.retrieved_at`` and slightly higher metrics.  The
warehouse must keep one row per tweet id.

twarc-csv's defaults show in the values: the 84 ``DEFAULT_TWEET_COLUMNS`` in order; lists as
JSON (``["#tag"]``, ``["@user"]``, expanded URLs, ``edit_history_tweet_ids``); booleans as
``True``/``False``; missing values empty; retweets merged with their original (``text``,
``entities`` and ``public_metrics`` are the retweeted tweet's, the author stays the
retweeter's); newlines in text as a literal ``\\n``.
"""
from __future__ import annotations

import csv
import json
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from .engagement import Engagement
from .population import X, Authors
from .posts import QUOTE, REPLY, SHARE, PostTable
from .textgen import TextExtras
from .twarc2 import _next_token, _twarc_meta, _TweetBuilder, month_key

PREFERRED_MONTH = "2022-03"
#: twarc-csv 0.7.2 dataframe_converter.DEFAULT_TWEET_COLUMNS, in order
TWEET_COLUMNS: tuple[str, ...] = (
    "id", "conversation_id", "referenced_tweets.replied_to.id", "referenced_tweets.retweeted.id",
    "referenced_tweets.quoted.id", "author_id", "in_reply_to_user_id", "in_reply_to_username",
    "retweeted_user_id", "retweeted_username", "quoted_user_id", "quoted_username", "created_at", "text",
    "lang", "source", "public_metrics.impression_count", "public_metrics.reply_count",
    "public_metrics.retweet_count", "public_metrics.quote_count", "public_metrics.like_count",
    "public_metrics.bookmark_count", "reply_settings", "edit_history_tweet_ids",
    "edit_controls.edits_remaining", "edit_controls.editable_until", "edit_controls.is_edit_eligible",
    "possibly_sensitive", "withheld.scope", "withheld.copyright", "withheld.country_codes",
    "entities.annotations", "entities.cashtags", "entities.hashtags", "entities.mentions", "entities.urls",
    "context_annotations", "attachments.media", "attachments.media_keys", "attachments.poll.duration_minutes",
    "attachments.poll.end_datetime", "attachments.poll.id", "attachments.poll.options",
    "attachments.poll.voting_status", "attachments.poll_ids", "author.id", "author.created_at",
    "author.username", "author.name", "author.description", "author.entities.description.cashtags",
    "author.entities.description.hashtags", "author.entities.description.mentions",
    "author.entities.description.urls", "author.entities.url.urls", "author.url", "author.location",
    "author.pinned_tweet_id", "author.profile_image_url", "author.protected",
    "author.public_metrics.followers_count", "author.public_metrics.following_count",
    "author.public_metrics.listed_count", "author.public_metrics.tweet_count", "author.verified",
    "author.verified_type", "author.withheld.scope", "author.withheld.copyright",
    "author.withheld.country_codes", "geo.coordinates.coordinates", "geo.coordinates.type", "geo.country",
    "geo.country_code", "geo.full_name", "geo.geo.bbox", "geo.geo.type", "geo.id", "geo.name", "geo.place_id",
    "geo.place_type", "matching_rules", "__twarc.retrieved_at", "__twarc.url", "__twarc.version",
)
RECOLLECTED_AFTER = timedelta(days=47, hours=7, minutes=12)
PAGE_SIZE = 100


def choose_month(months: list[str]) -> str | None:
    """2022-03 when the run covers it, else the run's first month."""
    if not months:
        return None
    return PREFERRED_MONTH if PREFERRED_MONTH in months else sorted(months)[0]


def _text(v: str) -> str:
    return v.replace("\r", "").replace("\n", r"\n")


def _json_list(items: list[str]) -> str:
    return json.dumps(items)


def _later(posts: PostTable, authors: Authors, eng: Engagement, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Metrics as a collection weeks later sees them: never lower, mostly a little higher."""
    n = len(posts)
    g = rng.uniform(0.01, 0.12, n)
    bump = rng.random((4, n)) < 0.25
    out = {
        "like": eng.like + np.floor(eng.like * g).astype(np.int64) + bump[0],
        "retweet": eng.retweet + np.floor(eng.retweet * g * 0.8).astype(np.int64) + bump[1],
        "reply": eng.reply + np.floor(eng.reply * g * 0.5).astype(np.int64) + bump[2],
        "quote": eng.quote + np.floor(eng.quote * g * 0.4).astype(np.int64) + (bump[3] & (rng.random(n) < 0.2)),
        "impression": eng.impression + np.floor(eng.impression * g * 1.5).astype(np.int64)
        + rng.integers(3, 80, n),
    }
    shares = np.flatnonzero((posts.net == X) & (posts.kind == SHARE))
    for k in out:                    # a retweet row shows its original's metrics (twarc-csv merge)
        out[k][shares] = out[k][posts.ref[shares]]
    m = len(authors)
    out["followers"] = authors.followers + np.floor(authors.followers * rng.uniform(0.0, 0.015, m)).astype(np.int64)
    out["following"] = authors.following + rng.integers(0, 12, m)
    out["tweets"] = authors.statuses + rng.integers(5, 400, m)
    return out


def _meta(month: str, page: int, start: date, end: date, prev_token: str | None) -> dict[str, str]:
    """``__twarc`` of the later collection's page: same search, other pagination, weeks later."""
    return _twarc_meta(month, page, start, end, prev_token, recollected_after=RECOLLECTED_AFTER,
                       page_step_ms=1871, extra_tweet_fields=",reply_settings")


def write(out_dir: Path, posts: PostTable, authors: Authors, eng: Engagement, extras: TextExtras,
          start: date, end: date, rng: np.random.Generator
          ) -> tuple[dict[str, tuple[int, int]], dict[int, tuple[str, int]]]:
    """Write the month's twarc-csv file; return {file: (rows, lines)} and {post: (file, line)}."""
    x_rows = np.flatnonzero(posts.net == X)
    months = month_key(posts.t[x_rows])
    month = choose_month(sorted(set(months.tolist())))
    if month is None:
        return {}, {}
    later = _later(posts, authors, eng, rng)
    rows = x_rows[months == month]
    ids = np.array([int(posts.native_id[i]) for i in rows.tolist()], dtype=np.int64)
    rows = rows[np.argsort(ids, kind="stable")].tolist()
    b = _TweetBuilder(posts, authors, eng, extras)
    rel = f"exports/x/x_search_{month}.csv"
    where: dict[int, tuple[str, int]] = {}

    def user_cols(ai: int) -> dict[str, object]:
        u = b.user(ai)
        return {"author.id": u["id"], "author.created_at": u["created_at"], "author.username": u["username"],
                "author.name": _text(u["name"]), "author.description": _text(u["description"]),
                "author.location": _text(u.get("location", "")),
                "author.public_metrics.followers_count": int(later["followers"][ai]),
                "author.public_metrics.following_count": int(later["following"][ai]),
                "author.public_metrics.listed_count": u["public_metrics"]["listed_count"],
                "author.public_metrics.tweet_count": int(later["tweets"][ai]),
                "author.verified": "True" if u["verified"] else "False"}

    def entity_cols(obj: dict) -> dict[str, str]:
        ent = obj.get("entities", {})
        out = {}
        if ent.get("hashtags"):
            out["entities.hashtags"] = _json_list(["#" + h["tag"] for h in ent["hashtags"]])
        if ent.get("mentions"):
            out["entities.mentions"] = _json_list(["@" + m["username"] for m in ent["mentions"]])
        if ent.get("urls"):
            out["entities.urls"] = _json_list([u.get("expanded_url", u["url"]) for u in ent["urls"]])
        return out

    def row(i: int, meta: dict[str, str]) -> list:
        obj, _ = b.tweet(i)
        kind = int(posts.kind[i])
        ref = int(posts.ref[i])
        v: dict[str, object] = {"id": obj["id"], "conversation_id": obj["conversation_id"],
                                "author_id": obj["author_id"], "created_at": obj["created_at"],
                                "text": _text(obj["text"]), "lang": obj["lang"]}
        src = i
        if ref >= 0:
            target, _ = b.tweet(ref)
            t_user = b.user(int(posts.author[ref]))
            label = {REPLY: "replied_to", SHARE: "retweeted", QUOTE: "quoted"}[kind]
            v[f"referenced_tweets.{label}.id"] = target["id"]
            if kind == REPLY:
                v["in_reply_to_user_id"] = obj["in_reply_to_user_id"]
                v["in_reply_to_username"] = t_user["username"]
            elif kind == SHARE:
                v["retweeted_user_id"], v["retweeted_username"] = target["author_id"], t_user["username"]
                v["text"] = _text(target["text"])
                src = ref
            else:
                v["quoted_user_id"], v["quoted_username"] = target["author_id"], t_user["username"]
        if kind == SHARE:            # merged retweet: the original's entities, else the retweet's own
            original = b.tweet(ref)[0]
            v.update(entity_cols(original if original.get("entities") else obj))
        else:
            v.update(entity_cols(obj))
        v["public_metrics.impression_count"] = int(later["impression"][src])
        v["public_metrics.reply_count"] = int(later["reply"][src])
        v["public_metrics.retweet_count"] = int(later["retweet"][src])
        v["public_metrics.quote_count"] = int(later["quote"][src])
        v["public_metrics.like_count"] = int(later["like"][src])
        v["reply_settings"] = "everyone"
        v["edit_history_tweet_ids"] = _json_list(obj["edit_history_tweet_ids"])
        v["possibly_sensitive"] = "True" if obj["possibly_sensitive"] else "False"
        v.update(user_cols(int(posts.author[i])))
        v["__twarc.retrieved_at"], v["__twarc.url"], v["__twarc.version"] = (
            meta["retrieved_at"], meta["url"], meta["version"])
        return [v.get(c, "") for c in TWEET_COLUMNS]

    with open(out_dir / rel, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(TWEET_COLUMNS)
        token: str | None = None
        n_pages = (len(rows) + PAGE_SIZE - 1) // PAGE_SIZE
        line = 1
        for pg in range(n_pages):
            chunk = rows[pg * PAGE_SIZE:(pg + 1) * PAGE_SIZE]
            meta = _meta(month, pg, start, end, token)
            token = _next_token(int(posts.native_id[chunk[0]]) ^ 0x5DEECE66D) if pg < n_pages - 1 else None
            for i in chunk:
                w.writerow(row(i, meta))
                line += 1
                where[i] = (rel, line)
    return {rel: (len(rows), len(rows) + 1)}, where
