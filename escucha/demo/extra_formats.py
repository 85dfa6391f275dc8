"""Three more export formats the warehouse reads, written from posts the other writers already hold.

* ``exports/facebook/mcl_facebook_YYYY-MM.csv``: one month (2022-02, else the run's first) of
  Facebook posts again as a Meta Content Library CSV (MCL ``id`` = the CrowdTangle post id,
  ``post_owner.id`` = the page's ``Facebook Id``): repeats of CrowdTangle rows.
* ``exports/reddit/reddit_submissions_YYYY-MM.jsonl`` / ``reddit_comments_YYYY-MM.jsonl``:
  Pushshift-style NDJSON, a small network of its own (~2% of posts, modelled on a sample of X
  posts: same topics, sentiment and time give or take an hour, by the X author's Reddit alias).
  Comments answer earlier submissions or comments (``link_id`` / ``parent_id`` fullnames).
* ``exports_mapped/monitor_andino_YYYY-MM.csv`` (2022-04, else the first month) plus
  ``exports_mapped/monitor_andino.mapping.yaml``: a local monitoring tool's Latin-1 ``;`` CSV
  with a ~5% sample of that month's X posts again (repeats).  Outside ``exports/`` on purpose:
  it is ingested explicitly with ``escucha ingest FILE --mapping YAML``.
"""
from __future__ import annotations

import csv
import json
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from .brandwatch import WebAuthor, WebPost
from .engagement import Engagement
from .phrases import TOPICS
from .population import FACEBOOK, X, Authors
from .posts import LANGS, POST, QUOTE, REPLY, SENTIMENTS, PostTable
from .timeline import LIMA_UTC_OFFSET_S, Event
from .twarc2 import month_key

MCL_MONTH = "2022-02"
MAPPED_MONTH = "2022-04"
REDDIT_SHARE = 0.02
MAPPED_SHARE = 0.05
MCL_DATASET = "1119037145491882"
SUBREDDITS = (("PERU", "t5_2qh3b", 0.65), ("lima", "t5_2r5xq", 0.25), ("PeruPolitics", "t5_3c1k8", 0.10))
MAPPED_COLUMNS = ("Nº", "Red social", "ID publicación", "Fecha", "Usuario", "Nombre", "Texto", "Me gusta",
                  "Compartidos", "Comentarios", "Reproducciones", "Enlace", "Idioma", "Etiquetas", "Seguidores")
MAPPING_YAML = """\
# How to read the CSV export of "Monitor Andino", a local media-monitoring tool (see docs/mapping.md).
description: Monitor Andino, exportación CSV de menciones (Latin-1, punto y coma, hora de Lima)
format: csv
encoding: latin-1
delimiter: ";"
header_row: 2                  # line 1 is the report title
timestamp_format: "%d/%m/%Y %H:%M"
timezone: America/Lima
thousands_separator: "."       # "1.245" is one thousand two hundred forty-five
fields:
  network:          {column: "Red social"}
  post_id:          {column: "ID publicación"}
  created_at:       {column: "Fecha"}
  author_handle:    {column: "Usuario"}
  author_name:      {column: "Nombre"}
  author_followers: {column: "Seguidores"}
  text:             {column: "Texto"}
  language:         {column: "Idioma"}
  likes:            {column: "Me gusta"}
  shares:           {column: "Compartidos"}
  comments:         {column: "Comentarios"}
  views:            {column: "Reproducciones"}
  url:              {column: "Enlace"}
  hashtags:         {column: "Etiquetas", separator: " "}
"""
Files = dict[str, tuple[int, int]]


def _choose(months: list[str], preferred: str) -> str | None:
    return None if not months else (preferred if preferred in months else sorted(months)[0])


def _utc_iso(t: int) -> str:
    return datetime.fromtimestamp(int(t), tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+0000")


def _b36(v: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    s = ""
    while True:
        v, r = divmod(v, 36)
        s = digits[r] + s
        if not v:
            return s


# ---------------------------------------------------------------- Meta Content Library

MCL_COLUMNS = (
    "id", "creation_time", "modified_time", "text", "lang", "is_branded_content", "content_type",
    "match_type", "mcl_url", "multimedia", "post_owner.type", "post_owner.id", "post_owner.name",
    "post_owner.username", "surface.type", "surface.id", "surface.name", "surface.username",
    "shared_post_id", "link_attachment.link", "link_attachment.name", "statistics.reaction_count",
    "statistics.like_count", "statistics.love_count", "statistics.wow_count", "statistics.haha_count",
    "statistics.sad_count", "statistics.angry_count", "statistics.care_count",
    "statistics.comment_count", "statistics.share_count", "statistics.views",
    "statistics.views_date_last_refreshed",
)
_CONTENT = {"Photo": ("photo", "[{'type': 'photo'}]"), "Native Video": ("video", "[{'type': 'video'}]"),
            "Link": ("link", ""), "Status": ("status", "")}


def write_mcl(out_dir: Path, posts: PostTable, authors: Authors, eng: Engagement, extras, types: np.ndarray,
              rng: np.random.Generator) -> tuple[Files, dict[int, tuple[str, int]]]:
    """One month of Facebook posts again, as a Meta Content Library CSV (repeats of CrowdTangle rows)."""
    rows = np.flatnonzero(posts.net == FACEBOOK)
    rows = rows[np.argsort(posts.t[rows], kind="stable")]
    months = month_key(posts.t[rows])
    month = _choose(sorted(set(months.tolist())), MCL_MONTH)
    if month is None:
        return {}, {}
    sel = rows[months == month].tolist()
    edit = rng.random(len(sel)) < 0.1
    edit_after = rng.integers(600, 86400, len(sel))
    rel = f"exports/facebook/mcl_facebook_{month}.csv"
    (out_dir / "exports" / "facebook").mkdir(parents=True, exist_ok=True)
    where: dict[int, tuple[str, int]] = {}
    with open(out_dir / rel, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(MCL_COLUMNS)
        for k, i in enumerate(sel):
            a = int(posts.author[i])
            pid, page = posts.native_id[i], authors.native_id[a]
            t = int(posts.t[i])
            likes, love, wow, haha, sad, angry, care = (int(v) for v in eng.reactions[i])
            content, media = _content(types[i])
            link, link_name = "", ""
            if types[i] == "Link" and i in extras.link:
                link, link_name, _ = extras.link[i]
            video = types[i] == "Native Video"
            owner_type = "page" if authors.account_type[a] != "person" else "profile"
            w.writerow([
                pid, _utc_iso(t), _utc_iso(t + int(edit_after[k]) if edit[k] else t), posts.text[i],
                LANGS[int(posts.lang[i])], "False", content, "post_text",
                f"https://www.facebook.com/transparency-tools/content-library/dataset/{MCL_DATASET}/facebook/entity/{pid}",
                media, owner_type, page, authors.display_name[a], authors.handle[a],
                owner_type, page, authors.display_name[a], authors.handle[a], "", link, link_name,
                likes + love + wow + haha + sad + angry + care, likes, love, wow, haha, sad, angry, care,
                int(eng.comments[i]), int(eng.shares[i]),
                int(eng.views[i]) if video else "", _utc_iso(t + 7 * 86400) if video else "",
            ])
            where[i] = (rel, k + 2)
    return {rel: (len(sel), len(sel) + 1)}, where


def _content(typ: str) -> tuple[str, str]:
    return _CONTENT.get(typ, ("status", ""))


# ---------------------------------------------------------------- Reddit

#: the time (unix seconds, 2020-09-13) from which the generated Reddit ids grow: each second moves the
#: submissions' sequence by 1 and the comments' by 4, more than a month of items at 10M posts a year uses
REDDIT_ID_EPOCH = 1_600_000_000


def write_reddit(out_dir: Path, posts: PostTable, authors: Authors, events: list[Event], end_t: int,
                 rng: np.random.Generator) -> tuple[Files, list[WebPost], list[WebAuthor]]:
    """Reddit submissions and comments (Pushshift NDJSON), one pair of files per UTC month."""
    cand = np.flatnonzero((posts.net == X) & np.isin(posts.kind, [POST, REPLY, QUOTE]))
    n = min(len(cand), max(1, int(round(REDDIT_SHARE * len(posts)))))
    if n == 0:
        return {}, [], []
    pick = rng.choice(cand, size=n, replace=False)
    # at least one item per UTC day and per Lima day (no collection gaps on a small network)
    ct = posts.t[cand]
    day0 = int(ct.min()) // 86400 * 86400
    forced = [cand[np.argmin(np.abs(ct - (d + 17 * 3600)))] for d in range(day0, end_t + 1, 86400)]
    early = cand[(ct >= day0) & (ct < day0 + 4 * 3600)]
    forced += early[:1].tolist()
    pick = np.unique(np.concatenate([pick, np.asarray(forced, dtype=pick.dtype)]))
    n = len(pick)
    t = np.minimum(posts.t[pick] + rng.integers(60, 3600, n), end_t)
    order = np.argsort(t, kind="stable")
    pick, t = pick[order], t[order]
    is_sub = (posts.kind[pick] == POST) | (rng.random(n) < 0.25)
    is_sub[0] = True
    sub_choice = rng.choice(len(SUBREDDITS), size=n, p=[s[2] for s in SUBREDDITS])
    u_parent = rng.random(n)
    scores = np.maximum(-3, np.round(rng.lognormal(2.0, 1.4, n)).astype(np.int64) - 2)
    ratios = np.round(rng.uniform(0.6, 1.0, n), 2)
    items: list[dict] = []
    # ids grow with time, as Reddit's do: the sequences start from the first item's time, so a year
    # generated a month at a time (bench/generate_posts.py) never draws a month's ids again later
    since = max(0, int(t[0]) - REDDIT_ID_EPOCH)
    sub_seq, com_seq = int("qa0000", 36) + since, int("hq00000", 36) + 4 * since
    recent: list[int] = []          # indices of items, for parents
    aliases: dict[int, str] = {}
    web_authors: dict[str, WebAuthor] = {}
    for k, i in enumerate(pick.tolist()):
        a = int(posts.author[i])
        user = aliases.setdefault(a, (authors.handle[a] or f"user{a}").lower() + "_pe")
        akey = f"reddit:{user}"
        if akey not in web_authors:
            web_authors[akey] = WebAuthor(akey, "reddit", user, user, authors.account_type[a], authors.gender[a],
                                          authors.department[a], int(authors.community[a]))
        text = " ".join(w for w in posts.text[i].split(" ") if not w.startswith("@")).strip() or posts.text[i]
        tk = int(t[k])
        earlier = [j for j in recent[-60:] if items[j]["t"] < tk and tk - items[j]["t"] < 5 * 86400]
        base = {"author": user, "author_fullname": "t2_" + _b36(1_000_000 + a), "created_utc": tk}
        if is_sub[k] or not earlier:
            sub_seq += 1 + int(u_parent[k] * 40)
            rid = _b36(sub_seq)
            sr, srid, _ = SUBREDDITS[int(sub_choice[k])]
            cut = text.find(". ")
            title, selftext = (text[:cut + 1], text[cut + 2:]) if 0 < cut < 140 else (text, "")
            item = {"kind": "t3", "name": "t3_" + rid, "t": tk, "sub": (sr, srid), "link": "t3_" + rid,
                    "obj": {"id": rid, **base, "subreddit": sr, "subreddit_id": srid, "title": title,
                            "selftext": selftext, "url": f"https://www.reddit.com/r/{sr}/comments/{rid}/",
                            "domain": f"self.{sr}", "permalink": f"/r/{sr}/comments/{rid}/", "is_self": True,
                            "score": int(scores[k]), "ups": int(scores[k]), "num_comments": 0,
                            "num_crossposts": 0, "upvote_ratio": float(ratios[k]), "edited": False,
                            "over_18": False, "stickied": False, "retrieved_on": tk + 86400},
                    "text": title + "\n\n" + selftext if selftext else title}
        else:
            parent = items[earlier[int(u_parent[k] * len(earlier))]]
            com_seq += 1 + int(u_parent[k] * 300)
            rid = _b36(com_seq)
            sr, srid = parent["sub"]
            link = parent["link"]
            item = {"kind": "t1", "name": "t1_" + rid, "t": tk, "sub": (sr, srid), "link": link,
                    "parent": parent["name"],
                    "obj": {"id": rid, **base, "body": text, "link_id": link, "parent_id": parent["name"],
                            "score": int(scores[k]), "subreddit": sr, "subreddit_id": srid, "edited": False,
                            "permalink": f"/r/{sr}/comments/{link[3:]}/{rid}/", "retrieved_utc": tk + 86400},
                    "text": text}
        topics = [TOPICS[x] for x in (int(posts.topic1[i]), int(posts.topic2[i])) if x >= 0]
        ev = int(posts.event[i])
        item["web"] = WebPost("reddit", item["name"], tk, akey, topics, SENTIMENTS[int(posts.sentiment[i])],
                              LANGS[int(posts.lang[i])], events[ev].id if ev >= 0 else None, item["text"], "", 0,
                              kind="post" if item["kind"] == "t3" else "reply",
                              ref_post_key=None if item["kind"] == "t3" else "reddit:" + item["parent"])
        items.append(item)
        recent.append(len(items) - 1)
    by_name = {it["name"]: it for it in items}
    for it in items:
        if it["kind"] == "t1":
            by_name[it["link"]]["obj"]["num_comments"] += 1
    folder = out_dir / "exports" / "reddit"
    folder.mkdir(parents=True, exist_ok=True)
    months = month_key(np.array([it["t"] for it in items], dtype=np.int64)).tolist()
    files: Files = {}
    for month in sorted(set(months)):
        for kind, stem in (("t3", "submissions"), ("t1", "comments")):
            sel = [it for it, m in zip(items, months) if m == month and it["kind"] == kind]
            if not sel:
                continue
            rel = f"exports/reddit/reddit_{stem}_{month}.jsonl"
            with open(out_dir / rel, "w", encoding="utf-8", newline="\n") as fh:
                for line, it in enumerate(sel, start=1):
                    fh.write(json.dumps(it["obj"], ensure_ascii=False) + "\n")
                    it["web"].file, it["web"].line = rel, line
            files[rel] = (len(sel), len(sel))
    return files, [it["web"] for it in items], sorted(web_authors.values(), key=lambda w: w.author_key)


# ---------------------------------------------------------------- mapped export

def _dots(v: int) -> str:
    return f"{int(v):,}".replace(",", ".")


def write_mapped(out_dir: Path, posts: PostTable, authors: Authors, eng: Engagement,
                 rng: np.random.Generator) -> tuple[Files, dict[int, tuple[str, int]]]:
    """A ~5% sample of one month's X posts again, as the Latin-1 ';' CSV of a local monitoring tool,
    with its mapping YAML, under ``exports_mapped/`` (not ``exports/``: it needs ``--mapping``)."""
    rows = np.flatnonzero(posts.net == X)
    months = month_key(posts.t[rows])
    month = _choose(sorted(set(months.tolist())), MAPPED_MONTH)
    if month is None:
        return {}, {}
    rows = rows[months == month]
    rows = rows[rng.random(len(rows)) < MAPPED_SHARE]
    rows = np.array([i for i in rows.tolist() if _latin1(posts.text[i])
                     and _latin1(authors.display_name[int(posts.author[i])])], dtype=np.int64)
    rows = rows[np.argsort(posts.t[rows], kind="stable")] if len(rows) else rows
    rel = f"exports_mapped/monitor_andino_{month}.csv"
    (out_dir / "exports_mapped").mkdir(parents=True, exist_ok=True)
    (out_dir / "exports_mapped" / "monitor_andino.mapping.yaml").write_text(MAPPING_YAML, encoding="utf-8")
    where: dict[int, tuple[str, int]] = {}
    with open(out_dir / rel, "w", encoding="latin-1", newline="") as fh:
        fh.write(f"Exportación Monitor Andino - menciones X/Twitter {month} - generado 05/{month[5:]}/{month[:4]}\n")
        w = csv.writer(fh, delimiter=";", lineterminator="\n")
        w.writerow(MAPPED_COLUMNS)
        for k, i in enumerate(rows.tolist(), start=1):
            a = int(posts.author[i])
            handle, pid, text = authors.handle[a], posts.native_id[i], posts.text[i]
            local = datetime.fromtimestamp(int(posts.t[i]) + LIMA_UTC_OFFSET_S, tz=timezone.utc)
            tags = " ".join(x.rstrip(".,;:!?") for x in text.split() if x.startswith("#"))
            w.writerow([k, "Twitter", pid, local.strftime("%d/%m/%Y %H:%M"), handle, authors.display_name[a], text,
                        _dots(eng.like[i]), _dots(eng.retweet[i]), _dots(eng.reply[i]), "",
                        f"https://twitter.com/{handle}/status/{pid}", LANGS[int(posts.lang[i])], tags,
                        _dots(authors.followers[a])])
            where[i] = (rel, k + 2)
    return {rel: (len(rows), len(rows) + 2)}, where


def _latin1(s: str) -> bool:
    try:
        s.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True
