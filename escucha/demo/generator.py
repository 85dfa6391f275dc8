"""Orchestrates the demo data generator: a deterministic year of Spanish-language posts about Peru.

Usage::

    from escucha.demo.generator import generate
    summary = generate(Path("data/demo"))

writes ``exports/`` and ``ground_truth/`` (posts, authors, events, summary) under the output
directory.  The same arguments always give byte-identical files.  Exports, one file per UTC month:

* ``x/x_search_YYYY-MM.jsonl``: twarc2 (X API v2 search pages);
* ``x/x_search_YYYY-MM.csv``: one month (2022-03, else the first) again, as twarc-csv writes a
  later re-collection (duplicates of that month's JSONL);
* ``facebook/crowdtangle_facebook_YYYY-MM.csv``, ``instagram/crowdtangle_instagram_YYYY-MM.csv``;
* ``tiktok/tiktok_videos_YYYY-MM.jsonl``, ``tiktok/tiktok_comments_YYYY-MM.jsonl``: Research API;
* ``youtube/youtube_videos_YYYY-MM.jsonl``, ``youtube/youtube_comments_YYYY-MM.jsonl``: Data API v3;
* ``vendor/brandwatch_mentions_YYYY-MM.csv``: a vendor export for one month (2022-01, else the
  first) with a sample of X posts again plus news and blog posts found nowhere else;
* ``facebook/mcl_facebook_YYYY-MM.csv``: one month (2022-02, else the first) of Facebook posts
  again as a Meta Content Library export (repeats of the CrowdTangle rows);
* ``reddit/reddit_submissions_YYYY-MM.jsonl``, ``reddit/reddit_comments_YYYY-MM.jsonl``:
  Pushshift-style NDJSON (a small extra network, see extra_formats.py).

Besides ``exports/``, ``exports_mapped/monitor_andino_YYYY-MM.csv`` and its
``monitor_andino.mapping.yaml`` hold a local monitoring tool's export (a sample of one month's X
posts again, 2022-04 else the first); it is kept out of ``exports/`` because it must be ingested
with ``escucha ingest FILE --mapping YAML``.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np

from . import (brandwatch, crowdtangle, engagement, extra_formats, groundtruth, ids, interactions, population, textgen, tiktok,
               timeline, twarc2, twarc_csv, youtube)
from .posts import COMMENT, KINDS, POST, REPLY, SHARE, PostTable

#: x, facebook, instagram, tiktok, youtube
NETWORK_SHARE: tuple[float, ...] = (0.48, 0.26, 0.11, 0.08, 0.07)
GENERATOR_VERSION = "2.0"
X_KINDS = KINDS[:4]
VIDEO_KINDS = {"post": POST, "comment": COMMENT, "reply": REPLY}


def _clear_previous(out_dir: Path) -> None:
    """Remove files a previous run wrote (and only those), so stale months do not linger."""
    patterns = [("exports/x", "x_search_*.jsonl"), ("exports/x", "x_search_*.csv"),
                ("exports/facebook", "crowdtangle_facebook_*.csv"),
                ("exports/instagram", "crowdtangle_instagram_*.csv"),
                ("exports/tiktok", "tiktok_videos_*.jsonl"), ("exports/tiktok", "tiktok_comments_*.jsonl"),
                ("exports/youtube", "youtube_videos_*.jsonl"), ("exports/youtube", "youtube_comments_*.jsonl"),
                ("exports/vendor", "brandwatch_mentions_*.csv"),
                ("exports/facebook", "mcl_facebook_*.csv"), ("exports/reddit", "reddit_submissions_*.jsonl"),
                ("exports/reddit", "reddit_comments_*.jsonl"), ("exports_mapped", "monitor_andino_*.csv"),
                ("exports_mapped", "monitor_andino.mapping.yaml"),
                ("ground_truth", "*.parquet"), ("ground_truth", "*.json")]
    for folder, pattern in patterns:
        d = out_dir / folder
        if d.is_dir():
            for f in sorted(d.glob(pattern)):
                f.unlink()


def _time_ordered(posts: PostTable, rows: np.ndarray) -> np.ndarray:
    return rows[np.argsort(posts.t[rows], kind="stable")]


def _assign_native_ids(posts: PostTable, rng: np.random.Generator) -> None:
    """X snowflakes, 16-digit Facebook post ids, Instagram shortcodes, TikTok 64-bit ids (time in
    the upper 32 bits), YouTube 11-character video ids, thread ids and ``<thread>.<suffix>`` reply
    ids (all time-ordered where the network's ids are)."""
    native = [""] * len(posts)
    x = np.flatnonzero(posts.net == population.X)
    for i, v in zip(x.tolist(), ids.snowflakes(posts.t[x], rng).tolist()):
        native[i] = str(v)
    fb = _time_ordered(posts, np.flatnonzero(posts.net == population.FACEBOOK))
    for i, v in zip(fb.tolist(), ids.facebook_post_ids(len(fb), rng).tolist()):
        native[i] = str(v)
    ig = _time_ordered(posts, np.flatnonzero(posts.net == population.INSTAGRAM))
    for i, code in zip(ig.tolist(), ids.instagram_shortcodes(len(ig), rng)):
        native[i] = code
    tt = np.flatnonzero(posts.net == population.TIKTOK)
    for i, v in zip(tt.tolist(), ids.tiktok_ids(posts.t[tt], rng).tolist()):
        native[i] = str(v)
    yt = posts.net == population.YOUTUBE
    vids = _time_ordered(posts, np.flatnonzero(yt & (posts.kind == POST)))
    for i, v in zip(vids.tolist(), ids.youtube_video_ids(len(vids), rng)):
        native[i] = v
    threads = _time_ordered(posts, np.flatnonzero(yt & (posts.kind == COMMENT)))
    for i, v in zip(threads.tolist(), ids.youtube_comment_ids(len(threads), rng)):
        native[i] = v
    replies = _time_ordered(posts, np.flatnonzero(yt & (posts.kind == REPLY)))
    for i, v in zip(replies.tolist(), ids.youtube_reply_suffixes(posts.t[replies], rng)):
        native[i] = f"{native[int(posts.ref[i])]}.{v}"
    posts.native_id = native


def generate(out_dir: Path, start: date = date(2021, 11, 1), end: date = date(2022, 10, 31),
             posts_per_day: int = 600, seed: int = 7) -> dict:
    """Write exports and ground truth for [start, end] (UTC days, inclusive); return the summary."""
    out_dir = Path(out_dir)
    if end < start:
        raise ValueError("end must not be before start")
    if posts_per_day < 1:
        raise ValueError("posts_per_day must be positive")
    rng = np.random.default_rng(seed)
    n_days = (end - start).days + 1

    vol = timeline.build_volumes(start, end, posts_per_day, rng)
    vol, net = timeline.assign_networks(vol, start, n_days, NETWORK_SHARE, rng)
    posts = PostTable(t=vol.t, net=net, topic1=vol.topic1.copy(), topic2=vol.topic2.copy(), event=vol.event.copy())
    authors = population.build_authors(population.author_pool_size(len(posts)), start, rng)
    interactions.assign_kinds(posts, rng)
    interactions.assign_authors(posts, authors, vol.events, rng)
    interactions.assign_targets(posts, authors, vol.events, rng)
    interactions.assign_mentions(posts, authors, rng)
    interactions.assign_language_sentiment(posts, authors, vol.events, rng)
    _assign_native_ids(posts, rng)
    types = engagement.media_types(posts, authors, rng)
    eng = engagement.compute(posts, authors, vol.events, types, rng)
    extras = textgen.generate_texts(posts, authors, vol.events, types, rng)
    seeds = rng.integers(0, 2**63 - 1, size=4).tolist()    # one stream per writer

    _clear_previous(out_dir)
    files: dict[str, tuple[int, int]] = {}
    where: dict[int, tuple[str, int]] = {}
    for f, w in (twarc2.write(out_dir, posts, authors, eng, extras, start, end),
                 crowdtangle.write(out_dir, posts, authors, eng, extras, types, rng),
                 tiktok.write(out_dir, posts, authors, eng, extras, np.random.default_rng(seeds[0])),
                 youtube.write(out_dir, posts, authors, eng, extras, np.random.default_rng(seeds[1]))):
        files.update(f)
        where.update(w)
    duplicates: dict[int, list[tuple[str, int]]] = {}
    csv_files, csv_where = twarc_csv.write(out_dir, posts, authors, eng, extras, start, end,
                                           np.random.default_rng(seeds[2]))
    bw_files, bw_where, web_posts, web_authors = brandwatch.write(
        out_dir, posts, authors, eng, vol.events, start, end, np.random.default_rng(seeds[3]))
    extra_seeds = np.random.SeedSequence(seed).spawn(3)  # new streams: the older ones stay as they were
    mcl_files, mcl_where = extra_formats.write_mcl(out_dir, posts, authors, eng, extras, types,
                                                   np.random.default_rng(extra_seeds[0]))
    map_files, map_where = extra_formats.write_mapped(out_dir, posts, authors, eng,
                                                      np.random.default_rng(extra_seeds[1]))
    end_t = int((np.datetime64(end.isoformat()) + np.timedelta64(1, "D")).astype("datetime64[s]").astype(np.int64)) - 1
    rd_files, rd_posts, rd_authors = extra_formats.write_reddit(out_dir, posts, authors, vol.events, end_t,
                                                                np.random.default_rng(extra_seeds[2]))
    files.update(rd_files)
    web_posts, web_authors = web_posts + rd_posts, web_authors + rd_authors
    for f, w in ((csv_files, csv_where), (bw_files, bw_where), (mcl_files, mcl_where), (map_files, map_where)):
        files.update(f)
        for i, loc in w.items():
            duplicates.setdefault(i, []).append(loc)

    gt = out_dir / "ground_truth"
    gt.mkdir(parents=True, exist_ok=True)
    groundtruth.write_posts(gt / "posts.parquet", posts, authors, vol.events, where, duplicates, web_posts)
    shown = groundtruth.write_authors(gt / "authors.parquet", posts, authors, web_posts, web_authors)
    groundtruth.write_json(gt / "events.json", [e.to_json() for e in vol.events])

    per_network = {n: int((posts.net == i).sum()) for i, n in enumerate(population.NETWORKS)}
    for w in web_posts:
        per_network[w.network] = per_network.get(w.network, 0) + 1
    summary = {
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "posts_per_day": posts_per_day,
        "posts_total": len(posts) + len(web_posts),
        "posts_per_network": per_network,
        "x_posts_per_kind": {k: int(((posts.net == 0) & (posts.kind == i)).sum()) for i, k in enumerate(X_KINDS)},
        "video_posts_per_kind": {
            n: {k: int(((posts.net == ni) & (posts.kind == code)).sum()) for k, code in VIDEO_KINDS.items()}
            for n, ni in (("tiktok", population.TIKTOK), ("youtube", population.YOUTUBE))},
        "authors_total": int(len(shown)) + len(web_authors),
        "authors_per_network": {**{n: int((authors.net[shown] == i).sum()) for i, n in enumerate(population.NETWORKS)},
                                **{n: sum(a.network == n for a in web_authors) for n in ("reddit", "news", "blog")}},
        "files": {rel: {"posts": files[rel][0], "lines": files[rel][1]} for rel in sorted(files)},
        "duplicate_rows": {rel: sum(loc[0] == rel for locs in duplicates.values() for loc in locs)
                           for rel in sorted(set(csv_files) | set(bw_files) | set(mcl_files) | set(map_files))},
        "events": [e.id for e in vol.events],
        "retweets": int((posts.kind == SHARE).sum()),
    }
    groundtruth.write_json(gt / "summary.json", summary)
    return summary
