"""Who posts what, and who interacts with whom.

* authors are drawn per (network, topic, event) in proportion to activity x
  community-topic affinity x account-type affinity;
* on X each post becomes an original, reply, retweet or quote; replies,
  retweets and quotes point to an earlier original on the same topic, from
  the author's own community ~80% of the time, weighted by the target
  author's attractiveness (influencers >> others) and recency;
* on TikTok and YouTube each post is a video, a comment on an earlier video
  or a reply to an earlier comment, chosen by the same rule (YouTube threads
  keep at most five replies, as ``commentThreads`` responses show);
* mentions follow the same community rule;
* language and sentiment are drawn per post (retweets copy the original).
"""
from __future__ import annotations

import numpy as np

from .phrases import OFF_TOPIC
from .population import INSTAGRAM, NETWORKS, TIKTOK, X, YOUTUBE, Authors
from .posts import COMMENT, EN, ES, POST, QU, QUOTE, REPLY, SHARE, PostTable
from .timeline import Event

X_KIND_P = np.array([0.38, 0.20, 0.35, 0.07])     # post, reply, share (retweet), quote
#: video, comment, reply to a comment
VIDEO_KIND_P: dict[int, tuple[float, float, float]] = {TIKTOK: (0.35, 0.50, 0.15), YOUTUBE: (0.30, 0.50, 0.20)}
YOUTUBE_MAX_REPLIES = 5
SAME_COMMUNITY_P = 0.8
IMPLICIT_P = 0.08
#: community x topic (7 topics + off-topic) posting affinity
AFFINITY = np.array([
    # cong elec info digi migr derr segu off
    [1.6, 1.0, 1.0, 2.0, 0.6, 0.8, 0.8, 0.8],   # oficialismo
    [2.2, 1.6, 1.0, 0.6, 1.0, 0.6, 0.7, 0.8],   # oposicion
    [0.5, 0.5, 0.6, 0.7, 0.4, 3.5, 1.6, 0.8],   # ambientalistas
    [1.2, 1.2, 1.0, 1.0, 1.0, 1.5, 1.0, 0.7],   # medios_lima
    [0.7, 1.3, 1.4, 1.2, 0.4, 0.7, 1.8, 1.0],   # regiones_sur
    [0.3, 0.4, 1.2, 0.6, 4.0, 0.4, 0.8, 1.0],   # diaspora_venezolana
])
#: account type x topic affinity
TYPE_AFFINITY: dict[str, np.ndarray] = {
    "person": np.array([1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.2]),
    "media": np.array([1.3, 1.3, 1.0, 1.0, 1.0, 1.3, 1.0, 0.25]),
    "government": np.array([1.0, 0.8, 1.0, 1.6, 0.8, 1.0, 1.2, 0.1]),
    "ngo": np.array([0.5, 0.6, 1.2, 1.2, 1.4, 1.5, 1.6, 0.15]),
    "business": np.array([0.2, 0.2, 1.8, 1.3, 0.3, 0.2, 0.6, 1.2]),
    "other": np.array([1.0, 1.0, 0.8, 0.6, 0.8, 0.8, 0.8, 1.4]),
}
#: extra community weight while an event runs (by the event's text variant)
EVENT_COMMUNITY_BOOST: dict[str, np.ndarray] = {
    "ventanilla": np.array([1.0, 1.0, 1.8, 1.6, 0.8, 0.6]),
    "vacancia": np.array([1.6, 1.8, 0.6, 1.4, 0.8, 0.5]),
    "elecciones2022": np.array([1.0, 1.2, 0.6, 1.4, 1.6, 0.3]),
    "peru_conectado": np.array([5.0, 0.3, 0.5, 1.0, 1.2, 0.5]),
}
#: sentiment probabilities (positive, neutral, negative) per topic (+ off-topic)
TOPIC_SENTIMENT = np.array([
    [0.10, 0.35, 0.55], [0.25, 0.50, 0.25], [0.20, 0.45, 0.35], [0.40, 0.45, 0.15],
    [0.20, 0.45, 0.35], [0.08, 0.37, 0.55], [0.15, 0.40, 0.45], [0.40, 0.42, 0.18],
])
EVENT_SENTIMENT: dict[str, np.ndarray] = {
    "ventanilla": np.array([0.03, 0.25, 0.72]), "vacancia": np.array([0.15, 0.35, 0.50]),
    "elecciones2022": np.array([0.30, 0.50, 0.20]), "peru_conectado": np.array([0.65, 0.30, 0.05]),
}


def _topic_col(topic1: np.ndarray) -> np.ndarray:
    return np.where(topic1 < 0, OFF_TOPIC, topic1)


def assign_kinds(posts: PostTable, rng: np.random.Generator) -> None:
    """X posts get post/reply/retweet/quote; TikTok and YouTube video/comment/reply; Facebook and
    Instagram posts are all originals."""
    kind = rng.choice(4, size=len(posts), p=X_KIND_P).astype(np.int8)
    out = np.where(posts.net == X, kind, POST).astype(np.int8)
    u = rng.random(len(posts))
    for net, (p_video, p_comment, _) in VIDEO_KIND_P.items():
        on = posts.net == net
        out[on] = np.where(u[on] < p_video, POST, np.where(u[on] < p_video + p_comment, COMMENT, REPLY))
    posts.kind = out


def assign_authors(posts: PostTable, authors: Authors, events: list[Event], rng: np.random.Generator) -> None:
    """Pick an author per post from the post's network, by topic, event and kind."""
    author = np.full(len(posts), -1, dtype=np.int32)
    topic = _topic_col(posts.topic1)
    derived = (posts.kind != POST).astype(np.int8)
    type_aff = np.stack([TYPE_AFFINITY[t] for t in authors.account_type])           # (n_authors, 8)
    is_person = np.array([t == "person" for t in authors.account_type])
    for net in range(len(NETWORKS)):
        members = np.flatnonzero(authors.net == net)
        comm = authors.community[members]
        base = authors.activity[members]
        in_net = np.flatnonzero(posts.net == net)
        key = (topic[in_net].astype(np.int64) * 64 + (posts.event[in_net].astype(np.int64) + 1)) * 2 + derived[in_net]
        for k in np.unique(key):
            rows = in_net[key == k]
            d = int(k % 2)
            ev = int((k // 2) % 64) - 1
            tp = int(k // 128)
            w = base * AFFINITY[comm, tp] * type_aff[members, tp]
            if ev >= 0:
                core = events[ev].core_key
                w = w * EVENT_COMMUNITY_BOOST[core][comm]
                if core == "peru_conectado" and not d:
                    w = w + authors.campaign_owner[members] * w.sum() * 0.08
            if d:
                w = w * np.where(is_person[members], 1.0, 0.25)
            author[rows] = members[rng.choice(len(members), size=len(rows), p=w / w.sum())]
    posts.author = author


def _recency_tau(t: np.ndarray) -> float:
    """Recency time constant (s) for target choice; grows for very long ranges to avoid overflow."""
    span = float(t.max() - t.min()) if len(t) else 0.0
    return max(0.6 * 86400, span / 650.0)


def _pick_in_bucket(cand_t: np.ndarray, cum: np.ndarray, query_t: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Index (into the bucket) of an earlier candidate drawn by cumulative weight, or -1."""
    k = np.searchsorted(cand_t, query_t, side="left")
    out = np.full(len(query_t), -1, dtype=np.int64)
    ok = k > 0
    if not ok.any():
        return out
    total = cum[k[ok] - 1]
    j = np.searchsorted(cum, u[ok] * total, side="right")
    j = np.minimum(j, k[ok] - 1)
    good = total > 0
    res = np.where(good, j, -1)
    out[np.flatnonzero(ok)] = res
    return out


def _link(posts: PostTable, authors: Authors, events: list[Event], derived: np.ndarray, orig: np.ndarray,
          tau: float, rng: np.random.Generator) -> np.ndarray:
    """For each row of ``derived``, an earlier row of ``orig`` (or -1): same topic, the author's own
    community ~80% of the time, weighted by the target author's attractiveness and recency."""
    topic = _topic_col(posts.topic1)
    o_comm = authors.community[posts.author[orig]]
    boost = np.ones(len(orig))
    for ei, e in enumerate(events):
        boost[posts.event[orig] == ei] = 4.0 if e.core_key == "peru_conectado" else 2.0
    o_logw = np.log(authors.attract[posts.author[orig]] * boost) + (posts.t[orig] - posts.t.min()) / tau

    def bucket(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        idx = orig[mask]
        lw = o_logw[mask]
        cum = np.cumsum(np.exp(lw - lw.max())) if len(lw) else np.zeros(0)
        return idx, posts.t[idx], cum

    d_comm = authors.community[posts.author[derived]]
    same = rng.random(len(derived)) < SAME_COMMUNITY_P
    u = rng.random(len(derived))
    chosen = np.full(len(derived), -1, dtype=np.int64)
    o_topic = topic[orig]
    d_topic = topic[derived]
    for tp in range(OFF_TOPIC + 1):
        in_topic = d_topic == tp
        if not in_topic.any():
            continue
        for c in range(6):
            sel = np.flatnonzero(in_topic & same & (d_comm == c))
            if len(sel):
                idx, bt, cum = bucket((o_topic == tp) & (o_comm == c))
                if len(idx):
                    j = _pick_in_bucket(bt, cum, posts.t[derived[sel]], u[sel])
                    chosen[sel] = np.where(j >= 0, idx[np.maximum(j, 0)], -1)
        sel = np.flatnonzero(in_topic & (chosen < 0))
        if len(sel):
            idx, bt, cum = bucket(o_topic == tp)
            if len(idx):
                j = _pick_in_bucket(bt, cum, posts.t[derived[sel]], u[sel])
                chosen[sel] = np.where(j >= 0, idx[np.maximum(j, 0)], -1)
    sel = np.flatnonzero(chosen < 0)
    if len(sel):
        idx, bt, cum = bucket(np.ones(len(orig), dtype=bool))
        if len(idx):
            j = _pick_in_bucket(bt, cum, posts.t[derived[sel]], u[sel])
            chosen[sel] = np.where(j >= 0, idx[np.maximum(j, 0)], -1)
    return chosen


def _inherit(posts: PostTable, rows: np.ndarray) -> None:
    """Linked posts take their target's topic and event (retweets also its secondary topic)."""
    rows = rows[posts.ref[rows] >= 0]
    tgt = posts.ref[rows]
    posts.topic1[rows] = posts.topic1[tgt]
    posts.event[rows] = posts.event[tgt]
    share = rows[posts.kind[rows] == SHARE]
    posts.topic2[share] = posts.topic2[posts.ref[share]]


def assign_targets(posts: PostTable, authors: Authors, events: list[Event], rng: np.random.Generator) -> None:
    """Point X replies/retweets/quotes to earlier originals, TikTok/YouTube comments to earlier
    videos and their replies to earlier comments (community- and influence-biased)."""
    posts.ref = np.full(len(posts), -1, dtype=np.int32)
    kind = posts.kind

    def link(derived: np.ndarray, orig: np.ndarray, tau: float) -> np.ndarray:
        chosen = _link(posts, authors, events, derived, orig, tau, rng)
        posts.ref[derived] = chosen
        _inherit(posts, derived)
        return derived[chosen < 0]

    is_x = posts.net == X
    tau = _recency_tau(posts.t[is_x]) if is_x.any() else 1.0
    orphan = link(np.flatnonzero(is_x & (kind != POST)), np.flatnonzero(is_x & (kind == POST)), tau)
    kind[orphan] = POST          # a derived post with nothing earlier to point to becomes an original
    for net in VIDEO_KIND_P:
        on = posts.net == net
        if not on.any():
            continue
        tau = _recency_tau(posts.t[on])
        videos = np.flatnonzero(on & (kind == POST))
        orphan = link(np.flatnonzero(on & (kind == COMMENT)), videos, tau)
        kind[orphan] = POST
        videos = np.flatnonzero(on & (kind == POST))
        orphan = link(np.flatnonzero(on & (kind == REPLY)), np.flatnonzero(on & (kind == COMMENT)), tau)
        kind[orphan] = COMMENT   # a reply with no earlier comment comments the video instead
        orphan = link(orphan, videos, tau)
        kind[orphan] = POST
        if net == YOUTUBE:
            _cap_replies(posts, np.flatnonzero(on & (kind == REPLY)))
    posts.topic2[posts.topic2 == posts.topic1] = -1
    posts.topic2[posts.topic1 < 0] = -1


def _cap_replies(posts: PostTable, replies: np.ndarray) -> None:
    """Keep at most YOUTUBE_MAX_REPLIES replies per comment; later ones comment the video."""
    parent = posts.ref[replies].astype(np.int64)
    order = np.lexsort((posts.t[replies], parent))
    r, p = replies[order], parent[order]
    first = np.r_[True, p[1:] != p[:-1]]
    rank = np.arange(len(r)) - np.maximum.accumulate(np.where(first, np.arange(len(r)), 0))
    over = r[rank >= YOUTUBE_MAX_REPLIES]
    posts.kind[over] = COMMENT
    posts.ref[over] = posts.ref[posts.ref[over]]


def assign_mentions(posts: PostTable, authors: Authors, rng: np.random.Generator) -> None:
    """Extra @mentions in some X originals/quotes, Instagram captions and TikTok video descriptions
    (same community ~80%)."""
    n = len(posts)
    mention = np.full(n, -1, dtype=np.int32)
    p = np.where((posts.net == X) & ((posts.kind == POST) | (posts.kind == QUOTE)), 0.15,
                 np.where(posts.net == INSTAGRAM, 0.10,
                          np.where((posts.net == TIKTOK) & (posts.kind == POST), 0.08, 0.0)))
    rows = np.flatnonzero(rng.random(n) < p)
    same = rng.random(len(rows)) < SAME_COMMUNITY_P
    a_comm = authors.community[posts.author[rows]]
    for net in (X, INSTAGRAM, TIKTOK):
        members = np.flatnonzero(authors.net == net)
        m_comm = authors.community[members]
        w_all = authors.attract[members]
        for c in range(-1, 6):
            if c < 0:
                sel = rows[(posts.net[rows] == net) & ~same]
                w = w_all
            else:
                sel = rows[(posts.net[rows] == net) & same & (a_comm == c)]
                w = w_all * (m_comm == c)
            if len(sel) == 0 or w.sum() <= 0:
                continue
            mention[sel] = members[rng.choice(len(members), size=len(sel), p=w / w.sum())]
    mention[mention == posts.author] = -1
    posts.mention = mention


def assign_language_sentiment(posts: PostTable, authors: Authors, events: list[Event],
                              rng: np.random.Generator) -> None:
    """Language from the author's profile; sentiment from topic/event/community; implicit flag."""
    n = len(posts)
    a = posts.author
    u = rng.random(n)
    p_qu = np.where(authors.qu_speaker[a], 0.35, 0.002)
    p_en = np.where(authors.en_speaker[a], 0.45, 0.012)
    lang = np.full(n, ES, dtype=np.int8)
    lang[u < p_qu] = QU
    lang[(u >= p_qu) & (u < p_qu + p_en)] = EN

    topic = _topic_col(posts.topic1)
    probs = TOPIC_SENTIMENT[topic].copy()
    for ei, e in enumerate(events):
        probs[posts.event == ei] = EVENT_SENTIMENT[e.core_key]
    comm = authors.community[a]
    gov_positive = (comm == 0) & np.isin(topic, [0, 3, 2])
    probs[gov_positive] = probs[gov_positive] * np.array([2.5, 1.0, 0.4])
    opp_negative = (comm == 1) & np.isin(topic, [0, 1])
    probs[opp_negative] = probs[opp_negative] * np.array([0.6, 0.8, 1.6])
    cum = np.cumsum(probs / probs.sum(axis=1, keepdims=True), axis=1)
    v = rng.random(n)
    sentiment = (cum < v[:, None]).sum(axis=1).clip(0, 2).astype(np.int8)
    implicit = (posts.topic1 >= 0) & (rng.random(n) < IMPLICIT_P)

    # retweets copy the original's language, sentiment and wording
    share = np.flatnonzero(posts.kind == SHARE)
    src = posts.ref[share]
    lang[share] = lang[src]
    sentiment[share] = sentiment[src]
    implicit[share] = implicit[src]
    posts.lang, posts.sentiment, posts.implicit = lang, sentiment, implicit

