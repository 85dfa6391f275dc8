"""Engagement metrics: heavy-tailed, growing with audience size, higher for events.

X metrics include the retweets/replies/quotes that exist in the sample plus an
unobserved remainder; retweets report the original's retweet count and zero
for the rest, as the API does.  TikTok and YouTube comment counts likewise
include the comments and replies in the sample; YouTube threads report exactly
the replies they carry.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .population import TIKTOK, X, YOUTUBE, Authors
from .posts import COMMENT, NEG, NEU, POS, POST, QUOTE, REPLY, SHARE, PostTable
from .timeline import Event

YEAR_S = 365.25 * 86400
#: Facebook reaction mix (Like, Love, Wow, Haha, Sad, Angry, Care) per sentiment
REACTION_MIX = {
    POS: np.array([0.60, 0.25, 0.03, 0.03, 0.01, 0.01, 0.07]),
    NEU: np.array([0.75, 0.08, 0.06, 0.05, 0.02, 0.02, 0.02]),
    NEG: np.array([0.45, 0.02, 0.06, 0.07, 0.20, 0.18, 0.02]),
}
FB_TYPE_P = {
    "media": (("Link", "Photo", "Native Video", "Status"), (0.60, 0.22, 0.12, 0.06)),
    "person": (("Status", "Photo", "Link", "Native Video"), (0.35, 0.45, 0.12, 0.08)),
    "org": (("Photo", "Link", "Native Video", "Status"), (0.45, 0.25, 0.15, 0.15)),
}
IG_TYPE_P = (("Photo", "Album", "Video"), (0.60, 0.25, 0.15))


@dataclass
class Engagement:
    """Per-post metrics (arrays aligned with the post table; zero where not applicable)."""

    like: np.ndarray             # X, TikTok and YouTube likes
    retweet: np.ndarray
    reply: np.ndarray            # X replies; replies to a TikTok/YouTube comment
    quote: np.ndarray
    impression: np.ndarray
    reactions: np.ndarray        # (n, 7) Like, Love, Wow, Haha, Sad, Angry, Care
    comments: np.ndarray         # FB/IG comments; comments (incl. replies) of TikTok/YouTube videos
    shares: np.ndarray           # FB shares, TikTok shares
    views: np.ndarray            # video views (FB post views / IG / TikTok / YouTube views)
    total_views: np.ndarray
    video_seconds: np.ndarray
    overperforming: np.ndarray   # CrowdTangle-style score (positive: above expected, negative: below)
    followers_at: np.ndarray
    page_likes_at: np.ndarray


def media_types(posts: PostTable, authors: Authors, rng: np.random.Generator) -> np.ndarray:
    """CrowdTangle ``Type`` per post: Status/Photo/Link/Native Video (FB), Photo/Album/Video (IG)."""
    n = len(posts)
    out = np.full(n, "", dtype=object)
    u = rng.random(n)
    a_type = np.array(authors.account_type, dtype=object)[posts.author]
    group = np.where(a_type == "media", "media", np.where(a_type == "person", "person", "org"))
    for g, (names, p) in FB_TYPE_P.items():
        sel = (posts.net == 1) & (group == g)
        cum = np.cumsum(p)
        out[sel] = np.array(names, dtype=object)[np.searchsorted(cum, u[sel] * cum[-1], side="right")]
    sel = posts.net == 2
    names, p = IG_TYPE_P
    cum = np.cumsum(p)
    out[sel] = np.array(names, dtype=object)[np.searchsorted(cum, u[sel] * cum[-1], side="right")]
    return out


def compute(posts: PostTable, authors: Authors, events: list[Event], types: np.ndarray,
            rng: np.random.Generator) -> Engagement:
    """Draw every metric for every post."""
    n = len(posts)
    a = posts.author
    t0 = posts.t.min() if n else 0
    growth = 1.0 + authors.follower_growth[a] * (posts.t - t0) / YEAR_S
    f = np.maximum(1.0, authors.followers[a] * np.maximum(growth, 0.3))
    noise = np.exp(rng.normal(0.0, 1.1, n))
    boost = np.ones(n)
    campaign = np.zeros(n, dtype=bool)
    for ei, e in enumerate(events):
        on = posts.event == ei
        boost[on] = 1.6
        if e.core_key == "peru_conectado":
            campaign |= on
    boost = boost * np.where(authors.is_influencer[a], 1.5, 1.0)
    u1, u2, u3, u4 = rng.random((4, n))
    zeros = np.zeros(n, dtype=np.int64)
    like, retweet, reply, quote, impression = zeros.copy(), zeros.copy(), zeros.copy(), zeros.copy(), zeros.copy()

    x = posts.net == X
    refs = posts.ref[(posts.ref >= 0) & x]
    kinds_of_ref = posts.kind[(posts.ref >= 0) & x]
    obs_rt = np.bincount(refs[kinds_of_ref == SHARE], minlength=n)
    obs_reply = np.bincount(refs[kinds_of_ref == REPLY], minlength=n)
    obs_quote = np.bincount(refs[kinds_of_ref == QUOTE], minlength=n)
    orig = x & (posts.kind == POST)
    like[orig] = np.floor(noise[orig] * 2.0 * (f[orig] / 1000) ** 0.7 * boost[orig])
    conv = x & ((posts.kind == REPLY) | (posts.kind == QUOTE))
    like[conv] = np.floor(noise[conv] * 0.6 * (f[conv] / 1000) ** 0.5 * boost[conv])
    own = orig | conv
    retweet[own] = obs_rt[own] + np.floor(like[own] * (0.05 + 0.25 * u1[own]))
    reply[own] = obs_reply[own] + np.floor(like[own] * 0.08 * u2[own])
    quote[own] = obs_quote[own] + np.floor(like[own] * 0.02 * u3[own])
    impression[own] = np.floor(f[own] * (0.05 + 0.35 * u4[own]) + like[own] * 35)
    rts = np.flatnonzero(x & (posts.kind == SHARE))
    retweet[rts] = retweet[posts.ref[rts]]

    fb = posts.net == 1
    total = np.where(fb, np.floor(noise * 3.0 * (f / 1000) ** 0.75 * boost), 0).astype(np.int64)
    pvals = np.stack([REACTION_MIX[s] for s in (POS, NEU, NEG)])[posts.sentiment]
    reactions = rng.multinomial(total, pvals)
    comments = np.where(fb, np.floor(total * (0.02 + 0.23 * u1)), 0).astype(np.int64)
    share_mult = np.where(campaign, 2.5, np.where(posts.event >= 0, 1.5, 1.0))
    shares = np.where(fb, np.floor(total * (0.02 + 0.33 * u2) * share_mult), 0).astype(np.int64)

    ig = posts.net == 2
    ig_likes = np.floor(noise * 25.0 * (f / 1000) ** 0.8 * boost).astype(np.int64)
    reactions[ig, 0] = ig_likes[ig]
    comments[ig] = np.floor(ig_likes[ig] * (0.005 + 0.055 * u1[ig]))

    video = (types == "Native Video") | (types == "Video")
    views = np.where(video & fb, np.floor((total + 5) * (10 + 50 * u3)),
                     np.where(video & ig, np.floor((ig_likes + 5) * (8 + 22 * u3)), 0)).astype(np.int64)
    total_views = np.where(video & fb, np.floor(views * (1.0 + 0.3 * u4)), views).astype(np.int64)
    video_seconds = np.where(video, rng.integers(12, 600, n), 0)
    _video_networks(posts, f, noise, boost, (u1, u2, u3, u4), like, reply, comments, shares, views, rng)
    total_views = np.where((posts.net == TIKTOK) | (posts.net == YOUTUBE), views, total_views)
    ratio = noise * boost
    overperf = np.where(ratio >= 1.0, ratio, -1.0 / ratio)
    page_ratio = 0.8 + 0.17 * ((authors.followers % 97) / 96.0)
    return Engagement(
        like=like, retweet=retweet, reply=reply, quote=quote, impression=impression,
        reactions=reactions.astype(np.int64), comments=comments, shares=shares, views=views,
        total_views=total_views, video_seconds=video_seconds, overperforming=overperf,
        followers_at=np.floor(f).astype(np.int64), page_likes_at=np.floor(f * page_ratio[a]).astype(np.int64),
    )


def _video_networks(posts: PostTable, f: np.ndarray, noise: np.ndarray, boost: np.ndarray, u: tuple,
                    like: np.ndarray, reply: np.ndarray, comments: np.ndarray, shares: np.ndarray,
                    views: np.ndarray, rng: np.random.Generator) -> None:
    """TikTok and YouTube: views, likes, shares and comment counts of videos; likes and reply
    counts of comments (filled in place)."""
    u1, u2, u3, _ = u
    n = len(posts)
    kind, ref = posts.kind, posts.ref
    tt, yt = posts.net == TIKTOK, posts.net == YOUTUBE
    com = (tt | yt) & (kind == COMMENT)
    rep = (tt | yt) & (kind == REPLY)
    obs_comments = np.bincount(ref[com], minlength=n) + np.bincount(ref[ref[rep]], minlength=n)
    obs_replies = np.bincount(ref[rep], minlength=n)
    for net, scale, power, like_rate, comment_rate in ((tt, 14.0, 0.72, (0.02, 0.10), (0.002, 0.02)),
                                                      (yt, 3.0, 0.80, (0.01, 0.05), (0.005, 0.04))):
        vid = net & (kind == POST)
        views[vid] = np.floor(noise[vid] * scale * f[vid] ** power * boost[vid]) + 10
        like[vid] = np.floor(views[vid] * (like_rate[0] + like_rate[1] * u1[vid]))
        comments[vid] = obs_comments[vid] + np.floor(like[vid] * (comment_rate[0] + comment_rate[1] * u2[vid]))
    vid = tt & (kind == POST)
    shares[vid] = np.floor(like[vid] * (0.01 + 0.07 * u3[vid]))
    conv = com | rep
    like[conv] = np.floor(noise[conv] * 1.5 * boost[conv] * (f[conv] / 1000) ** 0.25 * rng.pareto(2.5, int(conv.sum())))
    reply[com] = obs_replies[com]
    extra = tt & (kind == COMMENT) & (u3 > 0.85)
    reply[extra] += 1 + np.floor(u2[extra] * 4).astype(np.int64)    # replies outside the sample (TikTok)
