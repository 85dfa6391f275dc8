"""Ground-truth tables (never read by the pipeline; used to measure its accuracy)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from .phrases import TOPICS, has_keyword
from .population import NETWORKS, Authors
from .posts import KINDS, LANGS, SENTIMENTS, PostTable
from .timeline import Event

def post_keys(posts: PostTable) -> list[str]:
    """``network:native_id`` per post."""
    return [f"{NETWORKS[n]}:{pid}" for n, pid in zip(posts.net.tolist(), posts.native_id)]


def write_posts(path: Path, posts: PostTable, authors: Authors, events: list[Event],
                where: dict[int, tuple[str, int]]) -> None:
    """posts.parquet: one row per post in the exports, ordered by network, file and line.

    Besides the documented columns it carries ``ref_post_key`` (the replied-to / retweeted /
    quoted post) and ``keyword_missed`` (on-topic, but no keyword of its topics in the text).
    """
    n = len(posts)
    keys = post_keys(posts)
    net_l = posts.net.tolist()
    file_l = [where[i][0] for i in range(n)]
    line_l = [where[i][1] for i in range(n)]
    file_names = sorted(set(file_l))
    file_code = {f: k for k, f in enumerate(file_names)}
    codes = np.array([file_code[f] for f in file_l], dtype=np.int64)
    order = np.lexsort((np.arange(n), posts.t, np.array(line_l, dtype=np.int64), codes, posts.net)).tolist()
    t1, t2 = posts.topic1.tolist(), posts.topic2.tolist()
    topics = [[TOPICS[x] for x in (t1[i], t2[i]) if x >= 0] for i in order]
    ev = posts.event.tolist()
    ref = posts.ref.tolist()
    a = posts.author.tolist()
    table = pa.table({
        "network": pa.array([NETWORKS[net_l[i]] for i in order], pa.string()),
        "post_id": pa.array([posts.native_id[i] for i in order], pa.string()),
        "post_key": pa.array([keys[i] for i in order], pa.string()),
        "created_at": pa.array(posts.t[np.asarray(order)].astype("datetime64[s]"), pa.timestamp("s", tz="UTC")),
        "author_key": pa.array([f"{NETWORKS[net_l[i]]}:{authors.native_id[a[i]]}" for i in order], pa.string()),
        "kind": pa.array([KINDS[k] for k in posts.kind[order].tolist()], pa.string()),
        "topics": pa.array(topics, pa.list_(pa.string())),
        "sentiment": pa.array([SENTIMENTS[s] for s in posts.sentiment[order].tolist()], pa.string()),
        "language": pa.array([LANGS[x] for x in posts.lang[order].tolist()], pa.string()),
        "event": pa.array([events[ev[i]].id if ev[i] >= 0 else None for i in order], pa.string()),
        "file": pa.array([file_l[i] for i in order], pa.string()),
        "line": pa.array([line_l[i] for i in order], pa.int64()),
        "ref_post_key": pa.array([keys[ref[i]] if ref[i] >= 0 else None for i in order], pa.string()),
        "keyword_missed": pa.array([bool(topics[j]) and not any(has_keyword(posts.text[i], tp) for tp in topics[j])
                                    for j, i in enumerate(order)], pa.bool_()),
    })
    pq.write_table(table, path, compression="zstd")


def appearing_authors(posts: PostTable) -> np.ndarray:
    """Authors that post or are mentioned somewhere in the exports."""
    return np.unique(np.concatenate([posts.author, posts.mention[posts.mention >= 0]]))


def write_authors(path: Path, posts: PostTable, authors: Authors) -> np.ndarray:
    """authors.parquet for every account that posts or is mentioned; returns their indices.

    Extra columns: ``followers``, ``verified``, ``n_posts``.  ``country`` is the country of
    residence; ``department``/``ubigeo`` are null abroad and for the few truly unknown accounts.
    """
    idx = appearing_authors(posts).tolist()
    n_posts = np.bincount(posts.author, minlength=len(authors))
    net = authors.net.tolist()
    table = pa.table({
        "author_key": pa.array([f"{NETWORKS[net[i]]}:{authors.native_id[i]}" for i in idx], pa.string()),
        "network": pa.array([NETWORKS[net[i]] for i in idx], pa.string()),
        "author_id": pa.array([authors.native_id[i] for i in idx], pa.string()),
        "handle": pa.array([authors.handle[i] or None for i in idx], pa.string()),
        "display_name": pa.array([authors.display_name[i] for i in idx], pa.string()),
        "account_type": pa.array([authors.account_type[i] for i in idx], pa.string()),
        "gender": pa.array([authors.gender[i] for i in idx], pa.string()),
        "age_band": pa.array([authors.age_band[i] for i in idx], pa.string()),
        "department": pa.array([authors.department[i] for i in idx], pa.string()),
        "ubigeo": pa.array([authors.ubigeo(i) for i in idx], pa.string()),
        "country": pa.array([authors.country[i] for i in idx], pa.string()),
        "community": pa.array([int(authors.community[i]) for i in idx], pa.int64()),
        "is_influencer": pa.array([bool(authors.is_influencer[i]) for i in idx], pa.bool_()),
        "followers": pa.array([int(authors.followers[i]) for i in idx], pa.int64()),
        "verified": pa.array([bool(authors.verified[i]) for i in idx], pa.bool_()),
        "n_posts": pa.array([int(n_posts[i]) for i in idx], pa.int64()),
    })
    pq.write_table(table, path, compression="zstd")
    return np.asarray(idx)


def write_json(path: Path, obj) -> None:
    """Pretty, stable JSON (sorted keys are not used: insertion order is already deterministic)."""
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
