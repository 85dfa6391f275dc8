"""Ground-truth tables (never read by the pipeline; used to measure its accuracy)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from . import vocabulary as V
from .phrases import TOPICS, has_keyword
from .population import NETWORKS, Authors
from .posts import KINDS, LANGS, SENTIMENTS, PostTable
from .timeline import Event

def post_keys(posts: PostTable) -> list[str]:
    """``network:native_id`` per post."""
    return [f"{NETWORKS[n]}:{pid}" for n, pid in zip(posts.net.tolist(), posts.native_id)]


DUPLICATE_TYPE = pa.list_(pa.struct([("file", pa.string()), ("line", pa.int64())]))


def write_posts(path: Path, posts: PostTable, authors: Authors, events: list[Event],
                where: dict[int, tuple[str, int]], duplicates: dict[int, list[tuple[str, int]]] | None = None,
                web_posts: list | None = None) -> None:
    """posts.parquet: one row per unique post in the exports, ordered by network, file and line.

    ``file``/``line`` locate the post in its own network's export; ``duplicate_in`` lists every
    other (file, line) holding the same post again (the twarc-csv month, the vendor export).
    ``web_posts`` are posts outside the main population: those only the vendor export holds
    (networks ``news`` and ``blog``) and the Reddit submissions and comments.
    Besides the documented columns it carries ``ref_post_key`` (the replied-to / retweeted /
    quoted post, the commented video, the answered comment) and ``keyword_missed`` (on-topic,
    but no keyword of its topics in the text).
    """
    duplicates = duplicates or {}
    web_posts = web_posts or []
    n = len(posts)
    keys = post_keys(posts)
    net_l = posts.net.tolist()
    t1, t2 = posts.topic1.tolist(), posts.topic2.tolist()
    ev = posts.event.tolist()
    ref = posts.ref.tolist()
    a = posts.author.tolist()
    topics = [[TOPICS[x] for x in (t1[i], t2[i]) if x >= 0] for i in range(n)]
    cols: dict[str, list] = {
        "network": [NETWORKS[x] for x in net_l] + [w.network for w in web_posts],
        "post_id": list(posts.native_id) + [w.post_id for w in web_posts],
        "post_key": keys + [f"{w.network}:{w.post_id}" for w in web_posts],
        "created_at": posts.t.tolist() + [w.t for w in web_posts],
        "author_key": [f"{NETWORKS[net_l[i]]}:{authors.native_id[a[i]]}" for i in range(n)]
        + [w.author_key for w in web_posts],
        "kind": [KINDS[k] for k in posts.kind.tolist()] + [w.kind for w in web_posts],
        "topics": topics + [list(w.topics) for w in web_posts],
        "sentiment": [SENTIMENTS[s] for s in posts.sentiment.tolist()] + [w.sentiment for w in web_posts],
        "language": [LANGS[x] for x in posts.lang.tolist()] + [w.language for w in web_posts],
        "event": [events[ev[i]].id if ev[i] >= 0 else None for i in range(n)] + [w.event for w in web_posts],
        "file": [where[i][0] for i in range(n)] + [w.file for w in web_posts],
        "line": [where[i][1] for i in range(n)] + [w.line for w in web_posts],
        "duplicate_in": [[{"file": f, "line": ln} for f, ln in duplicates.get(i, [])] for i in range(n)]
        + [[] for _ in web_posts],
        "ref_post_key": [keys[ref[i]] if ref[i] >= 0 else None for i in range(n)] + [w.ref_post_key for w in web_posts],
        "keyword_missed": [bool(topics[i]) and not any(has_keyword(posts.text[i], tp) for tp in topics[i])
                           for i in range(n)]
        + [bool(w.topics) and not any(has_keyword(w.text, tp) for tp in w.topics) for w in web_posts],
    }
    net_order = {name: k for k, name in enumerate(NETWORKS + ("reddit", "news", "blog"))}
    file_names = sorted(set(cols["file"]))
    file_code = {f: k for k, f in enumerate(file_names)}
    order = np.lexsort((np.arange(len(cols["file"])), np.array(cols["created_at"], dtype=np.int64),
                        np.array(cols["line"], dtype=np.int64), np.array([file_code[f] for f in cols["file"]]),
                        np.array([net_order[x] for x in cols["network"]]))).tolist()
    types = {"network": pa.string(), "post_id": pa.string(), "post_key": pa.string(),
             "created_at": pa.timestamp("s", tz="UTC"), "author_key": pa.string(), "kind": pa.string(),
             "topics": pa.list_(pa.string()), "sentiment": pa.string(), "language": pa.string(),
             "event": pa.string(), "file": pa.string(), "line": pa.int64(), "duplicate_in": DUPLICATE_TYPE,
             "ref_post_key": pa.string(), "keyword_missed": pa.bool_()}
    table = pa.table({name: pa.array([values[i] for i in order], types[name]) for name, values in cols.items()})
    pq.write_table(table, path, compression="zstd")


def appearing_authors(posts: PostTable) -> np.ndarray:
    """Authors that post or are mentioned somewhere in the exports."""
    return np.unique(np.concatenate([posts.author, posts.mention[posts.mention >= 0]]))


def write_authors(path: Path, posts: PostTable, authors: Authors, web_posts: list | None = None,
                  web_authors: list | None = None) -> np.ndarray:
    """authors.parquet for every account that posts or is mentioned (plus the news sites and
    blogs of the vendor export); returns the indices of the accounts.

    Extra columns: ``followers``, ``verified``, ``n_posts``.  ``country`` is the country of
    residence; ``department``/``ubigeo`` are null abroad and for the few truly unknown accounts.
    """
    web_posts = web_posts or []
    web_authors = web_authors or []
    idx = appearing_authors(posts).tolist()
    n_posts = np.bincount(posts.author, minlength=len(authors))
    web_n = {}
    for w in web_posts:
        web_n[w.author_key] = web_n.get(w.author_key, 0) + 1
    net = authors.net.tolist()
    W = web_authors
    ubigeo = {d[0]: d[1] for d in V.DEPARTMENTS}
    table = pa.table({
        "author_key": pa.array([f"{NETWORKS[net[i]]}:{authors.native_id[i]}" for i in idx]
                               + [w.author_key for w in W], pa.string()),
        "network": pa.array([NETWORKS[net[i]] for i in idx] + [w.network for w in W], pa.string()),
        "author_id": pa.array([authors.native_id[i] for i in idx] + [w.author_id for w in W], pa.string()),
        "handle": pa.array([authors.handle[i] or None for i in idx] + [None for _ in W], pa.string()),
        "display_name": pa.array([authors.display_name[i] for i in idx] + [w.display_name for w in W], pa.string()),
        "account_type": pa.array([authors.account_type[i] for i in idx] + [w.account_type for w in W], pa.string()),
        "gender": pa.array([authors.gender[i] for i in idx]
                           + [(w.gender or "unknown") if w.account_type == "person" else None for w in W], pa.string()),
        "age_band": pa.array([authors.age_band[i] for i in idx] + [None for _ in W], pa.string()),
        "department": pa.array([authors.department[i] for i in idx] + [w.department for w in W], pa.string()),
        "ubigeo": pa.array([authors.ubigeo(i) for i in idx] + [ubigeo.get(w.department) for w in W], pa.string()),
        "country": pa.array([authors.country[i] for i in idx] + ["PE" for _ in W], pa.string()),
        "community": pa.array([int(authors.community[i]) for i in idx] + [w.community for w in W], pa.int64()),
        "is_influencer": pa.array([bool(authors.is_influencer[i]) for i in idx] + [False for _ in W], pa.bool_()),
        "followers": pa.array([int(authors.followers[i]) for i in idx] + [None for _ in W], pa.int64()),
        "verified": pa.array([bool(authors.verified[i]) for i in idx] + [False for _ in W], pa.bool_()),
        "n_posts": pa.array([int(n_posts[i]) for i in idx] + [web_n.get(w.author_key, 0) for w in W], pa.int64()),
    })
    pq.write_table(table, path, compression="zstd")
    return np.asarray(idx)


def write_json(path: Path, obj) -> None:
    """Pretty, stable JSON (sorted keys are not used: insertion order is already deterministic)."""
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
