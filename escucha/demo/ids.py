"""Native post identifiers: X snowflakes, Facebook post ids, Instagram shortcodes, t.co links."""
from __future__ import annotations

import numpy as np

TWITTER_EPOCH_MS = 1288834974657
_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def snowflakes(t: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Tweet ids ``((ms - epoch) << 22) | (worker << 12) | sequence``, unique and time-ordered.

    ``t`` is in seconds; a random millisecond within the second is added, and posts that
    share a millisecond get consecutive sequence numbers.
    """
    ms = t.astype(np.int64) * 1000 + rng.integers(0, 1000, len(t))
    worker = rng.integers(0, 1024, len(t)).astype(np.int64)
    order = np.lexsort((worker, ms))
    ms_sorted = ms[order]
    first = np.r_[True, ms_sorted[1:] != ms_sorted[:-1]]
    group_start = np.maximum.accumulate(np.where(first, np.arange(len(t)), 0))
    seq = np.empty(len(t), dtype=np.int64)
    seq[order] = np.arange(len(t)) - group_start
    return ((ms - TWITTER_EPOCH_MS) << 22) | (worker << 12) | (seq & 0xFFF)


def increasing_unique(n: int, low: int, high: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` distinct sorted integers in [low, high)."""
    vals = np.unique(rng.integers(low, high, size=n + n // 10 + 16))
    while len(vals) < n:
        vals = np.unique(np.concatenate([vals, rng.integers(low, high, size=n)]))
    pick = np.sort(rng.choice(len(vals), size=n, replace=False))
    return vals[pick]


def facebook_post_ids(n: int, rng: np.random.Generator) -> np.ndarray:
    """16-digit post ids, increasing with the (time-ordered) position."""
    return increasing_unique(n, 10**15, 10**16, rng)


def instagram_shortcodes(n: int, rng: np.random.Generator) -> list[str]:
    """11-character base64url shortcodes ('C' + 10 chars), increasing with position."""
    nums = increasing_unique(n, 64**9, 64**10 - 1, rng)
    out = []
    for v in nums.tolist():
        chars = []
        for _ in range(10):
            v, r = divmod(v, 64)
            chars.append(_B64[r])
        out.append("C" + "".join(reversed(chars)))
    return out


def random_codes(n: int, length: int, rng: np.random.Generator) -> list[str]:
    """Distinct random alphanumeric codes (t.co paths, next_tokens)."""
    idx = rng.integers(0, len(_ALNUM), size=(n, length))
    codes = ["".join(_ALNUM[j] for j in row) for row in idx.tolist()]
    seen: dict[str, None] = {}
    out = []
    for c in codes:
        while c in seen:
            c = c[1:] + _ALNUM[len(seen) % len(_ALNUM)]
        seen[c] = None
        out.append(c)
    return out


def tiktok_ids(t: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """19-digit TikTok item ids: creation time (s) in the upper 32 bits, random lower 32 bits.

    ``id >> 32`` gives back the creation time, as with real video and comment ids.
    """
    ids = (t.astype(np.int64) << 32) | rng.integers(0, 2**32, len(t), dtype=np.int64)
    while True:
        order = np.argsort(ids, kind="stable")
        dup = np.flatnonzero(np.diff(ids[order]) == 0)
        if len(dup) == 0:
            return ids
        ids[order[dup + 1]] ^= 1 << int(rng.integers(0, 31))


def youtube_video_ids(n: int, rng: np.random.Generator) -> list[str]:
    """Distinct 11-character video ids (base64url of 64 bits: the last character carries 4 bits)."""
    rows = rng.integers(0, 64, size=(n, 11)).tolist()
    out: list[str] = []
    seen: set[str] = set()
    for row in rows:
        row[-1] &= 0x3C
        vid = "".join(_B64[v] for v in row)
        while vid in seen:
            vid = _B64[(_B64.index(vid[0]) + 1) % 64] + vid[1:]
        seen.add(vid)
        out.append(vid)
    return out


def youtube_comment_ids(n: int, rng: np.random.Generator) -> list[str]:
    """Distinct top-level comment (= thread) ids: ``Ug`` + w/x/y/z + 16 characters + ``4AaABAg``."""
    rows = rng.integers(0, 64, size=(n, 17)).tolist()
    out: list[str] = []
    seen: set[str] = set()
    for row in rows:
        cid = "Ug" + "wxyz"[row[0] % 4] + "".join(_B64[v] for v in row[1:]) + "4AaABAg"
        while cid in seen:
            cid = cid[:3] + _B64[(_B64.index(cid[3]) + 1) % 64] + cid[4:]
        seen.add(cid)
        out.append(cid)
    return out


def youtube_reply_suffixes(t: np.ndarray, rng: np.random.Generator) -> list[str]:
    """The 22 characters after ``<parentId>.`` in reply ids: two 11-character codes, the first
    growing with the reply's time (real reply ids of 2021-2022 start with ``9``/``A``)."""
    out = []
    for v, row in zip(t.astype(np.int64).tolist(), rng.integers(0, 64, size=(len(t), 11)).tolist()):
        head = []
        w = (v - 1_500_000_000) * 4096 + (v % 4096)
        for _ in range(10):
            w, r = divmod(w, 64)
            head.append(_B64[r])
        first = "9" if v < 1_656_633_600 else "A"      # 2022-07-01
        out.append(first + "".join(reversed(head)) + "".join(_B64[x] for x in row))
    return out
