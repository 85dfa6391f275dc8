"""Offline sentiment per post: VADER for English, the Spanish rule scorer for everything else."""
from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import pandas as pd

from . import spanish

LEXICON_VERSION: str = spanish.LEXICON_VERSION

# Compound thresholds.  English: VADER's standard +-0.05.  Spanish: the symmetric threshold with
# the best macro-F1 on the dev half of the demo ground truth (plateau 0.21-0.23; see
# bench/sentiment_quality.py).  It means one weak word (|valence| < ~0.9) alone leaves a post
# neutral.  Changing it changes the rules: bump lexicon.RULES_VERSION.
EN_THRESHOLD = 0.05
SPANISH_THRESHOLD = 0.22

POSITIVE, NEUTRAL, NEGATIVE = "positive", "neutral", "negative"


@lru_cache(maxsize=1)
def _vader():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer  # noqa: PLC0415

    return SentimentIntensityAnalyzer()


def is_english(language: str | None) -> bool:
    """``"en"`` (or a regional ``"en-…"`` tag) selects VADER; anything else the Spanish scorer."""
    if not language:
        return False
    lang = language.lower()
    return lang == "en" or lang.startswith("en-")


def score_text(text: str | None, language: str | None) -> float:
    """Compound score in [-1, 1] of one text (0.0 for a missing or blank text)."""
    if not text or text.isspace():
        return 0.0
    if is_english(language):
        return float(_vader().polarity_scores(text)["compound"])
    return spanish.score(text)


def label(score: float, english: bool = False) -> str:
    """positive / neutral / negative from a compound score."""
    th = EN_THRESHOLD if english else SPANISH_THRESHOLD
    return POSITIVE if score >= th else NEGATIVE if score <= -th else NEUTRAL


def score_texts(texts: Sequence[str | None], languages: Sequence[str | None]) -> pd.DataFrame:
    """One row per text, same order: ``sentiment`` (label) and ``sentiment_score`` (compound)."""
    if len(texts) != len(languages):
        raise ValueError(f"{len(texts)} texts but {len(languages)} languages")
    es_score = spanish.score
    en_th, es_th = EN_THRESHOLD, SPANISH_THRESHOLD
    labels: list[str] = []
    scores: list[float] = []
    for text, lang in zip(texts, languages):
        if not text or text.isspace():
            s, th = 0.0, es_th
        elif is_english(lang):
            s, th = float(_vader().polarity_scores(text)["compound"]), en_th
        else:
            s, th = es_score(text), es_th
        scores.append(s)
        labels.append(POSITIVE if s >= th else NEGATIVE if s <= -th else NEUTRAL)
    return pd.DataFrame({"sentiment": pd.Series(labels, dtype="str"),
                         "sentiment_score": pd.Series(scores, dtype="float64")})
