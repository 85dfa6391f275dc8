"""Column-oriented table of all generated posts (every network), shared by the other modules."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

KINDS: tuple[str, ...] = ("post", "reply", "share", "quote", "comment")
POST, REPLY, SHARE, QUOTE, COMMENT = range(5)
#: X uses post/reply/share/quote; TikTok and YouTube use post (a video), comment (on a video) and
#: reply (to a comment); Facebook and Instagram only post.
LANGS: tuple[str, ...] = ("es", "en", "qu")
ES, EN, QU = range(3)
SENTIMENTS: tuple[str, ...] = ("positive", "neutral", "negative")
POS, NEU, NEG = range(3)


@dataclass
class PostTable:
    """One row per post, time-sorted.  Integer codes index KINDS / LANGS / SENTIMENTS."""

    t: np.ndarray                 # int64 epoch seconds, UTC
    net: np.ndarray               # int8 index into population.NETWORKS
    topic1: np.ndarray            # int8 topic index, -1 = off-topic
    topic2: np.ndarray            # int8 secondary topic, -1 = none
    event: np.ndarray             # int8 index into the run's events, -1 = none
    author: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    kind: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int8))
    ref: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))       # referenced / parent post, -1
    mention: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))   # mentioned author, -1
    lang: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int8))
    sentiment: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int8))
    implicit: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))     # on-topic without keywords
    native_id: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.t)
