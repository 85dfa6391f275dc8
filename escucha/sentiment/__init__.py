"""Offline sentiment of posts: positive / neutral / negative plus a compound score in [-1, 1].

English posts are scored with VADER; every other language (Spanish, Quechua, undetermined) with
a VADER-style rule scorer over the hand-written Spanish lexicon in ``data/es_lexicon.tsv``.
``LEXICON_VERSION`` changes with the lexicon file, the rules and the libraries, so stored scores
can be recomputed when it moves.
"""
from __future__ import annotations

from .scorer import LEXICON_VERSION, score_texts

__all__ = ["LEXICON_VERSION", "score_texts"]
