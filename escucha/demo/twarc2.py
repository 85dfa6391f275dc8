"""Write X posts as twarc2 output: one X API v2 search response page per line.

Each line is ``{"data": [...<=100 tweets], "includes": {"users": [...], "tweets": [...]},
"meta": {...}, "__twarc": {...}}``.  Pages are in time order; one file per UTC month.
"""
from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlencode

import numpy as np

from .engagement import Engagement
from .population import Authors
from .posts import LANGS, QUOTE, REPLY, SHARE, PostTable
from .textgen import TextExtras, display_url

PAGE_SIZE = 100
TWARC_VERSION = "2.14.0"
SEARCH_URL = "https://api.twitter.com/2/tweets/search/all"
QUERY = '(Perú OR Peru OR Lima OR #Perú) (lang:es OR lang:qu OR lang:en) -is:nullcast'
_HASHTAG_RE = re.compile(r"(?<![\w&])#(\w+)")
_MENTION_RE = re.compile(r"(?<![\w@])@(\w{1,15})")
_TCO_RE = re.compile(r"https://t\.co/([A-Za-z0-9]+)")
_REF_TYPE = {REPLY: "replied_to", SHARE: "retweeted", QUOTE: "quoted"}


def iso_ms(t: int) -> str:
    """X API timestamp: 2022-01-15T13:45:12.000Z."""
    return datetime.fromtimestamp(int(t), tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def month_key(t: np.ndarray) -> np.ndarray:
    """'YYYY-MM' (UTC) per timestamp."""
    return np.datetime_as_string(t.astype("datetime64[s]").astype("datetime64[M]"), unit="M")


def _next_token(seed_id: int) -> str:
    """Deterministic pagination token (base36, like the API's)."""
    v = (seed_id * 6364136223846793005 + 1442695040888963407) % (2**64)
    w = (v * 2862933555777941757 + 3037000493) % (2**64)
    return (np.base_repr(v, 36) + np.base_repr(w, 36)).lower()


class _TweetBuilder:
    """Builds (and caches) tweet and user objects."""

    def __init__(self, posts: PostTable, authors: Authors, eng: Engagement, extras: TextExtras):
        self.p, self.a, self.e, self.x = posts, authors, eng, extras
        self.handle_to_author = {authors.handle[i]: i for i in np.flatnonzero(authors.net == 0).tolist()}
        self.is_target = np.zeros(len(posts), dtype=bool)
        self.is_target[posts.ref[posts.ref >= 0]] = True
        self.tweets: dict[int, tuple[dict, list[int]]] = {}   # only tweets that others reference
        self.users: dict[int, dict] = {}

    def user(self, ai: int) -> dict:
        obj = self.users.get(ai)
        if obj is None:
            a = self.a
            obj = {"id": a.native_id[ai], "username": a.handle[ai], "name": a.display_name[ai],
                   "description": a.bio[ai]}
            if a.location[ai]:
                obj["location"] = a.location[ai]
            obj["created_at"] = iso_ms(a.created[ai])
            obj["verified"] = bool(a.verified[ai])
            obj["public_metrics"] = {
                "followers_count": int(a.followers[ai]), "following_count": int(a.following[ai]),
                "tweet_count": int(a.statuses[ai]), "listed_count": int(a.listed[ai]),
            }
            self.users[ai] = obj
        return obj

    def entities(self, text: str) -> tuple[dict, list[int]]:
        ent: dict[str, list] = {}
        urls = []
        for m in _TCO_RE.finditer(text):
            expanded = self.x.tco.get(m.group(1), m.group(0))
            urls.append({"start": m.start(), "end": m.end(), "url": m.group(0), "expanded_url": expanded,
                         "display_url": display_url(expanded)})
        if urls:
            ent["urls"] = urls
        tags = [{"start": m.start(), "end": m.end(), "tag": m.group(1)} for m in _HASHTAG_RE.finditer(text)]
        if tags:
            ent["hashtags"] = tags
        mentions, who = [], []
        for m in _MENTION_RE.finditer(text):
            ai = self.handle_to_author.get(m.group(1))
            if ai is None:
                continue
            mentions.append({"start": m.start(), "end": m.end(), "username": m.group(1),
                             "id": self.a.native_id[ai]})
            who.append(ai)
        if mentions:
            ent["mentions"] = mentions
        return ent, who

    def tweet(self, i: int) -> tuple[dict, list[int]]:
        """Tweet object of post ``i`` and the author indices it mentions."""
        cached = self.tweets.get(i)
        if cached is not None:
            return cached
        p, e = self.p, self.e
        nid = p.native_id[i]
        kind = int(p.kind[i])
        ref = int(p.ref[i])
        obj = {"id": nid, "text": p.text[i], "created_at": iso_ms(p.t[i]),
               "author_id": self.a.native_id[p.author[i]],
               "conversation_id": p.native_id[ref] if kind == REPLY else nid,
               "lang": LANGS[p.lang[i]]}
        if kind == REPLY:
            obj["in_reply_to_user_id"] = self.a.native_id[p.author[ref]]
        if ref >= 0:
            obj["referenced_tweets"] = [{"type": _REF_TYPE[kind], "id": p.native_id[ref]}]
        ent, who = self.entities(p.text[i])
        if ent:
            obj["entities"] = ent
        obj["public_metrics"] = {
            "retweet_count": int(e.retweet[i]), "reply_count": int(e.reply[i]), "like_count": int(e.like[i]),
            "quote_count": int(e.quote[i]), "impression_count": int(e.impression[i]),
        }
        obj["edit_history_tweet_ids"] = [nid]
        obj["possibly_sensitive"] = False
        if self.is_target[i]:
            self.tweets[i] = (obj, who)
        return obj, who


def _twarc_meta(month: str, page: int, start: date, end: date, prev_token: str | None, *,
                recollected_after: timedelta = timedelta(0), page_step_ms: int = 2317,
                extra_tweet_fields: str = "") -> dict:
    """``__twarc`` of one search page; a later re-collection passes its delay and extra fields."""
    y, m = (int(v) for v in month.split("-"))
    first = date(y, m, 1)
    nxt = date(y + (m == 12), m % 12 + 1, 1)
    s, e = max(first, start), min(nxt, end + timedelta(days=1))
    params = [
        ("expansions", "author_id,referenced_tweets.id,referenced_tweets.id.author_id,"
                       "in_reply_to_user_id,entities.mentions.username"),
        ("tweet.fields", "author_id,conversation_id,created_at,edit_history_tweet_ids,entities,"
                         "in_reply_to_user_id,lang,possibly_sensitive,public_metrics,referenced_tweets"
                         + extra_tweet_fields),
        ("user.fields", "created_at,description,location,public_metrics,verified"),
        ("start_time", f"{s.isoformat()}T00:00:00+00:00"), ("end_time", f"{e.isoformat()}T00:00:00+00:00"),
        ("max_results", "100"), ("query", QUERY),
    ]
    if prev_token:
        params.append(("next_token", prev_token))
    retrieved = (datetime(e.year, e.month, e.day, 2, 0, tzinfo=timezone.utc) + recollected_after
                 + timedelta(milliseconds=page_step_ms * page))
    return {"url": f"{SEARCH_URL}?{urlencode(params)}", "version": TWARC_VERSION,
            "retrieved_at": retrieved.isoformat()}


def write(out_dir: Path, posts: PostTable, authors: Authors, eng: Engagement, extras: TextExtras,
          start: date, end: date) -> tuple[dict[str, tuple[int, int]], dict[int, tuple[str, int]]]:
    """Write exports/x/x_search_YYYY-MM.jsonl; return {file: (tweets, lines)} and {post: (file, line)}."""
    folder = out_dir / "exports" / "x"
    folder.mkdir(parents=True, exist_ok=True)
    b = _TweetBuilder(posts, authors, eng, extras)
    x_rows = np.flatnonzero(posts.net == 0)
    ids = np.array([int(posts.native_id[i]) for i in x_rows.tolist()], dtype=np.int64)
    x_rows = x_rows[np.argsort(ids, kind="stable")]
    months = month_key(posts.t[x_rows])
    files: dict[str, tuple[int, int]] = {}
    where: dict[int, tuple[str, int]] = {}
    for month in sorted(set(months.tolist())):
        rows = x_rows[months == month].tolist()
        rel = f"exports/x/x_search_{month}.jsonl"
        lines = []
        n_pages = (len(rows) + PAGE_SIZE - 1) // PAGE_SIZE
        token: str | None = None
        for pg in range(n_pages):
            chunk = rows[pg * PAGE_SIZE:(pg + 1) * PAGE_SIZE]
            built = [b.tweet(i) for i in chunk]
            data = [obj for obj, _ in built]
            inc_idx: dict[int, None] = {}
            for i in chunk:
                if posts.ref[i] >= 0:
                    inc_idx[int(posts.ref[i])] = None
            inc_built = [b.tweet(j) for j in inc_idx]
            inc_tweets = [obj for obj, _ in inc_built]
            users: dict[int, None] = {}
            for i, (_, who) in zip(list(chunk) + list(inc_idx), built + inc_built):
                users[int(posts.author[i])] = None
                for m in who:
                    users[m] = None
            ids_in_page = [int(d["id"]) for d in data]
            meta = {"newest_id": str(max(ids_in_page)), "oldest_id": str(min(ids_in_page)),
                    "result_count": len(data)}
            new_token = _next_token(min(ids_in_page)) if pg < n_pages - 1 else None
            if new_token:
                meta["next_token"] = new_token
            includes: dict[str, list] = {"users": [b.user(u) for u in users]}
            if inc_tweets:
                includes["tweets"] = inc_tweets
            page = {"data": data, "includes": includes, "meta": meta,
                    "__twarc": _twarc_meta(month, pg, start, end, token)}
            token = new_token
            lines.append(json.dumps(page))
            for i in chunk:
                where[i] = (rel, pg + 1)
        (out_dir / rel).write_text("\n".join(lines) + "\n", encoding="utf-8")
        files[rel] = (len(rows), n_pages)
    return files, where
