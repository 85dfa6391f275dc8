"""Orchestrates the demo data generator: a deterministic year of Spanish-language posts about Peru.

Usage::

    from escucha.demo.generator import generate
    summary = generate(Path("data/demo"))

writes ``exports/`` (twarc2 JSONL for X, CrowdTangle CSV for Facebook and
Instagram) and ``ground_truth/`` (posts, authors, events, summary) under the
output directory.  The same arguments always give byte-identical files.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np

from . import crowdtangle, engagement, groundtruth, ids, interactions, population, textgen, timeline, twarc2
from .posts import KINDS, SHARE, PostTable

NETWORK_SHARE: tuple[float, ...] = (0.55, 0.30, 0.15)   # x, facebook, instagram
GENERATOR_VERSION = "1.0"


def _clear_previous(out_dir: Path) -> None:
    """Remove files a previous run wrote (and only those), so stale months do not linger."""
    patterns = [("exports/x", "x_search_*.jsonl"), ("exports/facebook", "crowdtangle_facebook_*.csv"),
                ("exports/instagram", "crowdtangle_instagram_*.csv"), ("ground_truth", "*.parquet"),
                ("ground_truth", "*.json")]
    for folder, pattern in patterns:
        d = out_dir / folder
        if d.is_dir():
            for f in sorted(d.glob(pattern)):
                f.unlink()


def _assign_native_ids(posts: PostTable, rng: np.random.Generator) -> None:
    """X snowflakes, 16-digit Facebook post ids, Instagram shortcodes (all time-ordered)."""
    native = [""] * len(posts)
    x = np.flatnonzero(posts.net == 0)
    for i, v in zip(x.tolist(), ids.snowflakes(posts.t[x], rng).tolist()):
        native[i] = str(v)
    fb = np.flatnonzero(posts.net == 1)
    fb = fb[np.argsort(posts.t[fb], kind="stable")]
    for i, v in zip(fb.tolist(), ids.facebook_post_ids(len(fb), rng).tolist()):
        native[i] = str(v)
    ig = np.flatnonzero(posts.net == 2)
    ig = ig[np.argsort(posts.t[ig], kind="stable")]
    for i, code in zip(ig.tolist(), ids.instagram_shortcodes(len(ig), rng)):
        native[i] = code
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

    _clear_previous(out_dir)
    x_files, where = twarc2.write(out_dir, posts, authors, eng, extras, start, end)
    ct_files, ct_where = crowdtangle.write(out_dir, posts, authors, eng, extras, types, rng)
    where.update(ct_where)
    files = {**x_files, **ct_files}

    gt = out_dir / "ground_truth"
    gt.mkdir(parents=True, exist_ok=True)
    groundtruth.write_posts(gt / "posts.parquet", posts, authors, vol.events, where)
    shown = groundtruth.write_authors(gt / "authors.parquet", posts, authors)
    groundtruth.write_json(gt / "events.json", [e.to_json() for e in vol.events])

    summary = {
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "posts_per_day": posts_per_day,
        "posts_total": len(posts),
        "posts_per_network": {n: int((posts.net == i).sum()) for i, n in enumerate(population.NETWORKS)},
        "x_posts_per_kind": {k: int(((posts.net == 0) & (posts.kind == i)).sum()) for i, k in enumerate(KINDS)},
        "authors_total": int(len(shown)),
        "authors_per_network": {n: int((authors.net[shown] == i).sum()) for i, n in enumerate(population.NETWORKS)},
        "files": {rel: {"posts": files[rel][0], "lines": files[rel][1]} for rel in sorted(files)},
        "events": [e.id for e in vol.events],
        "retweets": int((posts.kind == SHARE).sum()),
    }
    groundtruth.write_json(gt / "summary.json", summary)
    return summary
