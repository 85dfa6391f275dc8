"""Write TikTok posts as TikTok Research API responses: one JSON response per line.

* ``exports/tiktok/tiktok_videos_YYYY-MM.jsonl``: ``POST /v2/research/video/query/`` responses,
  ``{"data": {"videos": [...<=100], "cursor", "has_more", "search_id"}, "error": {...}}``,
  videos created in that UTC month, oldest first;
* ``exports/tiktok/tiktok_comments_YYYY-MM.jsonl``: ``POST /v2/research/video/comment/list/``
  responses, ``{"data": {"comments": [...<=100], "cursor", "has_more"}, "error": {...}}``, one
  video per response (several lines when it has more than 100), comments created in that month.

Ids are 64-bit integers (JSON numbers), as the API returns them.  A top-level comment's
``parent_comment_id`` is its video's id; a reply's is the comment it answers.  The comment
object has no author field: the Research API does not say who commented.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from .engagement import Engagement
from .population import TIKTOK, Authors
from .posts import POST, PostTable
from .textgen import TextExtras
from .twarc2 import month_key

PAGE_SIZE = 100
_HASHTAG = "#"


def _hashtag_names(text: str) -> list[str]:
    """Hashtags of a description, lower case without '#', in order of first appearance."""
    out: list[str] = []
    for word in text.split():
        if word.startswith(_HASHTAG) and len(word) > 1:
            name = word[1:].rstrip(".,;:!?").lower()
            if name and name not in out:
                out.append(name)
    return out


def _log_id(t: int, k: int) -> str:
    """Research API log id: UTC timestamp YYYYMMDDHHMMSS + 20 upper-case hex digits."""
    stamp = datetime.fromtimestamp(int(t), tz=timezone.utc).strftime("%Y%m%d%H%M%S")
    v = (int(t) * 6364136223846793005 + k * 1442695040888963407) % 2**80
    return f"{stamp}{v:020X}"


def _ok(t: int, k: int) -> dict:
    return {"code": "ok", "message": "", "log_id": _log_id(t, k)}


def write(out_dir: Path, posts: PostTable, authors: Authors, eng: Engagement, extras: TextExtras,
          rng: np.random.Generator) -> tuple[dict[str, tuple[int, int]], dict[int, tuple[str, int]]]:
    """Write the TikTok files; return {file: (items, lines)} and {post: (file, line)}."""
    folder = out_dir / "exports" / "tiktok"
    folder.mkdir(parents=True, exist_ok=True)
    rows = np.flatnonzero(posts.net == TIKTOK)
    rows = rows[np.lexsort((np.array([int(posts.native_id[i]) for i in rows.tolist()], dtype=np.int64),
                            posts.t[rows]))]
    is_video = posts.kind[rows] == POST
    videos, comments = rows[is_video], rows[~is_video]
    music_pool = rng.integers(6_800_000_000_000_000_000, 7_160_000_000_000_000_000, 400).tolist()
    music_w = 1.0 / np.arange(1, 401) ** 0.9
    music_pick = rng.choice(400, size=len(posts), p=music_w / music_w.sum())
    files: dict[str, tuple[int, int]] = {}
    where: dict[int, tuple[str, int]] = {}

    def video_obj(i: int) -> dict:
        a = int(posts.author[i])
        return {
            "id": int(posts.native_id[i]),
            "video_description": posts.text[i],
            "create_time": int(posts.t[i]),
            "username": authors.native_id[a],
            "region_code": authors.country[a] or "PE",
            "like_count": int(eng.like[i]),
            "comment_count": int(eng.comments[i]),
            "share_count": int(eng.shares[i]),
            "view_count": int(eng.views[i]),
            "hashtag_names": _hashtag_names(posts.text[i]),
            "music_id": int(music_pool[music_pick[i]]),
            "voice_to_text": extras.voice.get(i, ""),
        }

    def video_of(i: int) -> int:
        j = int(posts.ref[i])
        return j if posts.kind[j] == POST else int(posts.ref[j])

    def comment_obj(i: int) -> dict:
        return {
            "id": int(posts.native_id[i]),
            "text": posts.text[i],
            "video_id": int(posts.native_id[video_of(i)]),
            "parent_comment_id": int(posts.native_id[int(posts.ref[i])]),
            "like_count": int(eng.like[i]),
            "reply_count": int(eng.reply[i]),
            "create_time": int(posts.t[i]),
        }

    months = month_key(posts.t[videos])
    for month in sorted(set(months.tolist())):
        sel = videos[months == month].tolist()
        rel = f"exports/tiktok/tiktok_videos_{month}.jsonl"
        search_id = str(7_000_000_000_000_000_000 + int(posts.t[sel[0]]) * 1_000_003 % 10**18)
        lines = []
        for k in range(0, len(sel), PAGE_SIZE):
            chunk = sel[k:k + PAGE_SIZE]
            done = k + len(chunk)
            page = {"data": {"videos": [video_obj(i) for i in chunk], "cursor": done,
                             "has_more": done < len(sel), "search_id": search_id},
                    "error": _ok(int(posts.t[chunk[-1]]) + 86400 * 40, len(lines))}
            lines.append(json.dumps(page, ensure_ascii=False))
            for i in chunk:
                where[i] = (rel, len(lines))
        (out_dir / rel).write_text("\n".join(lines) + "\n", encoding="utf-8")
        files[rel] = (len(sel), len(lines))

    months = month_key(posts.t[comments])
    video_l = np.array([video_of(i) for i in comments.tolist()], dtype=np.int64)
    for month in sorted(set(months.tolist())):
        in_month = months == month
        sel, vids = comments[in_month], video_l[in_month]
        order = np.lexsort((posts.t[sel], vids, posts.t[vids]))     # by video time, video, comment time
        sel, vids = sel[order].tolist(), vids[order].tolist()
        rel = f"exports/tiktok/tiktok_comments_{month}.jsonl"
        lines = []
        k = 0
        while k < len(sel):
            v = vids[k]
            end = k
            while end < len(sel) and vids[end] == v:
                end += 1
            group = sel[k:end]
            for c in range(0, len(group), PAGE_SIZE):
                chunk = group[c:c + PAGE_SIZE]
                done = c + len(chunk)
                page = {"data": {"comments": [comment_obj(i) for i in chunk], "cursor": done,
                                 "has_more": done < len(group)},
                        "error": _ok(int(posts.t[chunk[-1]]) + 86400 * 40, len(lines))}
                lines.append(json.dumps(page, ensure_ascii=False))
                for i in chunk:
                    where[i] = (rel, len(lines))
            k = end
        (out_dir / rel).write_text("\n".join(lines) + "\n", encoding="utf-8")
        files[rel] = (len(sel), len(lines))
    return files, where
