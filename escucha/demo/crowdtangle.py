"""Write Facebook and Instagram posts as CrowdTangle historical-data CSV exports (one file per UTC month)."""
from __future__ import annotations

import csv
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from .engagement import Engagement
from .population import Authors
from .posts import PostTable
from .textgen import TextExtras
from .timeline import LIMA_UTC_OFFSET_S
from .twarc2 import month_key

FACEBOOK_COLUMNS: tuple[str, ...] = (
    "Page Name", "User Name", "Facebook Id", "Page Category", "Page Admin Top Country", "Page Description",
    "Page Created", "Likes at Posting", "Followers at Posting", "Post Created", "Post Created Date",
    "Post Created Time", "Type", "Total Interactions", "Likes", "Comments", "Shares", "Love", "Wow", "Haha",
    "Sad", "Angry", "Care", "Video Share Status", "Is Video Owner?", "Post Views", "Total Views",
    "Total Views For All Crossposts", "Video Length", "URL", "Message", "Link", "Final Link", "Image Text",
    "Link Text", "Description", "Sponsor Id", "Sponsor Name", "Sponsor Category",
    "Overperforming Score (weighted  —  Likes 1x Shares 1x Comments 1x Love 1x Wow 1x Haha 1x Sad 1x "
    "Angry 1x Care 1x )",
)
INSTAGRAM_COLUMNS: tuple[str, ...] = (
    "Account", "User Name", "Followers at Posting", "Post Created", "Post Created Date", "Post Created Time",
    "Type", "Likes", "Comments", "Views", "URL", "Link", "Photo", "Title", "Description", "Image Text",
    "Sponsor Id", "Sponsor Name", "Total Interactions", "Overperforming Score",
)


def lima_strings(t: np.ndarray) -> tuple[list[str], list[str], list[str]]:
    """(Post Created 'YYYY-MM-DD HH:MM:SS PET', date, time) in Lima time (UTC-5)."""
    s = np.datetime_as_string((t + LIMA_UTC_OFFSET_S).astype("datetime64[s]"), unit="s").tolist()
    dates = [v[:10] for v in s]
    times = [v[11:] for v in s]
    return [f"{d} {tm} PET" for d, tm in zip(dates, times)], dates, times


def _page_created(t: int) -> str:
    return datetime.fromtimestamp(int(t), tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def _video_length(sec: int) -> str:
    return f"{sec // 3600:02d}:{sec % 3600 // 60:02d}:{sec % 60:02d}"


def _sorted_rows(posts: PostTable, net: int) -> np.ndarray:
    rows = np.flatnonzero(posts.net == net)
    return rows[np.argsort(posts.t[rows], kind="stable")]


def _write_months(out_dir: Path, network: str, header: tuple[str, ...], rows: np.ndarray, posts: PostTable,
                  make_row) -> tuple[dict[str, tuple[int, int]], dict[int, tuple[str, int]]]:
    folder = out_dir / "exports" / network
    folder.mkdir(parents=True, exist_ok=True)
    months = month_key(posts.t[rows])
    files: dict[str, tuple[int, int]] = {}
    where: dict[int, tuple[str, int]] = {}
    for month in sorted(set(months.tolist())):
        sel = rows[months == month].tolist()
        rel = f"exports/{network}/crowdtangle_{network}_{month}.csv"
        with open(out_dir / rel, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(header)
            for line, i in enumerate(sel, start=2):
                w.writerow(make_row(i))
                where[i] = (rel, line)
        files[rel] = (len(sel), len(sel) + 1)
    return files, where


def write(out_dir: Path, posts: PostTable, authors: Authors, eng: Engagement, extras: TextExtras,
          types: np.ndarray, rng: np.random.Generator
          ) -> tuple[dict[str, tuple[int, int]], dict[int, tuple[str, int]]]:
    """Write both CrowdTangle exports; return {file: (rows, lines)} and {post: (file, line)}."""
    created, dates, times = lima_strings(posts.t)
    score = [f"{v:.2f}" for v in eng.overperforming.tolist()]
    sponsored = rng.random(len(posts)) < np.where(
        np.array(authors.account_type, dtype=object)[posts.author] == "business", 0.04, 0.002)
    sponsors = np.flatnonzero((authors.net == 1) & np.array([t == "business" for t in authors.account_type]))
    sponsor_of = rng.integers(0, max(1, len(sponsors)), len(posts))
    photo_ids = rng.integers(10**14, 10**15, len(posts)).tolist()
    r = eng.reactions

    def fb_row(i: int) -> list:
        a = int(posts.author[i])
        page = authors.native_id[a]
        pid = posts.native_id[i]
        typ = types[i]
        video = typ == "Native Video"
        likes, love, wow, haha, sad, angry, care = (int(v) for v in r[i])
        comments, shares = int(eng.comments[i]), int(eng.shares[i])
        total = likes + love + wow + haha + sad + angry + care + comments + shares
        link, link_text, desc = "", "", ""
        if typ == "Link" and i in extras.link:
            link, link_text, _ = extras.link[i]
            desc = "Lee la nota completa en " + link.split("/")[2] + "."
        elif typ == "Photo":
            link = f"https://www.facebook.com/{page}/photos/a.{photo_ids[i]}/{pid}/?type=3"
        elif video:
            link = f"https://www.facebook.com/{page}/videos/{pid}/"
        sp_id = sp_name = sp_cat = ""
        if sponsored[i] and len(sponsors):
            s = int(sponsors[sponsor_of[i] % len(sponsors)])
            sp_id, sp_name, sp_cat = authors.native_id[s], authors.display_name[s], authors.fb_category[s]
        views = str(int(eng.views[i])) if video else ""
        total_views = str(int(eng.total_views[i])) if video else ""
        return [
            authors.display_name[a], authors.handle[a], page, authors.fb_category[a], authors.country[a] or "",
            authors.bio[a], _page_created(authors.created[a]), int(eng.page_likes_at[i]), int(eng.followers_at[i]),
            created[i], dates[i], times[i], typ, total, likes, comments, shares, love, wow, haha, sad, angry, care,
            "owned" if video else "", "Yes" if video else "", views, total_views, total_views,
            _video_length(int(eng.video_seconds[i])) if video else "",
            f"https://www.facebook.com/{page}/posts/{pid}", posts.text[i], link,
            link if typ == "Link" else "", extras.image_text.get(i, ""), link_text, desc,
            sp_id, sp_name, sp_cat, score[i],
        ]

    def ig_row(i: int) -> list:
        a = int(posts.author[i])
        code = posts.native_id[i]
        typ = types[i]
        likes, comments = int(r[i, 0]), int(eng.comments[i])
        url = f"https://www.instagram.com/p/{code}/"
        photo = (f"https://scontent-lim1-1.cdninstagram.com/v/t51.2885-15/"
                 f"{photo_ids[i]}_{pid_num(code)}_n.jpg")
        title = posts.text[i].split(".")[0][:80] if typ == "Video" else ""
        sp_id = sp_name = ""
        if sponsored[i] and len(sponsors):
            s = int(sponsors[sponsor_of[i] % len(sponsors)])
            sp_id, sp_name = authors.native_id[s], authors.display_name[s]
        return [
            authors.display_name[a], authors.handle[a], int(eng.followers_at[i]), created[i], dates[i], times[i],
            typ, likes, comments, str(int(eng.views[i])) if typ == "Video" else "", url, url, photo, title,
            posts.text[i], extras.image_text.get(i, ""), sp_id, sp_name, likes + comments, score[i],
        ]

    files, where = _write_months(out_dir, "facebook", FACEBOOK_COLUMNS, _sorted_rows(posts, 1), posts, fb_row)
    f2, w2 = _write_months(out_dir, "instagram", INSTAGRAM_COLUMNS, _sorted_rows(posts, 2), posts, ig_row)
    files.update(f2)
    where.update(w2)
    return files, where


def pid_num(code: str) -> int:
    """Stable numeric fragment derived from a shortcode (for CDN-style photo URLs)."""
    v = 0
    for ch in code:
        v = (v * 131 + ord(ch)) % 10**17
    return v
