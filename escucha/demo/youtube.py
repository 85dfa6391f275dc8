"""Write YouTube posts as YouTube Data API v3 responses: one JSON response per line.

* ``exports/youtube/youtube_videos_YYYY-MM.jsonl``: ``videos.list?part=snippet,statistics``
  responses (``youtube#videoListResponse``, at most 50 ids per request), videos published in that
  UTC month, oldest first;
* ``exports/youtube/youtube_comments_YYYY-MM.jsonl``: ``commentThreads.list?part=snippet,replies
  &videoId=...&maxResults=100`` responses (``youtube#commentThreadListResponse``), one video per
  response (several when it has more than 100 threads), newest thread first as the API's default
  ``order=time``; a thread is in the month of its top-level comment and carries its replies
  (never more than five, so ``replies.comments`` holds all of them).

``statistics`` counts are strings, as the API returns them.  Reply ids are
``<parent id>.<22 characters>`` and carry ``snippet.parentId``.
"""
from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from .engagement import Engagement
from .population import YOUTUBE, Authors
from .posts import COMMENT, LANGS, POST, REPLY, PostTable
from .textgen import TextExtras
from .twarc2 import month_key

VIDEOS_PER_REQUEST = 50
THREADS_PER_PAGE = 100
AUDIO_LANGUAGE = {"es": "es-419", "en": "en", "qu": "qu"}
#: News & Politics for media/government/NGO channels, People & Blogs otherwise
CATEGORY = {"media": "25", "government": "25", "ngo": "29", "business": "22", "other": "22", "person": "22"}


def iso_z(t: int) -> str:
    """YouTube timestamp: 2022-01-15T13:45:12Z."""
    return datetime.fromtimestamp(int(t), tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def etag(*parts: object) -> str:
    """Deterministic 27-character etag."""
    digest = hashlib.sha1("|".join(map(str, parts)).encode("utf-8")).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")[:27]


def _page_token(*parts: object) -> str:
    digest = hashlib.sha256("|".join(map(str, parts)).encode("utf-8")).digest()
    return "QURTSl9" + base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def text_display(text: str) -> str:
    """``textDisplay``: the text as HTML (escaped, line breaks as <br>)."""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
            .replace("'", "&#39;").replace("\n", "<br>"))


def _tags(text: str, account_type: str) -> list[str]:
    tags: list[str] = []
    for word in text.split():
        if word.startswith("#") and len(word) > 1:
            tag = word[1:].rstrip(".,;:!?")
            if tag and tag not in tags:
                tags.append(tag)
    if account_type == "media":
        tags += [t for t in ("noticias", "Perú", "actualidad") if t not in tags]
    return tags


def write(out_dir: Path, posts: PostTable, authors: Authors, eng: Engagement, extras: TextExtras,
          rng: np.random.Generator) -> tuple[dict[str, tuple[int, int]], dict[int, tuple[str, int]]]:
    """Write the YouTube files; return {file: (items, lines)} and {post: (file, line)}."""
    folder = out_dir / "exports" / "youtube"
    folder.mkdir(parents=True, exist_ok=True)
    rows = np.flatnonzero(posts.net == YOUTUBE)
    rows = rows[np.argsort(posts.t[rows], kind="stable")]
    kind = posts.kind
    videos = rows[kind[rows] == POST]
    threads = rows[kind[rows] == COMMENT]
    replies_of: dict[int, list[int]] = {}
    for i in rows[kind[rows] == REPLY].tolist():
        replies_of.setdefault(int(posts.ref[i]), []).append(i)
    avatar = rng.integers(0, 64, size=(len(authors), 40)).tolist()
    edited = rng.random(len(posts)) < 0.04
    edit_delay = rng.integers(60, 6 * 3600, len(posts))
    files: dict[str, tuple[int, int]] = {}
    where: dict[int, tuple[str, int]] = {}

    def avatar_url(a: int) -> str:
        code = "".join("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[v] for v in avatar[a])
        return f"https://yt3.ggpht.com/ytc/{code}=s48-c-k-c0x00ffffff-no-rj"

    def video_obj(i: int) -> dict:
        a = int(posts.author[i])
        vid = posts.native_id[i]
        title = extras.title.get(i, posts.text[i][:100])
        snippet = {
            "publishedAt": iso_z(posts.t[i]), "channelId": authors.native_id[a], "title": title,
            "description": posts.text[i],
            "thumbnails": {
                "default": {"url": f"https://i.ytimg.com/vi/{vid}/default.jpg", "width": 120, "height": 90},
                "medium": {"url": f"https://i.ytimg.com/vi/{vid}/mqdefault.jpg", "width": 320, "height": 180},
                "high": {"url": f"https://i.ytimg.com/vi/{vid}/hqdefault.jpg", "width": 480, "height": 360},
            },
            "channelTitle": authors.display_name[a],
        }
        tags = _tags(posts.text[i], authors.account_type[a])
        if tags:
            snippet["tags"] = tags
        snippet["categoryId"] = CATEGORY[authors.account_type[a]]
        snippet["liveBroadcastContent"] = "none"
        snippet["localized"] = {"title": title, "description": posts.text[i]}
        snippet["defaultAudioLanguage"] = AUDIO_LANGUAGE[LANGS[posts.lang[i]]]
        return {"kind": "youtube#video", "etag": etag("video", vid, eng.views[i]), "id": vid, "snippet": snippet,
                "statistics": {"viewCount": str(int(eng.views[i])), "likeCount": str(int(eng.like[i])),
                               "favoriteCount": "0", "commentCount": str(int(eng.comments[i]))}}

    def comment_obj(i: int, video: int) -> dict:
        a = int(posts.author[i])
        cid = posts.native_id[i]
        snippet = {"channelId": authors.native_id[int(posts.author[video])], "videoId": posts.native_id[video],
                   "textDisplay": text_display(posts.text[i]), "textOriginal": posts.text[i]}
        if kind[i] == REPLY:
            snippet["parentId"] = posts.native_id[int(posts.ref[i])]
        snippet.update({
            "authorDisplayName": authors.display_name[a], "authorProfileImageUrl": avatar_url(a),
            "authorChannelUrl": f"http://www.youtube.com/channel/{authors.native_id[a]}",
            "authorChannelId": {"value": authors.native_id[a]},
            "canRate": True, "viewerRating": "none", "likeCount": int(eng.like[i]),
            "publishedAt": iso_z(posts.t[i]),
            "updatedAt": iso_z(posts.t[i] + (edit_delay[i] if edited[i] else 0)),
        })
        return {"kind": "youtube#comment", "etag": etag("comment", cid, eng.like[i]), "id": cid, "snippet": snippet}

    def thread_obj(i: int) -> dict:
        video = int(posts.ref[i])
        replies = replies_of.get(i, [])
        obj = {"kind": "youtube#commentThread", "etag": etag("thread", posts.native_id[i], len(replies)),
               "id": posts.native_id[i],
               "snippet": {"channelId": authors.native_id[int(posts.author[video])],
                           "videoId": posts.native_id[video], "topLevelComment": comment_obj(i, video),
                           "canReply": True, "totalReplyCount": int(eng.reply[i]), "isPublic": True}}
        if replies:
            obj["replies"] = {"comments": [comment_obj(j, video) for j in replies]}
        return obj

    months = month_key(posts.t[videos])
    for month in sorted(set(months.tolist())):
        sel = videos[months == month].tolist()
        rel = f"exports/youtube/youtube_videos_{month}.jsonl"
        lines = []
        for k in range(0, len(sel), VIDEOS_PER_REQUEST):
            chunk = sel[k:k + VIDEOS_PER_REQUEST]
            items = [video_obj(i) for i in chunk]
            resp = {"kind": "youtube#videoListResponse", "etag": etag("videos", month, k), "items": items,
                    "pageInfo": {"totalResults": len(items), "resultsPerPage": len(items)}}
            lines.append(json.dumps(resp, ensure_ascii=False))
            for i in chunk:
                where[i] = (rel, len(lines))
        (out_dir / rel).write_text("\n".join(lines) + "\n", encoding="utf-8")
        files[rel] = (len(sel), len(lines))

    months = month_key(posts.t[threads])
    for month in sorted(set(months.tolist())):
        sel = threads[months == month]
        vids = posts.ref[sel].astype(np.int64)
        order = np.lexsort((-posts.t[sel], vids, posts.t[vids]))   # by video, newest thread first
        sel, vids = sel[order].tolist(), vids[order].tolist()
        rel = f"exports/youtube/youtube_comments_{month}.jsonl"
        lines = []
        n_items = 0
        k = 0
        while k < len(sel):
            end = k
            while end < len(sel) and vids[end] == vids[k]:
                end += 1
            group = sel[k:end]
            for c in range(0, len(group), THREADS_PER_PAGE):
                chunk = group[c:c + THREADS_PER_PAGE]
                resp = {"kind": "youtube#commentThreadListResponse",
                        "etag": etag("threads", posts.native_id[vids[k]], month, c)}
                if c + THREADS_PER_PAGE < len(group):
                    resp["nextPageToken"] = _page_token(posts.native_id[vids[k]], month, c)
                resp["pageInfo"] = {"totalResults": len(chunk), "resultsPerPage": THREADS_PER_PAGE}
                resp["items"] = [thread_obj(i) for i in chunk]
                lines.append(json.dumps(resp, ensure_ascii=False))
                for i in chunk:
                    where[i] = (rel, len(lines))
                    n_items += 1
                    for j in replies_of.get(i, []):
                        where[j] = (rel, len(lines))
                        n_items += 1
            k = end
        (out_dir / rel).write_text("\n".join(lines) + "\n", encoding="utf-8")
        files[rel] = (n_items, len(lines))
    return files, where
