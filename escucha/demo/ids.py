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
